-- U06 (error): references resolve: a water_tests row whose 检测点编号 is not a point (active or
-- not) of the year's water_points. Months where both ledgers have data. Entity: that
-- 检测点编号.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'water_tests'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'water_points'
    INTERSECT
    SELECT period FROM check_scope
),

points AS (
    SELECT DISTINCT lm.period, w.point_id
    FROM stg_water_points AS w
    INNER JOIN core_ledger_months AS lm
        ON lm.source = 'water_points' AND w.period = lm.ledger_period
    INNER JOIN months AS m ON lm.period = m.period
)

SELECT
    t.period,
    t.point_id AS entity_key,
    NULL AS id_number,
    NULL AS household_id,
    NULL AS town_code,
    NULL AS village_code,
    'water_tests' AS ledger,
    t.file_name,
    t.row_number,
    '检测点编号 ' || t.point_id || ' 不在本年度水质检测点名录中' AS detail
FROM stg_water_tests AS t
INNER JOIN months AS m ON t.period = m.period
LEFT JOIN points AS p ON t.period = p.period AND t.point_id = p.point_id
WHERE p.point_id IS NULL
