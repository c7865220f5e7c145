-- Dashboard overview, the township table people read and download: one indicator ($kpi) in
-- one month ($month), per township.
WITH towns AS (
    SELECT DISTINCT town_code, town_name FROM ref_villages
)

SELECT
    t.town_name,
    k.town_code,
    k.value,
    k.target,
    k.expected,
    k.status AS kpi_status
FROM v_kpi AS k
INNER JOIN towns AS t ON k.town_code = t.town_code
WHERE k.kpi_code = $kpi
    AND k.period = $month
    AND k.level = 'town'
ORDER BY k.town_code;
