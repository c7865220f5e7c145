-- One row per file ever offered (spec/interfaces.md).
CREATE OR REPLACE VIEW v_load_log AS
SELECT
    source,
    period,
    file_name,
    sha256,
    status,
    reason_code,
    rows_read,
    rows_loaded,
    rows_quarantined,
    rows_skipped,
    message,
    loaded_at
FROM load_log;
