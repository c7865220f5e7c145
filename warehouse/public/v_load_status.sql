-- Per source and period: the file that stands and its counts (what `status` prints).
CREATE OR REPLACE VIEW v_load_status AS
WITH latest AS (
    SELECT *
    FROM load_log
    QUALIFY row_number() OVER (PARTITION BY source, period ORDER BY load_id DESC) = 1
)
SELECT
    latest.source,
    latest.period,
    coalesce(cur.file_name, latest.file_name) AS file_name,
    latest.status AS last_status,
    latest.file_name AS last_file_name,
    latest.reason_code AS last_reason_code,
    latest.message AS last_message,
    cur_log.rows_loaded,
    cur_log.rows_quarantined,
    cur_log.rows_skipped,
    cur_log.loaded_at,
    latest.loaded_at AS last_offered_at
FROM latest
LEFT JOIN current_load AS cur ON latest.source = cur.source AND latest.period IS NOT DISTINCT FROM cur.period
LEFT JOIN load_log AS cur_log ON cur.load_id = cur_log.load_id;
