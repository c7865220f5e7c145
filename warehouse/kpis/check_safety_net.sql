-- A2-SAFETY-NET (X12): open failing persons of the month, placed by their earliest roster
-- row of the month (a person not in roster would count in the county only).
WITH failing AS (
    SELECT DISTINCT period, entity_key FROM check_failures_open WHERE check_id = 'X12'
),

roster AS (
    SELECT period, id_number, town_code, village_code
    FROM stg_roster
    QUALIFY row_number() OVER (PARTITION BY period, id_number ORDER BY row_number) = 1
)

SELECT
    f.period,
    r.town_code,
    r.village_code,
    count(*) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM failing AS f
LEFT JOIN roster AS r ON f.period = r.period AND f.entity_key = r.id_number
GROUP BY ALL
