-- Dashboard overview, villages: one indicator ($kpi) in one month ($month), per village of
-- one township ($town).
SELECT
    k.village_code,
    v.village_name,
    k.value,
    k.target,
    k.expected,
    k.status
FROM v_kpi AS k
INNER JOIN ref_villages AS v ON k.village_code = v.village_code
WHERE k.kpi_code = $kpi
    AND k.period = $month
    AND k.level = 'village'
    AND k.town_code = $town
ORDER BY k.village_code;
