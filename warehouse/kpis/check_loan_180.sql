-- A3-LOAN-180 (X14): open failing loans (贷款合同号) of the month, placed by the loan's
-- earliest row of the month's loans.
WITH failing AS (
    SELECT DISTINCT period, entity_key FROM check_failures_open WHERE check_id = 'X14'
),

loans AS (
    SELECT period, contract_id, town_code, village_code
    FROM stg_loans
    QUALIFY row_number() OVER (PARTITION BY period, contract_id ORDER BY row_number) = 1
)

SELECT
    f.period,
    l.town_code,
    l.village_code,
    count(*) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM failing AS f
LEFT JOIN loans AS l ON f.period = l.period AND f.entity_key = l.contract_id
GROUP BY ALL
