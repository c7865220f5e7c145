-- A2-SUBSIDY-OK (X02, X03): of the month's insurance persons (身份证号, earliest row),
-- the share that are neither an open X02 nor an open X03 failure of the month.
WITH persons AS (
    SELECT period, id_number, town_code, village_code
    FROM stg_insurance
    QUALIFY row_number() OVER (PARTITION BY period, id_number ORDER BY row_number) = 1
),

failing AS (
    SELECT DISTINCT period, entity_key FROM check_failures_open WHERE check_id IN ('X02', 'X03')
)

SELECT
    p.period,
    p.town_code,
    p.village_code,
    count(*) FILTER (WHERE f.entity_key IS NULL) AS numerator,
    count(*) AS denominator
FROM persons AS p
LEFT JOIN failing AS f ON p.period = f.period AND p.id_number = f.entity_key
GROUP BY p.period, p.town_code, p.village_code
