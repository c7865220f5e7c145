-- U03 (error): amounts that must add up, row by row: loans 逾期金额 ≤ 贷款余额 ≤ 贷款金额;
-- projects 报账金额 (when filled) ≤ 累计支出 ≤ 衔接资金; medical_claims 医疗总费用 = 基本医保 +
-- 大病保险 + 医疗救助 + 其他保障 (empty = 0) + 个人自付, to the fen; water_survey 实排查 ≤
-- 应排查 and 已整改 ≤ 发现问题. A ledger is judged in the months it has data; the entity is
-- the row's U01 key (贷款合同号, 项目编号, 结算单号, the village).
WITH months AS (
    SELECT DISTINCT period
    FROM core_ledger_months
    WHERE source IN ('loans', 'projects', 'medical_claims', 'water_survey')
    INTERSECT
    SELECT period FROM check_scope
),

failing AS (
    SELECT
        'loans' AS ledger, l.period, l.file_name, l.row_number,
        l.contract_id AS entity_key, l.id_number, l.town_code, l.village_code,
        '逾期金额 ' || regexp_replace(CAST(l.overdue_amount AS VARCHAR), '\.?0+$', '')
        || ' 元、贷款余额 ' || regexp_replace(CAST(l.balance AS VARCHAR), '\.?0+$', '')
        || ' 元、贷款金额 ' || regexp_replace(CAST(l.amount AS VARCHAR), '\.?0+$', '')
        || ' 元：应为 逾期金额 ≤ 贷款余额 ≤ 贷款金额' AS detail
    FROM stg_loans AS l
    INNER JOIN months AS m ON l.period = m.period
    WHERE l.overdue_amount > l.balance OR l.balance > l.amount

    UNION ALL

    SELECT
        'projects', p.period, p.file_name, p.row_number,
        p.project_id, NULL, p.town_code, p.village_code,
        concat_ws(
            '、',
            '报账金额 ' || regexp_replace(CAST(p.claimed AS VARCHAR), '\.?0+$', '') || ' 万元',
            '累计支出 ' || regexp_replace(CAST(p.spent AS VARCHAR), '\.?0+$', '') || ' 万元',
            '衔接资金 ' || regexp_replace(CAST(p.funds AS VARCHAR), '\.?0+$', '') || ' 万元'
        ) || '：应为 报账金额 ≤ 累计支出 ≤ 衔接资金'
    FROM stg_projects AS p
    INNER JOIN months AS m ON p.period = m.period
    WHERE p.claimed > p.spent OR p.spent > p.funds

    UNION ALL

    SELECT
        'medical_claims', c.period, c.file_name, c.row_number,
        c.settlement_id, c.id_number, c.town_code, c.village_code,
        '医疗总费用 ' || regexp_replace(CAST(c.total_cost AS VARCHAR), '\.?0+$', '')
        || ' 元，基本医保 ' || regexp_replace(CAST(c.basic_insurance AS VARCHAR), '\.?0+$', '')
        || ' + 大病保险 ' || regexp_replace(CAST(c.serious_illness AS VARCHAR), '\.?0+$', '')
        || ' + 医疗救助 ' || regexp_replace(CAST(c.medical_aid AS VARCHAR), '\.?0+$', '')
        || ' + 其他保障 ' || regexp_replace(CAST(coalesce(c.other_cover, 0) AS VARCHAR), '\.?0+$', '')
        || ' + 个人自付 ' || regexp_replace(CAST(c.self_pay AS VARCHAR), '\.?0+$', '')
        || ' = ' || regexp_replace(CAST(
            c.basic_insurance + c.serious_illness + c.medical_aid + coalesce(c.other_cover, 0) + c.self_pay
            AS VARCHAR), '\.?0+$', '')
        || ' 元，二者不符'
    FROM stg_medical_claims AS c
    INNER JOIN months AS m ON c.period = m.period
    WHERE c.total_cost
        <> c.basic_insurance + c.serious_illness + c.medical_aid + coalesce(c.other_cover, 0) + c.self_pay

    UNION ALL

    SELECT
        'water_survey', w.period, w.file_name, w.row_number,
        w.village_code, NULL, w.town_code, w.village_code,
        '排查批次 ' || w.survey_round || '：应排查 ' || w.households_due || ' 户、实排查 '
        || w.households_done || ' 户；发现问题 ' || w.problems_found || ' 个、已整改 '
        || w.problems_fixed || ' 个：应为 实排查 ≤ 应排查、已整改 ≤ 发现问题'
    FROM stg_water_survey AS w
    INNER JOIN months AS m ON w.period = m.period
    WHERE w.households_done > w.households_due OR w.problems_fixed > w.problems_found
)

SELECT
    period,
    entity_key,
    id_number,
    NULL AS household_id,
    town_code,
    village_code,
    ledger,
    file_name,
    row_number,
    detail
FROM failing
