-- Dashboard overview, townships: one indicator ($kpi) in one month ($month), per township.
WITH towns AS (
    SELECT DISTINCT town_code, town_name FROM ref_villages
)

SELECT
    k.town_code,
    t.town_name,
    k.value,
    k.target,
    k.expected,
    k.status
FROM v_kpi AS k
INNER JOIN towns AS t ON k.town_code = t.town_code
WHERE k.kpi_code = $kpi
    AND k.period = $month
    AND k.level = 'town'
ORDER BY k.town_code;
