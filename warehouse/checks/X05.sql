-- X05 (error): a village whose 务工 counts differ between the HR ledger (persons by the
-- ledger's own village) and the system's 务工监测 (persons marked 务工, by the roster's
-- village). The detail gives the village's, its township's and the county's two counts.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'employment'
    INTERSECT
    SELECT period FROM core_ledger_months WHERE source = 'roster'
    INTERSECT
    SELECT period FROM check_scope
),

hr AS (
    SELECT e.period, e.village_code, count(DISTINCT e.id_number) AS persons
    FROM stg_employment AS e
    INNER JOIN months AS m ON e.period = m.period
    GROUP BY e.period, e.village_code
),

system AS (
    SELECT r.period, r.village_code, count(DISTINCT r.id_number) AS persons
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
    WHERE r.work_status = '务工'
    GROUP BY r.period, r.village_code
),

villages AS (
    SELECT
        m.period,
        v.town_code,
        v.town_name,
        v.village_code,
        v.village_name,
        coalesce(hr.persons, 0) AS hr_persons,
        coalesce(system.persons, 0) AS system_persons
    FROM months AS m
    CROSS JOIN ref_villages AS v
    LEFT JOIN hr ON m.period = hr.period AND v.village_code = hr.village_code
    LEFT JOIN system ON m.period = system.period AND v.village_code = system.village_code
),

counted AS (
    SELECT
        *,
        sum(hr_persons) OVER (PARTITION BY period, town_code) AS town_hr,
        sum(system_persons) OVER (PARTITION BY period, town_code) AS town_system,
        sum(hr_persons) OVER (PARTITION BY period) AS county_hr,
        sum(system_persons) OVER (PARTITION BY period) AS county_system
    FROM villages
)

SELECT
    period,
    village_code AS entity_key,
    NULL AS id_number,
    NULL AS household_id,
    town_code,
    village_code,
    'employment,roster' AS ledger,
    NULL AS file_name,
    NULL AS row_number,
    '务工人数：' || village_name || ' 人社台账 ' || hr_persons || ' 人、系统 ' || system_persons || ' 人；'
    || town_name || ' 人社台账 ' || town_hr || ' 人、系统 ' || town_system || ' 人；'
    || '全县 人社台账 ' || county_hr || ' 人、系统 ' || county_system || ' 人' AS detail
FROM counted
WHERE hr_persons <> system_persons
