-- A2-WATER-MONTHLY: active testing points of the year's water_points (是否启用 on the point's
-- earliest row) with at least one 21项常规检测 row in the month's water_tests, in the
-- point's village.
WITH points AS (
    SELECT period AS points_period, point_id, town_code, village_code, active
    FROM stg_water_points
    QUALIFY row_number() OVER (PARTITION BY period, point_id ORDER BY row_number) = 1
),

served AS (
    SELECT period, ledger_period FROM core_ledger_months WHERE source = 'water_points'
),

tested AS (
    SELECT DISTINCT period, point_id FROM stg_water_tests WHERE test_kind = '21项常规检测'
)

SELECT
    s.period,
    p.town_code,
    p.village_code,
    count(t.point_id) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM served AS s
INNER JOIN points AS p ON s.ledger_period = p.points_period AND p.active
LEFT JOIN tested AS t ON s.period = t.period AND p.point_id = t.point_id
GROUP BY s.period, p.town_code, p.village_code
