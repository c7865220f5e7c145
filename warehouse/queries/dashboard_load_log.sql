-- Dashboard data page, the load log: every file offered for the month ($month) — its own
-- month, its quarter, its year — and every file rejected before a period could be read; or
-- every file ($all_months). Messages pass through mask_cell: a clerk's text may quote an ID.
SELECT
    coalesce(s.title, l.source) AS source_title,
    s.department,
    l.period,
    l.file_name,
    l.status AS load_status,
    l.reason_code AS reject_reason,
    l.rows_read,
    l.rows_loaded,
    l.rows_quarantined,
    l.rows_skipped,
    mask_cell(NULL, l.message) AS message,
    l.loaded_at,
    l.sha256
FROM v_load_log AS l
LEFT JOIN source_catalog AS s ON l.source = s.source
WHERE $all_months
    OR l.period IS NULL
    OR l.period = $month
    OR l.period = left($month, 4) || '-Q' || CAST((CAST(right($month, 2) AS INTEGER) + 2) // 3 AS VARCHAR)
    OR l.period = left($month, 4)
ORDER BY l.loaded_at DESC, l.source, l.period, l.file_name;
