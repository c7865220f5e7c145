-- A3-LOAN-OVERDUE: Σ 逾期金额 / Σ 贷款余额 of the month's loans. A loan (贷款合同号) counts
-- once, with its earliest row's amounts and village.
WITH loans AS (
    SELECT
        period,
        arg_min(town_code, row_number) AS town_code,
        arg_min(village_code, row_number) AS village_code,
        arg_min(overdue_amount, row_number) AS overdue_amount,
        arg_min(balance, row_number) AS balance
    FROM stg_loans
    GROUP BY period, contract_id
)

SELECT
    period,
    town_code,
    village_code,
    sum(overdue_amount) AS numerator,
    sum(balance) AS denominator
FROM loans
GROUP BY period, town_code, village_code
