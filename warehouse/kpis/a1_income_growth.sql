-- A1-INCOME-GROWTH: growth of the 脱贫户 households' per-capita net income over last year's
-- (roster 上年家庭人均纯收入 B). A household's annual net income is the mean of its quarters
-- loaded this year up to the serving quarter, × 4; n its 家庭人口数 in the latest of them.
-- Numerator Σ (annual − B × n), denominator Σ B × n: the value is the group's growth.
WITH households AS (
    SELECT period, household_id, town_code, village_code, household_type,
        CAST(last_year_income_per_capita AS DOUBLE) AS last_year
    FROM stg_roster
    QUALIFY row_number() OVER (PARTITION BY period, household_id ORDER BY row_number) = 1
),

served AS (
    SELECT period, ledger_period FROM core_ledger_months WHERE source = 'income'
),

quarters AS (  -- a 户编号 once per quarter: its lowest row number
    SELECT
        period AS quarter,
        household_id,
        household_size,
        CAST(
            coalesce(wage_income, 0) + coalesce(business_income, 0) + coalesce(property_income, 0)
            + coalesce(transfer_income, 0) - coalesce(production_cost, 0) AS DOUBLE
        ) AS net
    FROM stg_income
    QUALIFY row_number() OVER (PARTITION BY period, household_id ORDER BY row_number) = 1
),

annual AS (
    SELECT
        s.period,
        q.household_id,
        sum(q.net) * 4 / count(*) AS annual_net,
        arg_max(q.household_size, q.quarter) AS persons
    FROM served AS s
    INNER JOIN quarters AS q
        ON left(q.quarter, 4) = left(s.period, 4) AND q.quarter <= s.ledger_period
    GROUP BY s.period, q.household_id
)

SELECT
    h.period,
    h.town_code,
    h.village_code,
    sum(a.annual_net - h.last_year * a.persons) AS numerator,
    sum(h.last_year * a.persons) AS denominator
FROM households AS h
INNER JOIN annual AS a ON h.period = a.period AND h.household_id = a.household_id
WHERE h.household_type = '脱贫户' AND h.last_year IS NOT NULL
GROUP BY h.period, h.town_code, h.village_code
