-- X07 (error): a public_jobs post holder in post at the end of the month (上岗日期 not after
-- the month's last day, 离岗日期 empty or after it) who has no roster row that month and no
-- 在保 assistance row (of any 救助类型); or who is in post in two different posts (two
-- distinct (岗位类别, 上岗日期)) at once. Months with all three ledgers. Entity: the
-- 身份证号; failing rows: their rows in post.
WITH months AS (
    SELECT m.period, m.period_end
    FROM core_months AS m
    WHERE m.period IN (
        SELECT period FROM core_ledger_months WHERE source = 'public_jobs'
        INTERSECT
        SELECT period FROM core_ledger_months WHERE source = 'roster'
        INTERSECT
        SELECT period FROM core_ledger_months WHERE source = 'assistance'
        INTERSECT
        SELECT period FROM check_scope
    )
),

in_post AS MATERIALIZED (
    SELECT j.period, j.file_name, j.row_number, j.id_number, j.town_code, j.village_code,
        j.job_kind, j.start_date
    FROM stg_public_jobs AS j
    INNER JOIN months AS m ON j.period = m.period
    WHERE j.start_date <= m.period_end AND (j.end_date IS NULL OR j.end_date > m.period_end)
),

listed AS (
    SELECT DISTINCT r.period, r.id_number
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
),

cared AS (
    SELECT DISTINCT a.period, a.id_number
    FROM stg_assistance AS a
    INNER JOIN months AS m ON a.period = m.period
    WHERE a.assistance_status = '在保'
),

holders AS (
    SELECT
        p.period,
        p.id_number,
        count(DISTINCT p.job_kind || '|' || CAST(p.start_date AS VARCHAR)) AS posts,
        string_agg(
            DISTINCT p.job_kind || '（' || CAST(p.start_date AS VARCHAR) || ' 上岗）', '、'
            ORDER BY p.job_kind || '（' || CAST(p.start_date AS VARCHAR) || ' 上岗）'
        ) AS posts_held,
        bool_or(l.id_number IS NOT NULL) AS in_roster,
        bool_or(c.id_number IS NOT NULL) AS in_care
    FROM in_post AS p
    LEFT JOIN listed AS l ON p.period = l.period AND p.id_number = l.id_number
    LEFT JOIN cared AS c ON p.period = c.period AND p.id_number = c.id_number
    GROUP BY p.period, p.id_number
    HAVING count(DISTINCT p.job_kind || '|' || CAST(p.start_date AS VARCHAR)) > 1
        OR NOT (bool_or(l.id_number IS NOT NULL) OR bool_or(c.id_number IS NOT NULL))
)

SELECT
    p.period,
    p.id_number AS entity_key,
    p.id_number,
    NULL AS household_id,
    p.town_code,
    p.village_code,
    'public_jobs' AS ledger,
    p.file_name,
    p.row_number,
    concat_ws(
        '；',
        CASE WHEN NOT (h.in_roster OR h.in_care)
            THEN '月末在岗，防返贫监测系统花名册中没有此人，社会救助台账中也没有在保记录' END,
        CASE WHEN h.posts > 1 THEN '一人多岗：同时在岗 ' || h.posts_held END
    ) AS detail
FROM holders AS h
INNER JOIN in_post AS p ON h.period = p.period AND h.id_number = p.id_number
