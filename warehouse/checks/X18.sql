-- X18 (error): every evaluated month, a township of the gazetteer with no housing_monitor
-- row (a household or its nil report) in the month's file — every township when the month
-- has no file, once the month has ended (before that it is not evaluated: the catalog's
-- completeness). Entity: the township code; one row per township, with no file row.
WITH months AS (
    SELECT m.period
    FROM core_months AS m
    CROSS JOIN check_clock AS c
    WHERE m.period IN (SELECT period FROM check_scope)
        AND (
            m.period IN (SELECT period FROM core_ledger_months WHERE source = 'housing_monitor')
            OR m.period_end < c.today
        )
),

towns AS (
    SELECT DISTINCT town_code, town_name FROM ref_villages
),

reported AS (
    SELECT DISTINCT h.period, h.town_code
    FROM stg_housing_monitor AS h
    INNER JOIN months AS m ON h.period = m.period
),

sent AS (
    SELECT period FROM core_ledger_months WHERE source = 'housing_monitor'
)

SELECT
    m.period,
    t.town_code AS entity_key,
    NULL AS id_number,
    NULL AS household_id,
    t.town_code,
    NULL AS village_code,
    'housing_monitor' AS ledger,
    NULL AS file_name,
    NULL AS row_number,
    CASE WHEN m.period IN (SELECT period FROM sent)
        THEN t.town_name || '：本月住房安全动态监测表中没有本镇（街道）的记录（无监测对象也应报“无”）'
        ELSE t.town_name || '：本月未报送住房安全动态监测表'
    END AS detail
FROM months AS m
CROSS JOIN towns AS t
LEFT JOIN reported AS r ON m.period = r.period AND t.town_code = r.town_code
WHERE r.town_code IS NULL
