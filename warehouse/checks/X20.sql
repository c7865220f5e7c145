-- X20 (error): a person with an insurance row of 参保状态 死亡 who has an 在保 assistance row
-- or a public_jobs row in post at the end of the month. Months with all three ledgers.
-- Entity: the 身份证号; failing rows: the assistance and public-jobs rows.
WITH months AS (
    SELECT m.period, m.period_end
    FROM core_months AS m
    WHERE m.period IN (
        SELECT period FROM core_ledger_months WHERE source = 'insurance'
        INTERSECT
        SELECT period FROM core_ledger_months WHERE source = 'assistance'
        INTERSECT
        SELECT period FROM core_ledger_months WHERE source = 'public_jobs'
        INTERSECT
        SELECT period FROM check_scope
    )
),

dead AS (
    SELECT DISTINCT i.period, i.id_number
    FROM stg_insurance AS i
    INNER JOIN months AS m ON i.period = m.period
    WHERE i.insurance_status = '死亡'
),

still AS (
    SELECT
        'assistance' AS ledger, a.period, a.file_name, a.row_number, a.id_number, a.town_code,
        a.village_code,
        '医保参保台账登记为死亡，社会救助台账仍在保（' || a.assistance_type || '，月救助金额 '
        || regexp_replace(CAST(a.monthly_amount AS VARCHAR), '\.?0+$', '') || ' 元）' AS detail
    FROM stg_assistance AS a
    INNER JOIN months AS m ON a.period = m.period
    WHERE a.assistance_status = '在保'

    UNION ALL

    SELECT
        'public_jobs', j.period, j.file_name, j.row_number, j.id_number, j.town_code,
        j.village_code,
        '医保参保台账登记为死亡，公益性岗位台账月末仍在岗（' || j.job_kind || '，'
        || CAST(j.start_date AS VARCHAR) || ' 上岗）'
    FROM stg_public_jobs AS j
    INNER JOIN months AS m ON j.period = m.period
    WHERE j.start_date <= m.period_end AND (j.end_date IS NULL OR j.end_date > m.period_end)
)

SELECT
    s.period,
    s.id_number AS entity_key,
    s.id_number,
    NULL AS household_id,
    s.town_code,
    s.village_code,
    s.ledger,
    s.file_name,
    s.row_number,
    s.detail
FROM still AS s
INNER JOIN dead AS d ON s.period = d.period AND s.id_number = d.id_number
