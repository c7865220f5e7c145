-- X22 (warning): a 身份证号 carried under two different names (姓名, 户主姓名 or 借款人姓名 as
-- loaded) by two different person ledgers the month sees: roster, income (the quarter the
-- month sees), employment, public_jobs, training, insurance, medical_claims, assistance,
-- housing_monitor, housing_renovation, loans. Evaluated when roster and at least one other
-- person ledger have data. Failing rows: every row of that 身份证号 in those ledgers.
WITH ledgers (ledger, label, shown) AS (
    VALUES
        ('roster', '花名册', 1),
        ('income', '收支监测', 2),
        ('employment', '务工台账', 3),
        ('public_jobs', '公益性岗位台账', 4),
        ('training', '培训台账', 5),
        ('insurance', '参保台账', 6),
        ('medical_claims', '医疗结算明细', 7),
        ('assistance', '社会救助台账', 8),
        ('housing_monitor', '住房安全监测表', 9),
        ('housing_renovation', '危房改造台账', 10),
        ('loans', '小额信贷台账', 11)
),

months AS (
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source IN (
        'income', 'employment', 'public_jobs', 'training', 'insurance', 'medical_claims',
        'assistance', 'housing_monitor', 'housing_renovation', 'loans'
    )
    INTERSECT
    SELECT period FROM check_scope
),

seen_months AS (  -- which ledger period each judged month sees, per ledger
    SELECT lm.source, lm.period, lm.ledger_period
    FROM core_ledger_months AS lm
    INNER JOIN months AS m ON lm.period = m.period
    WHERE lm.source IN (SELECT ledger FROM ledgers)
),

person_rows AS (
    SELECT 'roster' AS ledger, period, file_name, row_number, id_number, name, household_id, town_code, village_code FROM stg_roster
    UNION ALL
    SELECT 'income', period, file_name, row_number, id_number, name, household_id, town_code, village_code FROM stg_income
    UNION ALL
    SELECT 'employment', period, file_name, row_number, id_number, name, NULL, town_code, village_code FROM stg_employment
    UNION ALL
    SELECT 'public_jobs', period, file_name, row_number, id_number, name, NULL, town_code, village_code FROM stg_public_jobs
    UNION ALL
    SELECT 'training', period, file_name, row_number, id_number, name, NULL, town_code, village_code FROM stg_training
    UNION ALL
    SELECT 'insurance', period, file_name, row_number, id_number, name, NULL, town_code, village_code FROM stg_insurance
    UNION ALL
    SELECT 'medical_claims', period, file_name, row_number, id_number, name, NULL, town_code, village_code FROM stg_medical_claims
    UNION ALL
    SELECT 'assistance', period, file_name, row_number, id_number, name, NULL, town_code, village_code FROM stg_assistance
    UNION ALL
    SELECT 'housing_monitor', period, file_name, row_number, id_number, name, NULL, town_code, village_code FROM stg_housing_monitor
    UNION ALL
    SELECT 'housing_renovation', period, file_name, row_number, id_number, name, NULL, town_code, village_code FROM stg_housing_renovation
    UNION ALL
    SELECT 'loans', period, file_name, row_number, id_number, name, NULL, town_code, village_code FROM stg_loans
),

seen AS (  -- the rows each judged month sees (a nil report names nobody)
    SELECT sm.period, p.ledger, p.file_name, p.row_number, p.id_number, p.name, p.household_id,
        p.town_code, p.village_code
    FROM person_rows AS p
    INNER JOIN seen_months AS sm ON p.ledger = sm.source AND p.period = sm.ledger_period
    WHERE p.id_number IS NOT NULL AND p.name IS NOT NULL
),

differing AS (  -- two names and two ledgers (min <> max: cheaper than two distinct counts)
    SELECT period, id_number
    FROM seen
    GROUP BY period, id_number
    HAVING min(name) <> max(name) AND min(ledger) <> max(ledger)
),

named AS (  -- "花名册：王芳；参保台账：王方" for the detail
    SELECT
        n.period,
        n.id_number,
        string_agg(l.label || '：' || n.name, '；' ORDER BY l.shown, n.name) AS names_named
    FROM (
        SELECT DISTINCT s.period, s.id_number, s.ledger, s.name
        FROM seen AS s
        INNER JOIN differing AS d ON s.period = d.period AND s.id_number = d.id_number
    ) AS n
    INNER JOIN ledgers AS l ON n.ledger = l.ledger
    GROUP BY n.period, n.id_number
)

SELECT
    s.period,
    s.id_number AS entity_key,
    s.id_number,
    s.household_id,
    s.town_code,
    s.village_code,
    s.ledger,
    s.file_name,
    s.row_number,
    '同一身份证号姓名不一致：' || nm.names_named AS detail
FROM seen AS s
INNER JOIN named AS nm ON s.period = nm.period AND s.id_number = nm.id_number
