-- X11 (warning): a person whose 个人自付 summed over the year's medical_claims of the loaded
-- months up to this one is at least x11_self_pay_threshold and who has no roster row of a
-- 监测户 this month: a possible 应纳未纳. Months with medical_claims and roster. Failing rows: the
-- person's claims of the year so far.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'medical_claims'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM check_scope
),

claims AS MATERIALIZED (  -- the year's claims up to the latest month judged
    SELECT c.period, c.file_name, c.row_number, c.settlement_id, c.id_number, c.town_code,
        c.village_code, c.self_pay
    FROM stg_medical_claims AS c
    WHERE c.period <= (SELECT max(period) FROM months)
        AND left(c.period, 4) IN (SELECT left(period, 4) FROM months)
),

monthly AS (  -- each person's 个人自付 per month of claims
    SELECT period, id_number, sum(self_pay) AS self_pay
    FROM claims
    GROUP BY period, id_number
),

so_far AS (  -- per judged month, each person's 个人自付 of the year up to it
    SELECT m.period, p.id_number, sum(p.self_pay) AS self_pay
    FROM months AS m
    INNER JOIN monthly AS p ON left(p.period, 4) = left(m.period, 4) AND p.period <= m.period
    GROUP BY m.period, p.id_number
),

monitored AS (
    SELECT DISTINCT r.period, r.id_number
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
    WHERE r.household_type = '监测户'
),

flagged AS (
    SELECT s.period, s.id_number, s.self_pay, t.number AS threshold
    FROM so_far AS s
    INNER JOIN check_settings AS t
        ON t.plan_year = CAST(left(s.period, 4) AS INTEGER) AND t.name = 'x11_self_pay_threshold'
    LEFT JOIN monitored AS mo ON s.period = mo.period AND s.id_number = mo.id_number
    WHERE s.self_pay >= CAST(t.number AS DECIMAL(18, 2)) AND mo.id_number IS NULL
)

SELECT
    f.period,
    f.id_number AS entity_key,
    f.id_number,
    NULL AS household_id,
    c.town_code,
    c.village_code,
    'medical_claims' AS ledger,
    c.file_name,
    c.row_number,
    c.period || ' 结算单 ' || c.settlement_id || ' 个人自付 '
    || regexp_replace(CAST(c.self_pay AS VARCHAR), '\.?0+$', '') || ' 元；本年累计个人自付 '
    || regexp_replace(CAST(f.self_pay AS VARCHAR), '\.?0+$', '') || ' 元，达到配置值 '
    || regexp_replace(CAST(CAST(f.threshold AS DECIMAL(18, 2)) AS VARCHAR), '\.?0+$', '')
    || ' 元，花名册中不是监测户成员' AS detail
FROM flagged AS f
INNER JOIN claims AS c
    ON left(c.period, 4) = left(f.period, 4) AND c.period <= f.period AND c.id_number = f.id_number
