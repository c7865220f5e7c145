-- A4-TRAINED: 脱贫劳动力 trained — distinct persons with 是否结业 = 是 in the year's
-- months loaded up to this one, each in the village of their earliest such row.
WITH trained AS (
    SELECT
        id_number,
        left(period, 4) AS plan_year,
        min(period) AS first_period,
        arg_min(town_code, period || lpad(CAST(row_number AS VARCHAR), 12, '0')) AS town_code,
        arg_min(village_code, period || lpad(CAST(row_number AS VARCHAR), 12, '0')) AS village_code
    FROM stg_training
    WHERE completed
    GROUP BY id_number, left(period, 4)
)

SELECT
    m.period,
    t.town_code,
    t.village_code,
    count(*) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM core_months AS m
INNER JOIN trained AS t ON left(m.period, 4) = t.plan_year AND t.first_period <= m.period
GROUP BY m.period, t.town_code, t.village_code
