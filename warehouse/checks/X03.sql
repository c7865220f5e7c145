-- X03 (error): a 资助类别 the other ledgers do not support — 特困人员 without an 在保 特困供养
-- row in assistance, 低保对象 without 在保 低保, 监测对象 without a roster row of a 监测户 — or
-- an under-subsidised person: entitled (在保 特困供养 → 特困人员's policy amount; 在保 低保 →
-- 低保对象's; a 监测户 member → 监测对象's) to more than the policy amount of the row's
-- category (a category with no configured amount, 脱贫人口 or 无, counts as 0). Amounts come
-- from check_policy_amounts of the month's plan year. Months with all three ledgers.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'insurance'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'assistance'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM check_scope
),

care AS (
    SELECT
        a.period,
        a.id_number,
        bool_or(a.assistance_type = '特困供养') AS tekun,
        bool_or(a.assistance_type = '低保') AS dibao
    FROM stg_assistance AS a
    INNER JOIN months AS m ON a.period = m.period
    WHERE a.assistance_status = '在保' AND a.assistance_type IN ('特困供养', '低保')
    GROUP BY a.period, a.id_number
),

monitored AS (
    SELECT DISTINCT r.period, r.id_number
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
    WHERE r.household_type = '监测户'
),

judged AS (
    SELECT
        i.period,
        i.file_name,
        i.row_number,
        i.id_number,
        i.town_code,
        i.village_code,
        i.subsidy_category,
        coalesce(own.amount, 0) AS own_amount,
        coalesce(c.tekun, FALSE) AS tekun,
        coalesce(c.dibao, FALSE) AS dibao,
        mo.id_number IS NOT NULL AS monitored,
        greatest(
            CASE WHEN c.tekun THEN coalesce(tk.amount, 0) ELSE 0 END,
            CASE WHEN c.dibao THEN coalesce(db.amount, 0) ELSE 0 END,
            CASE WHEN mo.id_number IS NOT NULL THEN coalesce(mn.amount, 0) ELSE 0 END
        ) AS entitled_amount
    FROM stg_insurance AS i
    INNER JOIN months AS m ON i.period = m.period
    LEFT JOIN care AS c ON i.period = c.period AND i.id_number = c.id_number
    LEFT JOIN monitored AS mo ON i.period = mo.period AND i.id_number = mo.id_number
    LEFT JOIN check_policy_amounts AS own
        ON own.plan_year = CAST(left(i.period, 4) AS INTEGER) AND own.category = i.subsidy_category
    LEFT JOIN check_policy_amounts AS tk
        ON tk.plan_year = CAST(left(i.period, 4) AS INTEGER) AND tk.category = '特困人员'
    LEFT JOIN check_policy_amounts AS db
        ON db.plan_year = CAST(left(i.period, 4) AS INTEGER) AND db.category = '低保对象'
    LEFT JOIN check_policy_amounts AS mn
        ON mn.plan_year = CAST(left(i.period, 4) AS INTEGER) AND mn.category = '监测对象'
),

failing AS (
    SELECT
        *,
        CASE
            WHEN subsidy_category = '特困人员' AND NOT tekun
                THEN '资助类别 特困人员，社会救助台账中没有在保的特困供养'
            WHEN subsidy_category = '低保对象' AND NOT dibao
                THEN '资助类别 低保对象，社会救助台账中没有在保的低保'
            WHEN subsidy_category = '监测对象' AND NOT monitored
                THEN '资助类别 监测对象，花名册中不是监测户成员'
        END AS unsupported,
        CASE WHEN entitled_amount > own_amount THEN
            concat_ws(
                '、',
                CASE WHEN tekun THEN '社会救助台账在保特困供养' END,
                CASE WHEN dibao THEN '社会救助台账在保低保' END,
                CASE WHEN monitored THEN '花名册监测户成员' END
            ) || '（政策 ' || regexp_replace(CAST(entitled_amount AS VARCHAR), '\.?0+$', '')
            || ' 元），医保按 ' || subsidy_category || '（政策 '
            || regexp_replace(CAST(own_amount AS VARCHAR), '\.?0+$', '') || ' 元）资助'
        END AS under_subsidised
    FROM judged
)

SELECT
    period,
    id_number AS entity_key,
    id_number,
    NULL AS household_id,
    town_code,
    village_code,
    'insurance' AS ledger,
    file_name,
    row_number,
    concat_ws('；', unsupported, under_subsidised) AS detail
FROM failing
WHERE unsupported IS NOT NULL OR under_subsidised IS NOT NULL
