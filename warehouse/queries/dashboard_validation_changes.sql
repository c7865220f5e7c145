-- Dashboard checks page: what one validation ($run_id; NULL for the latest) changed since
-- the one before it — every (check, month) pair whose status differs between the two runs'
-- results in the journal: turned red (now failed), turned green (now passed), or neither
-- (now not evaluated). A pair the earlier run had not judged shows only when it failed.
-- Statuses are as each run stored them (exceptions as of its publish).
WITH this_run AS (
    SELECT coalesce($run_id, max(run_id)) AS run_id
    FROM journal.validation_runs
),

previous_run AS (
    SELECT max(r.run_id) AS run_id
    FROM journal.validation_runs AS r
    CROSS JOIN this_run AS t
    WHERE r.run_id < t.run_id
),

after_run AS (
    SELECT v.*
    FROM journal.validation_results AS v
    INNER JOIN this_run AS t ON v.run_id = t.run_id
),

before_run AS (
    SELECT v.*
    FROM journal.validation_results AS v
    INNER JOIN previous_run AS p ON v.run_id = p.run_id
)

SELECT
    CASE a.status WHEN 'failed' THEN 'red' WHEN 'passed' THEN 'green' ELSE 'grey' END AS turned,
    a.period,
    a.check_id,
    c.title AS check_title,
    c.severity,
    b.status AS status_before,
    a.status AS status_after,
    b.failing_rows AS failing_before,
    a.failing_rows AS failing_after
FROM after_run AS a
CROSS JOIN previous_run AS p
LEFT JOIN before_run AS b ON a.check_id = b.check_id AND a.period = b.period
LEFT JOIN check_catalog AS c ON a.check_id = c.check_id
WHERE p.run_id IS NOT NULL
    AND a.status IS DISTINCT FROM b.status
    AND (b.status IS NOT NULL OR a.status = 'failed')
ORDER BY
    CASE a.status WHEN 'failed' THEN 0 WHEN 'passed' THEN 1 ELSE 2 END,
    a.period DESC,
    a.check_id;
