-- X08 (error): a relocated (易地搬迁) roster household — a row of its 户编号 says 是否易地搬迁
-- 是 — with a member of 劳动能力 有劳动能力, none of whose members (by 身份证号) is in that
-- month's employment or in post at the month's end in public_jobs. Months with all three
-- ledgers. Entity: the 户编号; failing rows: the household's roster rows.
WITH months AS (
    SELECT m.period, m.period_end
    FROM core_months AS m
    WHERE m.period IN (
        SELECT period FROM core_ledger_months WHERE source = 'roster'
        INTERSECT
        SELECT period FROM core_ledger_months WHERE source = 'employment'
        INTERSECT
        SELECT period FROM core_ledger_months WHERE source = 'public_jobs'
        INTERSECT
        SELECT period FROM check_scope
    )
),

members AS MATERIALIZED (
    SELECT r.period, r.file_name, r.row_number, r.household_id, r.id_number, r.town_code,
        r.village_code, r.relocated, r.labour_ability
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
),

working AS (
    SELECT e.period, e.id_number
    FROM stg_employment AS e
    INNER JOIN months AS m ON e.period = m.period
    UNION
    SELECT j.period, j.id_number
    FROM stg_public_jobs AS j
    INNER JOIN months AS m ON j.period = m.period
    WHERE j.start_date <= m.period_end AND (j.end_date IS NULL OR j.end_date > m.period_end)
),

households AS (
    SELECT
        mb.period,
        mb.household_id,
        count(DISTINCT mb.id_number) FILTER (WHERE mb.labour_ability = '有劳动能力') AS able
    FROM members AS mb
    LEFT JOIN working AS w ON mb.period = w.period AND mb.id_number = w.id_number
    GROUP BY mb.period, mb.household_id
    HAVING bool_or(mb.relocated)
        AND bool_or(mb.labour_ability = '有劳动能力')
        AND NOT bool_or(w.id_number IS NOT NULL)
)

SELECT
    mb.period,
    mb.household_id AS entity_key,
    mb.id_number,
    mb.household_id,
    mb.town_code,
    mb.village_code,
    'roster' AS ledger,
    mb.file_name,
    mb.row_number,
    '易地搬迁户，有劳动能力成员 ' || h.able || ' 人，当月无成员在务工台账中或在公益性岗位上岗' AS detail
FROM households AS h
INNER JOIN members AS mb ON h.period = mb.period AND h.household_id = mb.household_id
