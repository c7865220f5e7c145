-- Dashboard checks page: per department, the open failing rows it must correct — in one
-- month ($month), or in every month when $month is NULL — by severity, with how many checks
-- and months they come from. A row is the department's whose ledger it is
-- (source_catalog.department); a row on two ledgers (a village's count in two ledgers) is
-- each one's. Every department of the catalog is listed, those with nothing to do too.
WITH owed AS (
    SELECT
        d.department,
        f.check_id,
        f.period,
        f.entity_key,
        c.severity
    FROM open_failures AS f
    INNER JOIN ledger_departments AS d ON f.ledger = d.ledger
    INNER JOIN check_catalog AS c ON f.check_id = c.check_id
    WHERE $month IS NULL OR f.period = $month
),

departments AS (
    SELECT department FROM source_catalog
    UNION
    SELECT department FROM owed
)

SELECT
    d.department,
    count(o.check_id) AS open_rows,
    count(o.check_id) FILTER (WHERE o.severity = 'error') AS error_rows,
    count(o.check_id) FILTER (WHERE o.severity = 'warning') AS warning_rows,
    count(DISTINCT o.check_id) AS checks,
    count(DISTINCT o.period) AS months,
    max(o.period) AS latest_period
FROM departments AS d
LEFT JOIN owed AS o ON d.department = o.department
GROUP BY d.department
ORDER BY open_rows DESC, d.department;
