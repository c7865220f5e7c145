-- X14 (warning): a loans row overdue more than x14_overdue_days days and not under 风险补偿
-- (是否风险补偿 否). Entity: the 贷款合同号.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'loans'
    INTERSECT
    SELECT period FROM check_scope
)

SELECT
    l.period,
    l.contract_id AS entity_key,
    l.id_number,
    NULL AS household_id,
    l.town_code,
    l.village_code,
    'loans' AS ledger,
    l.file_name,
    l.row_number,
    '逾期 ' || l.overdue_days || ' 天，超过配置值 ' || CAST(CAST(s.number AS INTEGER) AS VARCHAR)
    || ' 天，逾期金额 ' || regexp_replace(CAST(l.overdue_amount AS VARCHAR), '\.?0+$', '')
    || ' 元，未启动风险补偿' AS detail
FROM stg_loans AS l
INNER JOIN months AS m ON l.period = m.period
INNER JOIN check_settings AS s
    ON s.plan_year = CAST(left(l.period, 4) AS INTEGER) AND s.name = 'x14_overdue_days'
WHERE l.overdue_days > s.number AND NOT l.risk_compensated
