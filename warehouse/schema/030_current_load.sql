-- The load whose rows stand for each (source, period): the latest one that loaded.
CREATE OR REPLACE VIEW current_load AS
SELECT source, period, load_id, file_name, sha256
FROM load_log
WHERE status = 'loaded'
QUALIFY row_number() OVER (PARTITION BY source, period ORDER BY load_id DESC) = 1;
