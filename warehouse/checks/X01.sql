-- X01 (error): a person (身份证号) with a roster row that month who has no insurance row of
-- 参保年度 = the month's year with a covered status (已参保, 异地参保, 参军, 服刑, 死亡):
-- absent, or only 未参保. Months where both ledgers have data. Failing rows: the person's
-- roster rows and their 未参保 rows of the year.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'insurance'
    INTERSECT
    SELECT period FROM check_scope
),

insured AS MATERIALIZED (  -- the insurance rows of the month's year
    SELECT i.period, i.file_name, i.row_number, i.id_number, i.town_code, i.village_code,
        i.insurance_status,
        i.insurance_status IN ('已参保', '异地参保', '参军', '服刑', '死亡') AS covered
    FROM stg_insurance AS i
    INNER JOIN months AS m ON i.period = m.period
    WHERE i.insurance_year = CAST(left(i.period, 4) AS INTEGER)
),

persons AS (
    SELECT DISTINCT r.period, r.id_number
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
),

uncovered AS (
    SELECT p.period, p.id_number, count(i.id_number) AS uninsured_rows
    FROM persons AS p
    LEFT JOIN insured AS i ON p.period = i.period AND p.id_number = i.id_number
    GROUP BY p.period, p.id_number
    HAVING NOT coalesce(bool_or(i.covered), FALSE)
)

SELECT
    u.period,
    u.id_number AS entity_key,
    u.id_number,
    r.household_id,
    r.town_code,
    r.village_code,
    'roster' AS ledger,
    r.file_name,
    r.row_number,
    CASE WHEN u.uninsured_rows = 0
        THEN '花名册有此人，医保参保台账无 ' || left(u.period, 4) || ' 年度参保记录'
        ELSE '花名册有此人，医保参保台账 ' || left(u.period, 4) || ' 年度参保状态为未参保'
    END AS detail
FROM uncovered AS u
INNER JOIN stg_roster AS r ON u.period = r.period AND u.id_number = r.id_number

UNION ALL

SELECT
    u.period,
    u.id_number,
    u.id_number,
    NULL,
    i.town_code,
    i.village_code,
    'insurance',
    i.file_name,
    i.row_number,
    left(u.period, 4) || ' 年度参保状态为' || i.insurance_status || '，此人在防返贫监测系统花名册中'
FROM uncovered AS u
INNER JOIN insured AS i ON u.period = i.period AND u.id_number = i.id_number
