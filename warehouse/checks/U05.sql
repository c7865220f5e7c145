-- U05 (error): one household, one place, one 户主: a roster 户编号 whose rows do not all name
-- the same township and village, or that has not exactly one row with 与户主关系 户主.
-- Entity: the 户编号; every row of the household fails.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM check_scope
),

members AS MATERIALIZED (
    SELECT r.period, r.file_name, r.row_number, r.household_id, r.id_number, r.relation,
        r.town_code, r.village_code
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
),

households AS (
    SELECT
        period,
        household_id,
        count(DISTINCT town_code || '|' || village_code) AS places,
        count(*) FILTER (WHERE relation = '户主') AS heads
    FROM members
    GROUP BY period, household_id
    HAVING count(DISTINCT town_code || '|' || village_code) > 1
        OR count(*) FILTER (WHERE relation = '户主') <> 1
),

places AS (  -- the places a failing household's rows name, for the detail
    SELECT
        h.period,
        h.household_id,
        string_agg(DISTINCT v.town_name || v.village_name, '、' ORDER BY v.town_name || v.village_name) AS named
    FROM households AS h
    INNER JOIN members AS mb ON h.period = mb.period AND h.household_id = mb.household_id
    INNER JOIN ref_villages AS v ON mb.village_code = v.village_code
    GROUP BY h.period, h.household_id
)

SELECT
    mb.period,
    mb.household_id AS entity_key,
    mb.id_number,
    mb.household_id,
    mb.town_code,
    mb.village_code,
    'roster' AS ledger,
    mb.file_name,
    mb.row_number,
    concat_ws(
        '；',
        CASE WHEN h.places > 1 THEN '同一户成员分属 ' || p.named END,
        CASE WHEN h.heads <> 1 THEN '户主 ' || h.heads || ' 人（应为 1 人）' END
    ) AS detail
FROM households AS h
INNER JOIN members AS mb ON h.period = mb.period AND h.household_id = mb.household_id
LEFT JOIN places AS p ON h.period = p.period AND h.household_id = p.household_id
