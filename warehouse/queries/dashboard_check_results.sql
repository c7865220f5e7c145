-- Dashboard data and checks pages: every check's verdict for the month ($month), failed
-- first, with its catalog entry (title, rule, ledgers, who corrects) — the failing count
-- county-wide and in the chosen place ($level, $town, $village), and how many entities
-- are accepted as exceptions. On the journal overlay (dashboard_overlay.sql): an exception
-- counts as soon as it is recorded. A verdict older than the month's latest load is stale
-- (spec/checks.md).
WITH latest_load AS (
    SELECT max(loaded_at) AS loaded_at
    FROM v_load_log
    WHERE period = $month AND status = 'loaded'
),

in_place AS (
    SELECT
        check_id,
        count(DISTINCT entity_key) AS entities
    FROM open_failures
    WHERE period = $month
        AND ($town IS NULL OR town_code = $town)
        AND ($village IS NULL OR village_code = $village)
    GROUP BY check_id
)

SELECT
    r.check_id,
    c.title AS check_title,
    r.severity,
    r.status AS check_status,
    r.failing_rows,
    CASE
        WHEN $level = 'county' OR r.status = 'not_evaluated' THEN NULL
        ELSE coalesce(p.entities, 0)
    END AS place_failing_rows,
    r.accepted_rows,
    c.rule,
    c.ledgers,
    c.department AS responsible,
    r.evaluated_at,
    r.note,
    coalesce(r.evaluated_at < l.loaded_at, false) AS stale
FROM open_results AS r
INNER JOIN check_catalog AS c ON r.check_id = c.check_id
CROSS JOIN latest_load AS l
LEFT JOIN in_place AS p ON r.check_id = p.check_id
WHERE r.period = $month
ORDER BY
    CASE r.status WHEN 'failed' THEN 0 WHEN 'not_evaluated' THEN 1 ELSE 2 END,
    CASE r.severity WHEN 'error' THEN 0 ELSE 1 END,
    r.check_id;
