-- X17 (error): the door-to-door drinking-water survey's rounds (check_survey_rounds of the
-- month's plan year). From a round's month on, a village of the gazetteer with no
-- water_survey row of that 排查批次 in the files of the months up to this one (a village
-- surveyed late, in a later month's file, counts from that month on). Months before the
-- year's first round are not evaluated; a month with no water_survey file is evaluated once
-- it has ended (the catalog's completeness). Entity: the village code; one row per village,
-- with no file row.
WITH rounds AS (
    SELECT CAST(plan_year AS VARCHAR) AS year, round
    FROM check_survey_rounds
),

firsts AS (
    SELECT year, min(round) AS first_round FROM rounds GROUP BY year
),

months AS (
    SELECT m.period
    FROM core_months AS m
    CROSS JOIN check_clock AS c
    LEFT JOIN firsts AS f ON left(m.period, 4) = f.year
    WHERE m.period IN (SELECT period FROM check_scope)
        AND m.period >= coalesce(f.first_round, m.period)
        AND (
            m.period IN (SELECT period FROM core_ledger_months WHERE source = 'water_survey')
            OR m.period_end < c.today
        )
),

due AS (  -- per month, the rounds whose month has come
    SELECT m.period, r.round
    FROM months AS m
    INNER JOIN rounds AS r ON r.year = left(m.period, 4) AND r.round <= m.period
),

surveyed AS (  -- per month and round, the villages with a row of it in a file up to then
    SELECT DISTINCT d.period, d.round, w.village_code
    FROM due AS d
    INNER JOIN stg_water_survey AS w ON w.survey_round = d.round AND w.period <= d.period
),

missing AS (
    SELECT d.period, v.village_code, v.town_code, v.town_name, v.village_name, d.round
    FROM due AS d
    CROSS JOIN ref_villages AS v
    LEFT JOIN surveyed AS s
        ON d.period = s.period AND d.round = s.round AND v.village_code = s.village_code
    WHERE s.village_code IS NULL
)

SELECT
    period,
    village_code AS entity_key,
    NULL AS id_number,
    NULL AS household_id,
    town_code,
    village_code,
    'water_survey' AS ledger,
    NULL AS file_name,
    NULL AS row_number,
    town_name || village_name || '：饮水安全敲门入户排查台账中没有 '
    || string_agg(left(round, 4) || '年' || CAST(CAST(right(round, 2) AS INTEGER) AS VARCHAR) || '月', '、' ORDER BY round)
    || ' 批次的排查记录' AS detail
FROM missing
GROUP BY period, village_code, town_code, town_name, village_name
