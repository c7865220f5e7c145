-- A2-INSURED (X01): of the month's roster persons (身份证号, earliest row), the share that
-- are not an open X01 failure of the month (accepted exceptions count as covered).
WITH persons AS (
    SELECT period, id_number, town_code, village_code
    FROM stg_roster
    QUALIFY row_number() OVER (PARTITION BY period, id_number ORDER BY row_number) = 1
),

failing AS (
    SELECT DISTINCT period, entity_key FROM check_failures_open WHERE check_id = 'X01'
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
