-- The latest result of every check for every month (spec/interfaces.md). `failing_rows`
-- counts distinct entity keys left after accepted exceptions; `note` says why a check was
-- not evaluated.
CREATE OR REPLACE VIEW v_check_results AS
WITH failing AS (
    SELECT check_id, period, count(DISTINCT entity_key) AS entities
    FROM v_check_failures
    GROUP BY check_id, period
)

SELECT
    r.check_id,
    r.period,
    c.severity,
    CASE
        WHEN r.status = 'not_evaluated' THEN 'not_evaluated'
        WHEN coalesce(f.entities, 0) > 0 THEN 'failed'
        ELSE 'passed'
    END AS status,
    CASE WHEN r.status = 'not_evaluated' THEN NULL ELSE coalesce(f.entities, 0) END AS failing_rows,
    r.evaluated_at,
    r.note
FROM check_results AS r
INNER JOIN check_catalog AS c ON r.check_id = c.check_id
LEFT JOIN failing AS f ON r.check_id = f.check_id AND r.period = f.period;
