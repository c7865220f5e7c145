-- X02 (error): an insurance row whose 资助金额 differs from the configured policy amount of
-- its 资助类别 (check_policy_amounts of the month's plan year; a category the year's
-- configuration sets no amount for — 脱贫人口, 无 by default — is not checked).
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'insurance'
    INTERSECT
    SELECT period FROM check_scope
)

SELECT
    i.period,
    i.id_number AS entity_key,
    i.id_number,
    NULL AS household_id,
    i.town_code,
    i.village_code,
    'insurance' AS ledger,
    i.file_name,
    i.row_number,
    '资助类别 ' || i.subsidy_category || ' 资助金额 '
    || regexp_replace(CAST(i.subsidy_amount AS VARCHAR), '\.?0+$', '') || ' 元，政策 '
    || regexp_replace(CAST(p.amount AS VARCHAR), '\.?0+$', '') || ' 元' AS detail
FROM stg_insurance AS i
INNER JOIN months AS m ON i.period = m.period
INNER JOIN check_policy_amounts AS p
    ON p.plan_year = CAST(left(i.period, 4) AS INTEGER) AND i.subsidy_category = p.category
WHERE i.subsidy_amount <> p.amount
