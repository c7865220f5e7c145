-- The HR bureau's ledger of people in work (脱贫人口务工台账) as loaded, with its file.
CREATE OR REPLACE VIEW stg_employment AS
SELECT
    e.period,
    l.file_name,
    e.row_number,
    e.name,
    e.id_number,
    e.household_type,
    e.town_code,
    e.village_code,
    e.employment_form,
    e.work_place,
    e.employer,
    e.work_start_month,
    e.monthly_income,
    e.transport_subsidy,
    e.reported_date
FROM ledger_employment AS e
INNER JOIN load_log AS l ON e.load_id = l.load_id;
