-- A3-LOAN-NEW: Σ 贷款金额 of the month's loans (贷款合同号 once, earliest row) lent this year
-- (放款日期 from 1 January to the month's end).
WITH loans AS (
    SELECT period, contract_id, town_code, village_code, issued_date, amount
    FROM stg_loans
    QUALIFY row_number() OVER (PARTITION BY period, contract_id ORDER BY row_number) = 1
)

SELECT
    l.period,
    l.town_code,
    l.village_code,
    coalesce(
        sum(CAST(l.amount AS DOUBLE)) FILTER (
            WHERE l.issued_date >= make_date(year(m.period_end), 1, 1) AND l.issued_date <= m.period_end
        ),
        0
    ) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM loans AS l
INNER JOIN core_months AS m ON l.period = m.period
GROUP BY l.period, l.town_code, l.village_code
