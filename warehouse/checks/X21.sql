-- X21 (error): a 身份证号 on roster rows of two different 户编号, or of two different
-- townships, in the same month. Failing rows: all its roster rows.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM check_scope
),

rows_of AS MATERIALIZED (
    SELECT r.period, r.file_name, r.row_number, r.id_number, r.household_id, r.town_code,
        r.village_code
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
),

repeated AS (
    SELECT
        period,
        id_number,
        count(DISTINCT household_id) AS households,
        count(DISTINCT town_code) AS towns,
        string_agg(DISTINCT household_id, '、' ORDER BY household_id) AS households_named
    FROM rows_of
    GROUP BY period, id_number
    HAVING count(DISTINCT household_id) > 1 OR count(DISTINCT town_code) > 1
),

town_names AS (
    SELECT r.period, r.id_number, string_agg(DISTINCT t.town_name, '、' ORDER BY t.town_name) AS towns_named
    FROM repeated AS r
    INNER JOIN rows_of AS ro ON r.period = ro.period AND r.id_number = ro.id_number
    INNER JOIN (SELECT DISTINCT town_code, town_name FROM ref_villages) AS t
        ON ro.town_code = t.town_code
    GROUP BY r.period, r.id_number
)

SELECT
    ro.period,
    ro.id_number AS entity_key,
    ro.id_number,
    ro.household_id,
    ro.town_code,
    ro.village_code,
    'roster' AS ledger,
    ro.file_name,
    ro.row_number,
    concat_ws(
        '；',
        CASE WHEN r.households > 1 THEN '同一人在 ' || r.households || ' 个户编号下：' || r.households_named END,
        CASE WHEN r.towns > 1 THEN '同一人在 ' || r.towns || ' 个镇（街道）：' || tn.towns_named END
    ) AS detail
FROM repeated AS r
INNER JOIN rows_of AS ro ON r.period = ro.period AND r.id_number = ro.id_number
LEFT JOIN town_names AS tn ON r.period = tn.period AND r.id_number = tn.id_number
