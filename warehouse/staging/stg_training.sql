-- The HR bureau's training ledger (脱贫劳动力技能培训台账): classes finished in the month.
CREATE OR REPLACE VIEW stg_training AS
SELECT
    t.period,
    l.file_name,
    t.row_number,
    t.name,
    t.id_number,
    t.household_type,
    t.town_code,
    t.village_code,
    t.programme,
    t.trade,
    t.mode,
    t.start_date,
    t.end_date,
    t.completed,
    t.certified
FROM ledger_training AS t
INNER JOIN load_log AS l ON t.load_id = l.load_id;
