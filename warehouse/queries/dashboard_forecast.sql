-- Dashboard overview, trend: the year-end forecast of one indicator ($kpi) made as of the
-- chosen month ($month) at one place ($level, $town, $village) — none when the indicator
-- has no due date, the month is past it, or the place had no value that month.
SELECT
    period,
    due_period,
    months_ahead,
    value,
    forecast,
    low,
    high,
    target,
    outlook,
    method
FROM v_kpi_forecast
WHERE kpi_code = $kpi
    AND period = $month
    AND level = $level
    AND town_code IS NOT DISTINCT FROM $town
    AND village_code IS NOT DISTINCT FROM $village;
