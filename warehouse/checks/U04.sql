-- U04 (error): conditional fields. A roster row of 户类型 监测户 lacking 监测对象类别 or any of
-- the three dates (风险发现, 识别认定, 系统录入), or of 风险消除状态 已消除 lacking 风险消除日期;
-- a water_tests row of 不合格 naming no 不合格指标; a projects row 已完工 with no 完工日期, or
-- 在建 with no 开工日期. Entity: the 身份证号, the 检测点编号, the 项目编号.
WITH months AS (
    SELECT DISTINCT period
    FROM core_ledger_months
    WHERE source IN ('roster', 'water_tests', 'projects')
    INTERSECT
    SELECT period FROM check_scope
),

points AS (  -- where a tested point is: the year's list, its first row
    SELECT
        lm.period,
        w.point_id,
        min_by(w.town_code, w.row_number) AS town_code,
        min_by(w.village_code, w.row_number) AS village_code
    FROM stg_water_points AS w
    INNER JOIN core_ledger_months AS lm
        ON lm.source = 'water_points' AND w.period = lm.ledger_period
    INNER JOIN months AS m ON lm.period = m.period
    GROUP BY lm.period, w.point_id
),

failing AS (
    SELECT
        'roster' AS ledger, r.period, r.file_name, r.row_number,
        r.id_number AS entity_key, r.id_number, r.household_id, r.town_code, r.village_code,
        concat_ws(
            '；',
            CASE WHEN r.household_type = '监测户' THEN
                '监测户缺少' || nullif(concat_ws(
                    '、',
                    CASE WHEN r.monitor_category IS NULL THEN '监测对象类别' END,
                    CASE WHEN r.risk_found_date IS NULL THEN '风险发现日期' END,
                    CASE WHEN r.identified_date IS NULL THEN '识别认定日期' END,
                    CASE WHEN r.entered_date IS NULL THEN '系统录入日期' END
                ), '')
            END,
            CASE WHEN r.risk_status = '已消除' AND r.risk_cleared_date IS NULL
                THEN '风险消除状态为已消除，缺少风险消除日期' END
        ) AS detail
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
    WHERE (
        r.household_type = '监测户'
        AND (
            r.monitor_category IS NULL
            OR r.risk_found_date IS NULL
            OR r.identified_date IS NULL
            OR r.entered_date IS NULL
        )
    )
    OR (r.risk_status = '已消除' AND r.risk_cleared_date IS NULL)

    UNION ALL

    SELECT
        'water_tests', t.period, t.file_name, t.row_number,
        t.point_id, NULL, NULL, pt.town_code, pt.village_code,
        t.test_kind || '（' || CAST(t.tested_date AS VARCHAR) || '）检测结果为不合格，未填写不合格指标'
    FROM stg_water_tests AS t
    INNER JOIN months AS m ON t.period = m.period
    LEFT JOIN points AS pt ON t.period = pt.period AND t.point_id = pt.point_id
    WHERE t.result = '不合格' AND t.failed_items IS NULL

    UNION ALL

    SELECT
        'projects', p.period, p.file_name, p.row_number,
        p.project_id, NULL, NULL, p.town_code, p.village_code,
        CASE WHEN p.status = '已完工'
            THEN '项目状态为已完工，缺少完工日期'
            ELSE '项目状态为在建，缺少开工日期'
        END
    FROM stg_projects AS p
    INNER JOIN months AS m ON p.period = m.period
    WHERE (p.status = '已完工' AND p.finished_date IS NULL)
        OR (p.status = '在建' AND p.started_date IS NULL)
)

SELECT
    period,
    entity_key,
    id_number,
    household_id,
    town_code,
    village_code,
    ledger,
    file_name,
    row_number,
    detail
FROM failing
