-- Year-end forecasts, one row per (indicator, as-of month, level, place): where the value
-- will stand on the indicator's due date, the 80 % interval and the outlook against the
-- target (warehouse/marts/kpi_forecasts.sql; method in docs/contract-readings.md).
CREATE OR REPLACE VIEW v_kpi_forecast AS
SELECT
    kpi_code,
    period,
    level,
    town_code,
    village_code,
    due_period,
    months_ahead,
    value,
    forecast,
    low,
    high,
    target,
    outlook,
    method
FROM kpi_forecasts;
