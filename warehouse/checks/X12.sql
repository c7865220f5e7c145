-- X12 (warning): a person with a roster row of a 监测户 this month whose household (户编号) has
-- no member of 劳动能力 有劳动能力, whose household's annualised per-capita net income in the income
-- quarter the month sees — (工资性 + 经营性 + 财产性 + 转移性 − 生产经营性支出) × 4 ÷ 家庭人口数, empty parts 0,
-- the household's first row if it has two — is below x12_dibao_line, and who has no 在保
-- assistance row of 低保 or 特困供养: a possible 应保未保. A household with no income row is not
-- judged. Failing rows: the person's roster rows.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'income'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'assistance'
    INTERSECT
    SELECT period FROM check_scope
),

members AS MATERIALIZED (
    SELECT r.period, r.file_name, r.row_number, r.household_id, r.id_number, r.town_code,
        r.village_code, r.household_type, r.labour_ability
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
),

without_labour AS (
    SELECT period, household_id
    FROM members
    GROUP BY period, household_id
    HAVING NOT bool_or(labour_ability = '有劳动能力')
),

income AS (  -- the quarter each month sees, the household's first row
    SELECT
        lm.period,
        i.household_id,
        min_by(
            i.wage_income + coalesce(i.business_income, 0) + coalesce(i.property_income, 0)
            + coalesce(i.transfer_income, 0) - i.production_cost,
            i.row_number
        ) AS net,
        min_by(i.household_size, i.row_number) AS size,
        min(i.period) AS quarter
    FROM stg_income AS i
    INNER JOIN core_ledger_months AS lm ON lm.source = 'income' AND i.period = lm.ledger_period
    INNER JOIN months AS m ON lm.period = m.period
    GROUP BY lm.period, i.household_id
),

poor AS (
    SELECT i.*, CAST(s.number AS DECIMAL(18, 2)) AS line
    FROM income AS i
    INNER JOIN check_settings AS s
        ON s.plan_year = CAST(left(i.period, 4) AS INTEGER) AND s.name = 'x12_dibao_line'
    WHERE i.net * 4 < CAST(s.number AS DECIMAL(18, 2)) * i.size
),

cared AS (
    SELECT DISTINCT a.period, a.id_number
    FROM stg_assistance AS a
    INNER JOIN months AS m ON a.period = m.period
    WHERE a.assistance_status = '在保' AND a.assistance_type IN ('低保', '特困供养')
)

SELECT
    mb.period,
    mb.id_number AS entity_key,
    mb.id_number,
    mb.household_id,
    mb.town_code,
    mb.village_code,
    'roster' AS ledger,
    mb.file_name,
    mb.row_number,
    '监测户，家庭无有劳动能力成员；' || p.quarter || ' 收支监测家庭年人均纯收入 '
    || regexp_replace(CAST(round(p.net * 4 / nullif(p.size, 0), 2) AS VARCHAR), '\.?0+$', '')
    || ' 元，低于配置的低保标准 ' || regexp_replace(CAST(p.line AS VARCHAR), '\.?0+$', '')
    || ' 元；社会救助台账中没有在保的低保、特困供养' AS detail
FROM members AS mb
INNER JOIN without_labour AS w ON mb.period = w.period AND mb.household_id = w.household_id
INNER JOIN poor AS p ON mb.period = p.period AND mb.household_id = p.household_id
LEFT JOIN cared AS c ON mb.period = c.period AND mb.id_number = c.id_number
WHERE mb.household_type = '监测户' AND c.id_number IS NULL
