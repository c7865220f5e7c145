-- X09 (error): a housing_renovation row (its 户主's 身份证号) whose 鉴定等级 is not 无房户 and
-- who has no housing_monitor row that month graded C级 or D级; or who has no roster row
-- and no 在保 assistance row of 低保 or 特困供养. Months with all four ledgers. Entity: the
-- 户主's 身份证号; a failing row per renovation row.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'housing_renovation'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'housing_monitor'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'assistance'
    INTERSECT
    SELECT period FROM check_scope
),

graded AS (  -- each monitored household's grades of the month
    SELECT
        h.period,
        h.id_number,
        bool_or(h.safety_grade IN ('C级', 'D级')) AS severe,
        string_agg(DISTINCT h.safety_grade, '、' ORDER BY h.safety_grade) AS grades
    FROM stg_housing_monitor AS h
    INNER JOIN months AS m ON h.period = m.period
    WHERE h.id_number IS NOT NULL
    GROUP BY h.period, h.id_number
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
    WHERE a.assistance_status = '在保' AND a.assistance_type IN ('低保', '特困供养')
),

judged AS (
    SELECT
        h.*,
        h.grade <> '无房户' AND NOT coalesce(g.severe, FALSE) AS ungraded,
        l.id_number IS NULL AND c.id_number IS NULL AS unlisted,
        g.grades
    FROM stg_housing_renovation AS h
    INNER JOIN months AS m ON h.period = m.period
    LEFT JOIN graded AS g ON h.period = g.period AND h.id_number = g.id_number
    LEFT JOIN listed AS l ON h.period = l.period AND h.id_number = l.id_number
    LEFT JOIN cared AS c ON h.period = c.period AND h.id_number = c.id_number
)

SELECT
    period,
    id_number AS entity_key,
    id_number,
    NULL AS household_id,
    town_code,
    village_code,
    'housing_renovation' AS ledger,
    file_name,
    row_number,
    concat_ws(
        '；',
        CASE WHEN ungraded THEN
            '危房改造鉴定等级 ' || grade || '，住房安全动态监测表'
            || coalesce('安全等级为 ' || grades, '中没有此户') || '（应为C级或D级）'
        END,
        CASE WHEN unlisted
            THEN '户主不在防返贫监测系统花名册中，社会救助台账中也没有在保的低保、特困供养' END
    ) AS detail
FROM judged
WHERE ungraded OR unlisted
