-- A2-RENOV-DONE ($stage = 'done'): renovation households (户主 身份证号, earliest row of the
-- month's snapshot) with 竣工日期 by the month's end; A2-RENOV-PAID ($stage = 'paid'): with
-- 验收日期 and 补助兑付日期 both by the month's end.
WITH households AS (
    SELECT period, id_number, town_code, village_code, completed_date, accepted_date, paid_date
    FROM stg_housing_renovation
    QUALIFY row_number() OVER (PARTITION BY period, id_number ORDER BY row_number) = 1
)

SELECT
    h.period,
    h.town_code,
    h.village_code,
    count(*) FILTER (
        WHERE CASE
            WHEN $stage = 'done' THEN h.completed_date <= m.period_end
            ELSE h.accepted_date <= m.period_end AND h.paid_date <= m.period_end
        END
    ) AS numerator,
    CAST(NULL AS DOUBLE) AS denominator
FROM households AS h
INNER JOIN core_months AS m ON h.period = m.period
GROUP BY h.period, h.town_code, h.village_code
