-- The public-welfare jobs ledger (乡村公益性岗位台账) as loaded, with its file.
CREATE OR REPLACE VIEW stg_public_jobs AS
SELECT
    p.period,
    l.file_name,
    p.row_number,
    p.name,
    p.id_number,
    p.town_code,
    p.village_code,
    p.job_kind,
    p.department,
    p.person_category,
    p.start_date,
    p.end_date,
    p.monthly_allowance
FROM ledger_public_jobs AS p
INNER JOIN load_log AS l ON p.load_id = l.load_id;
