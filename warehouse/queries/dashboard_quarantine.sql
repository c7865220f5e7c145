-- Dashboard data page: quarantined cells, as the clerk finds them (file, Excel row, column),
-- of one standing file ($file_name), or of every standing file in scope when $file_name is
-- NULL ($month, its quarter, its year; or all with $all_months). The raw cell is masked by
-- the declared field it belongs to (quarantine.field), and any ID-shaped digits elsewhere,
-- unless the viewer may see it unmasked; a 乡镇专员 sees the cells of rows in the township.
SELECT
    coalesce(s.title, c.source) AS source_title,
    c.period,
    c.file_name,
    q.row_number,
    q.column_name,
    shown_cell(q.field, q.raw_value, $unmask) AS raw_value,
    q.reason
FROM quarantine AS q
INNER JOIN current_load AS c ON q.load_id = c.load_id
LEFT JOIN source_catalog AS s ON c.source = s.source
WHERE $see_rows
    AND in_scope($scope_town, q.town_code, NULL)
    AND CASE
    WHEN $file_name IS NOT NULL THEN c.file_name = $file_name
    ELSE $all_months
        OR c.period = $month
        OR c.period = left($month, 4) || '-Q' || CAST((CAST(right($month, 2) AS INTEGER) + 2) // 3 AS VARCHAR)
        OR c.period = left($month, 4)
END
ORDER BY c.source, c.period, c.file_name, q.row_number, q.column_name;
