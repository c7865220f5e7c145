-- X16 (error): every month once the year's water_points is loaded: an active point
-- (是否启用 是) with no 21项常规检测 row in the month's water_tests — every active point when
-- the month has no water_tests file, once the month has ended (before that the month is
-- not evaluated: the catalog's completeness). In December also an active point with fewer
-- than two 32项全分析 or fewer than two 46项全分析 rows in the year's loaded months.
-- Entity: the 检测点编号; a failing row per point, on its row of the points list.
WITH months AS (
    SELECT m.period
    FROM core_months AS m
    CROSS JOIN check_clock AS c
    WHERE m.period IN (
        SELECT period FROM core_ledger_months WHERE source = 'water_points'
        INTERSECT
        SELECT period FROM check_scope
    )
    AND (
        m.period IN (SELECT period FROM core_ledger_months WHERE source = 'water_tests')
        OR m.period_end < c.today
    )
),

points AS MATERIALIZED (  -- the active points each month sees, on their first active row
    SELECT
        m.period,
        w.point_id,
        min_by(w.file_name, w.row_number) AS file_name,
        min(w.row_number) AS row_number,
        min_by(w.town_code, w.row_number) AS town_code,
        min_by(w.village_code, w.row_number) AS village_code
    FROM stg_water_points AS w
    INNER JOIN core_ledger_months AS lm
        ON lm.source = 'water_points' AND w.period = lm.ledger_period
    INNER JOIN months AS m ON lm.period = m.period
    WHERE w.active
    GROUP BY m.period, w.point_id
),

routine AS (
    SELECT DISTINCT t.period, t.point_id
    FROM stg_water_tests AS t
    INNER JOIN months AS m ON t.period = m.period
    WHERE t.test_kind = '21项常规检测'
),

analyses AS (  -- December: each point's full analyses in the year's loaded months
    SELECT
        m.period,
        t.point_id,
        count(*) FILTER (WHERE t.test_kind = '32项全分析') AS full32,
        count(*) FILTER (WHERE t.test_kind = '46项全分析') AS full46
    FROM months AS m
    INNER JOIN stg_water_tests AS t
        ON left(t.period, 4) = left(m.period, 4) AND t.period <= m.period
    WHERE right(m.period, 2) = '12' AND t.test_kind IN ('32项全分析', '46项全分析')
    GROUP BY m.period, t.point_id
),

judged AS (
    SELECT
        p.*,
        r.point_id IS NULL AS no_routine,
        right(p.period, 2) = '12'
        AND (coalesce(a.full32, 0) < 2 OR coalesce(a.full46, 0) < 2) AS short_of_analyses,
        coalesce(a.full32, 0) AS full32,
        coalesce(a.full46, 0) AS full46
    FROM points AS p
    LEFT JOIN routine AS r ON p.period = r.period AND p.point_id = r.point_id
    LEFT JOIN analyses AS a ON p.period = a.period AND p.point_id = a.point_id
)

SELECT
    period,
    point_id AS entity_key,
    NULL AS id_number,
    NULL AS household_id,
    town_code,
    village_code,
    'water_points' AS ledger,
    file_name,
    row_number,
    concat_ws(
        '；',
        CASE WHEN no_routine THEN '启用的检测点，本月水质检测台账中没有21项常规检测' END,
        CASE WHEN short_of_analyses THEN
            '全年32项全分析 ' || full32 || ' 次、46项全分析 ' || full46 || ' 次（各应至少 2 次）'
        END
    ) AS detail
FROM judged
WHERE no_routine OR short_of_analyses
