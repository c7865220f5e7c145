-- Every failing ledger row behind v_check_results (spec/interfaces.md); an accepted
-- exception removes its rows.
CREATE OR REPLACE VIEW v_check_failures AS
SELECT
    f.check_id,
    f.period,
    f.entity_key,
    f.id_number,
    f.household_id,
    f.town_code,
    f.village_code,
    f.ledger,
    f.file_name,
    f.row_number,
    f.detail
FROM check_failures AS f
WHERE NOT EXISTS (
    SELECT 1
    FROM check_exceptions AS x
    WHERE x.check_id = f.check_id
        AND x.entity_key = f.entity_key
        AND (x.period IS NULL OR x.period = f.period)
);
