-- X04 (error): the HR bureau's ledger and the system's 务工监测 disagree on a person:
-- in `employment` but 未务工 (or empty, or absent) in `roster`, or 务工 in `roster` but
-- not in `employment`. Months where both ledgers have data. A failing row per ledger row.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'employment'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM check_scope
),

employed AS (
    SELECT DISTINCT e.period, e.id_number
    FROM stg_employment AS e
    INNER JOIN months AS m ON e.period = m.period
),

monitored AS (
    SELECT r.period, r.id_number, bool_or(r.work_status = '务工') AS working
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
    GROUP BY r.period, r.id_number
),

disagreeing AS (
    SELECT e.period, e.id_number, coalesce(s.working, FALSE) AS in_roster_working, s.id_number IS NOT NULL AS in_roster, TRUE AS in_employment
    FROM employed AS e
    LEFT JOIN monitored AS s ON e.period = s.period AND e.id_number = s.id_number
    WHERE s.id_number IS NULL OR NOT s.working
    UNION ALL
    SELECT s.period, s.id_number, TRUE, TRUE, FALSE
    FROM monitored AS s
    WHERE s.working
        AND NOT EXISTS (SELECT 1 FROM employed AS e WHERE e.period = s.period AND e.id_number = s.id_number)
)

SELECT
    d.period,
    d.id_number AS entity_key,
    d.id_number,
    NULL AS household_id,
    e.town_code,
    e.village_code,
    'employment' AS ledger,
    e.file_name,
    e.row_number,
    CASE WHEN d.in_roster
        THEN '务工台账有此人，系统务工监测为“未务工”'
        ELSE '务工台账有此人，防返贫监测系统花名册中没有此人'
    END AS detail
FROM disagreeing AS d
INNER JOIN stg_employment AS e ON d.period = e.period AND d.id_number = e.id_number
WHERE d.in_employment

UNION ALL

SELECT
    d.period,
    d.id_number AS entity_key,
    d.id_number,
    r.household_id,
    r.town_code,
    r.village_code,
    'roster' AS ledger,
    r.file_name,
    r.row_number,
    CASE WHEN d.in_employment
        THEN '系统务工监测为“' || r.work_status || '”，但县人社局务工台账有此人'
        ELSE '系统务工监测为“务工”，但当月务工台账中没有此人'
    END AS detail
FROM disagreeing AS d
INNER JOIN stg_roster AS r ON d.period = r.period AND d.id_number = r.id_number
