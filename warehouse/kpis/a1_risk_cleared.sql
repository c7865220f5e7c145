-- A1-RISK-CLEARED: 监测户 households (户编号) whose earliest 监测户 row of the month's
-- roster says 风险消除状态 已消除.
WITH households AS (
    SELECT period, household_id, town_code, village_code, risk_status
    FROM stg_roster
    WHERE household_type = '监测户'
    QUALIFY row_number() OVER (PARTITION BY period, household_id ORDER BY row_number) = 1
)

SELECT
    period,
    town_code,
    village_code,
    count(*) FILTER (WHERE risk_status = '已消除') AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM households
GROUP BY period, town_code, village_code
