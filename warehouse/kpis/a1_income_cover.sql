-- A1-INCOME-COVER: of the month's roster households (户编号, placed by their earliest
-- row), the share with a row in the income quarter serving the month (the latest quarter
-- loaded whose last month is not after it).
WITH households AS (
    SELECT period, household_id, town_code, village_code
    FROM stg_roster
    QUALIFY row_number() OVER (PARTITION BY period, household_id ORDER BY row_number) = 1
),

served AS (
    SELECT period, ledger_period FROM core_ledger_months WHERE source = 'income'
),

collected AS (
    SELECT DISTINCT period, household_id FROM stg_income
)

SELECT
    h.period,
    h.town_code,
    h.village_code,
    count(c.household_id) AS numerator,
    count(*) AS denominator
FROM households AS h
INNER JOIN served AS s ON h.period = s.period
LEFT JOIN collected AS c ON s.ledger_period = c.period AND h.household_id = c.household_id
GROUP BY h.period, h.town_code, h.village_code
