-- Every rejected cell of the latest load of each (source, period) (spec/interfaces.md).
CREATE OR REPLACE VIEW v_quarantine AS
SELECT
    c.source,
    c.period,
    c.file_name,
    q.row_number,
    q.column_name,
    q.raw_value,
    q.reason_code,
    q.reason
FROM quarantine AS q
INNER JOIN current_load AS c ON q.load_id = c.load_id;
