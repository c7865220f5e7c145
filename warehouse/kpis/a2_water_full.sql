-- A2-WATER-FULL32 / -FULL46 ($points = 'all'): distinct (检测点编号, 检测日期) of 检测类别
-- $test_kind on active points, in the year's water_tests months up to this one.
-- A2-WATER-SELF ($points = 'self'): distinct active 自备水源工程 points with at least one.
WITH points AS (
    SELECT period AS points_period, point_id, town_code, village_code, active, scheme_type
    FROM stg_water_points
    QUALIFY row_number() OVER (PARTITION BY period, point_id ORDER BY row_number) = 1
),

served AS (
    SELECT period, ledger_period FROM core_ledger_months WHERE source = 'water_points'
),

tests AS (
    SELECT DISTINCT period, point_id, tested_date FROM stg_water_tests WHERE test_kind = $test_kind
)

SELECT
    s.period,
    p.town_code,
    p.village_code,
    CASE
        WHEN $points = 'self' THEN count(DISTINCT t.point_id)
        ELSE count(DISTINCT t.point_id || '|' || CAST(t.tested_date AS VARCHAR))
    END AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM served AS s
INNER JOIN points AS p
    ON s.ledger_period = p.points_period
    AND p.active
    AND ($points = 'all' OR p.scheme_type = '自备水源工程')
INNER JOIN tests AS t
    ON p.point_id = t.point_id AND left(t.period, 4) = left(s.period, 4) AND t.period <= s.period
GROUP BY s.period, p.town_code, p.village_code
