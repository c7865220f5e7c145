-- Dashboard meeting pack: per department, the open error-level checks on its ledgers in one
-- month ($month), each with its open failing rows. A row is the department's whose ledger it
-- is (as on the checks page's department list); a row on two ledgers is each one's.
SELECT
    d.department,
    f.check_id,
    c.title AS check_title,
    count(*) AS open_rows
FROM open_failures AS f
INNER JOIN ledger_departments AS d ON f.ledger = d.ledger
INNER JOIN check_catalog AS c ON f.check_id = c.check_id
WHERE f.period = $month AND c.severity = 'error'
GROUP BY d.department, f.check_id, c.title
ORDER BY d.department, f.check_id;
