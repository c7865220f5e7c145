-- The monitoring system's roster (防返贫监测对象和脱贫人口信息表) as loaded, with its file.
CREATE OR REPLACE VIEW stg_roster AS
SELECT
    r.period,
    l.file_name,
    r.row_number,
    -- household and person
    r.household_id,
    r.name,
    r.id_number,
    r.relation,
    r.household_type,
    -- place
    r.town_code,
    r.village_code,
    -- monitoring
    r.monitor_category,
    r.risk_type,
    r.risk_found_date,
    r.identified_date,
    r.entered_date,
    r.risk_status,
    r.risk_cleared_date,
    -- labour and income
    r.labour_ability,
    r.relocated,
    coalesce(r.work_status, '未务工') AS work_status,  -- empty means 未务工 (contract)
    r.last_year_income_per_capita
FROM ledger_roster AS r
INNER JOIN load_log AS l ON r.load_id = l.load_id;
