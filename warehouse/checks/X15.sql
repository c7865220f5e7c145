-- X15 (error): from the month of the first A7-SPEND milestone on (check_milestones of the
-- month's plan year; a step, not interpolated), a projects row whose 累计支出 ÷ 衔接资金 is below
-- the latest milestone whose month has come. A project with no (or zero) 衔接资金 is not
-- judged; before the first milestone every project passes. Entity: the 项目编号.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'projects'
    INTERSECT
    SELECT period FROM check_scope
),

milestone AS (  -- per month, the latest milestone whose month has come
    SELECT
        m.period,
        max_by(ms.from_period, ms.from_period) AS from_period,
        CAST(max_by(ms.share, ms.from_period) AS DECIMAL(9, 4)) AS share
    FROM months AS m
    INNER JOIN check_milestones AS ms
        ON ms.plan_year = CAST(left(m.period, 4) AS INTEGER) AND ms.from_period <= m.period
    GROUP BY m.period
)

SELECT
    p.period,
    p.project_id AS entity_key,
    NULL AS id_number,
    NULL AS household_id,
    p.town_code,
    p.village_code,
    'projects' AS ledger,
    p.file_name,
    p.row_number,
    '支出进度 ' || CAST(round(100 * p.spent / nullif(p.funds, 0), 1) AS VARCHAR) || '%（累计支出 '
    || regexp_replace(CAST(p.spent AS VARCHAR), '\.?0+$', '') || ' 万元 ÷ 衔接资金 '
    || regexp_replace(CAST(p.funds AS VARCHAR), '\.?0+$', '') || ' 万元），低于 '
    || ms.from_period || ' 起的支出进度节点 '
    || regexp_replace(CAST(100 * ms.share AS VARCHAR), '\.?0+$', '') || '%，差 '
    || CAST(round(100 * ms.share - 100 * p.spent / nullif(p.funds, 0), 1) AS VARCHAR) || ' 个百分点（'
    || regexp_replace(CAST(round(ms.share * p.funds - p.spent, 4) AS VARCHAR), '\.?0+$', '') || ' 万元）' AS detail
FROM stg_projects AS p
INNER JOIN months AS m ON p.period = m.period
INNER JOIN milestone AS ms ON p.period = ms.period
WHERE p.funds <> 0 AND p.spent < ms.share * p.funds
