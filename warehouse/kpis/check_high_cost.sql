-- A2-HIGH-COST (X11): open failing persons of the month, placed by their earliest roster row
-- of the month, else by their earliest medical_claims row of the year up to the month.
WITH failing AS (
    SELECT DISTINCT period, entity_key FROM check_failures_open WHERE check_id = 'X11'
),

roster AS (
    SELECT period, id_number, town_code, village_code
    FROM stg_roster
    QUALIFY row_number() OVER (PARTITION BY period, id_number ORDER BY row_number) = 1
),

claims AS (
    SELECT f.period, c.id_number, c.town_code, c.village_code
    FROM failing AS f
    INNER JOIN stg_medical_claims AS c
        ON f.entity_key = c.id_number AND left(c.period, 4) = left(f.period, 4) AND c.period <= f.period
    QUALIFY row_number() OVER (PARTITION BY f.period, c.id_number ORDER BY c.period, c.row_number) = 1
)

SELECT
    f.period,
    coalesce(r.town_code, c.town_code) AS town_code,
    coalesce(r.village_code, c.village_code) AS village_code,
    count(*) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM failing AS f
LEFT JOIN roster AS r ON f.period = r.period AND f.entity_key = r.id_number
LEFT JOIN claims AS c ON f.period = c.period AND f.entity_key = c.id_number
GROUP BY ALL
