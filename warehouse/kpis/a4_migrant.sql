-- A4-MIGRANT: 脱贫劳动力 in work — distinct persons in the month's `employment` ledger,
-- each in the village of their earliest row.
WITH persons AS (
    SELECT
        period,
        arg_min(town_code, row_number) AS town_code,
        arg_min(village_code, row_number) AS village_code
    FROM stg_employment
    GROUP BY period, id_number
)

SELECT
    period,
    town_code,
    village_code,
    count(*) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM persons
GROUP BY period, town_code, village_code
