-- `status`: one line per source and period, the latest offer's outcome with the standing file's counts.
SELECT
    source,
    period,
    last_file_name,
    last_status,
    rows_loaded,
    rows_quarantined,
    rows_skipped,
    last_offered_at,
    last_message
FROM v_load_status
ORDER BY source, period NULLS FIRST, last_file_name;
