-- Every failing row behind v_check_results (spec/interfaces.md); an accepted exception
-- removes its rows.
CREATE OR REPLACE VIEW v_check_failures AS
SELECT
    check_id,
    period,
    entity_key,
    id_number,
    household_id,
    town_code,
    village_code,
    ledger,
    file_name,
    row_number,
    detail
FROM check_failures_open;
