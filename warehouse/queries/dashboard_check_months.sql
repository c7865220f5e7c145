-- Dashboard checks page: every check's result in every month, on the journal overlay —
-- for the table of checks by month and the trend of open failing entities by severity.
SELECT
    r.check_id,
    c.title AS check_title,
    r.severity,
    r.period,
    r.status AS check_status,
    r.failing_rows,
    r.accepted_rows
FROM open_results AS r
INNER JOIN check_catalog AS c ON r.check_id = c.check_id
ORDER BY r.check_id, r.period;
