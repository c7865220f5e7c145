-- A6-RELOC-EMPLOY (X08): of the month's relocated roster households with labour (a row of
-- 是否易地搬迁 是 and a row of 劳动能力 有劳动能力; placed by the earliest row), the share
-- that are not an open X08 failure of the month.
WITH households AS (
    SELECT
        period,
        household_id,
        arg_min(town_code, row_number) AS town_code,
        arg_min(village_code, row_number) AS village_code
    FROM stg_roster
    GROUP BY period, household_id
    HAVING bool_or(relocated) AND bool_or(labour_ability = '有劳动能力')
),

failing AS (
    SELECT DISTINCT period, entity_key FROM check_failures_open WHERE check_id = 'X08'
)

SELECT
    h.period,
    h.town_code,
    h.village_code,
    count(*) FILTER (WHERE f.entity_key IS NULL) AS numerator,
    count(*) AS denominator
FROM households AS h
LEFT JOIN failing AS f ON h.period = f.period AND h.household_id = f.entity_key
GROUP BY h.period, h.town_code, h.village_code
