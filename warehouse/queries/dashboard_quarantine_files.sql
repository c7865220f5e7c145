-- Dashboard data and checks pages: the standing files ($month's, its quarter's, its year's;
-- or every file when $all_months) that have quarantined cells, to choose one from (the
-- checks page lists a department's, each with its download for the clerk who sent it).
SELECT
    c.file_name,
    coalesce(s.title, c.source) AS source_title,
    s.department,
    c.period,
    count(DISTINCT q.row_number) AS bad_rows,
    count(*) AS bad_cells
FROM current_load AS c
INNER JOIN quarantine AS q ON c.load_id = q.load_id
LEFT JOIN source_catalog AS s ON c.source = s.source
WHERE $all_months
    OR c.period = $month
    OR c.period = left($month, 4) || '-Q' || CAST((CAST(right($month, 2) AS INTEGER) + 2) // 3 AS VARCHAR)
    OR c.period = left($month, 4)
GROUP BY c.file_name, c.source, s.title, s.department, c.period
ORDER BY c.source, c.period, c.file_name;
