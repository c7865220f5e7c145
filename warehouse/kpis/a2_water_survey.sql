-- A2-WATER-SURVEY-APR / -OCT: villages with a row of the round 排查批次 <year>-$round_month
-- in any water_survey file of the year up to the month.
SELECT
    m.period,
    s.town_code,
    s.village_code,
    count(DISTINCT s.village_code) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM core_months AS m
INNER JOIN stg_water_survey AS s
    ON left(s.period, 4) = left(m.period, 4)
    AND s.period <= m.period
    AND s.survey_round = left(m.period, 4) || '-' || $round_month
GROUP BY m.period, s.town_code, s.village_code
