-- Dashboard action page: what the units reporting one action's ($action) indicators wrote
-- in 备注 on the 重点指标填报表 of one month ($month) — the row each figure was taken from
-- (a unit's first row of a code, as the indicators read it): every unit's at the county
-- ($town NULL), the township's own at a township or one of its villages.
WITH towns AS (
    SELECT DISTINCT town_code, town_name FROM ref_villages
),

taken AS (
    SELECT indicator_code, town_code, reporter, remark
    FROM stg_indicators
    WHERE period = $month
    QUALIFY row_number() OVER (PARTITION BY indicator_code, town_code ORDER BY row_number) = 1
)

SELECT
    p.name AS kpi_name,
    r.indicator_code AS kpi_code,
    coalesce(t.town_name, '全县') AS town_name,
    r.reporter,
    r.remark
FROM taken AS r
INNER JOIN plan_kpi AS p
    ON r.indicator_code = p.kpi_code AND p.plan_year = CAST(left($month, 4) AS INTEGER)
LEFT JOIN towns AS t ON r.town_code = t.town_code
WHERE ($action IS NULL OR p.action = $action)
    AND nullif(trim(r.remark), '') IS NOT NULL
    AND ($town IS NULL OR r.town_code = $town)
ORDER BY r.indicator_code, length(r.town_code), r.town_code;
