-- Dashboard overview, trend: one indicator ($kpi) at one place ($level, $town, $village),
-- month by month, with its target and expected value (NULL where the place has none).
SELECT
    period,
    value,
    target,
    expected,
    status
FROM v_kpi
WHERE kpi_code = $kpi
    AND level = $level
    AND town_code IS NOT DISTINCT FROM $town
    AND village_code IS NOT DISTINCT FROM $village
ORDER BY period;
