-- Every indicator for every month loaded (spec/interfaces.md). Rates are fractions.
CREATE OR REPLACE VIEW v_kpi AS
SELECT
    kpi_code,
    period,
    level,
    town_code,
    village_code,
    value,
    target,
    expected,
    unit,
    status
FROM kpi_values;
