-- A2-HOUSING-REPORT (X18): each township counts 1 in a month when it is not an open X18
-- failure of that month (its own part: no village); the county is their sum.
WITH towns AS (
    SELECT DISTINCT town_code FROM ref_villages
),

failing AS (
    SELECT DISTINCT period, entity_key FROM check_failures_open WHERE check_id = 'X18'
)

SELECT
    m.period,
    t.town_code,
    CAST(NULL AS VARCHAR) AS village_code,
    CASE WHEN f.entity_key IS NULL THEN 1 ELSE 0 END AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM core_months AS m
CROSS JOIN towns AS t
LEFT JOIN failing AS f ON m.period = f.period AND t.town_code = f.entity_key
