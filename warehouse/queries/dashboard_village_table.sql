-- Dashboard overview, the village table people read and download: one indicator ($kpi),
-- one month ($month), the villages of one township ($town).
SELECT
    t.town_name,
    v.village_name,
    k.village_code,
    k.value,
    k.target,
    k.expected,
    k.status AS kpi_status
FROM v_kpi AS k
INNER JOIN ref_villages AS v ON k.village_code = v.village_code
INNER JOIN (SELECT DISTINCT town_code, town_name FROM ref_villages) AS t ON k.town_code = t.town_code
WHERE k.kpi_code = $kpi
    AND k.period = $month
    AND k.level = 'village'
    AND k.town_code = $town
ORDER BY k.village_code;
