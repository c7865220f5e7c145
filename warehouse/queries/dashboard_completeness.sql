-- Dashboard leaders' page: the month's data completeness ($month) — each monthly ledger
-- with no standing file for the month, and each file of the month whose latest offer was
-- rejected, with the department that sends it and why.
WITH monthly AS (
    SELECT source, title, department FROM source_catalog WHERE frequency = 'monthly'
)

SELECT
    m.department,
    m.title AS source_title,
    CASE WHEN s.last_status = 'rejected' THEN 'rejected' ELSE 'missing' END AS problem,
    s.last_reason_code AS reason_code,
    s.last_message AS message
FROM monthly AS m
LEFT JOIN v_load_status AS s ON m.source = s.source AND s.period = $month
WHERE s.source IS NULL OR s.rows_loaded IS NULL OR s.last_status = 'rejected'
ORDER BY m.department, m.title;
