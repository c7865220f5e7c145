-- A4-LEDGER-MATCH (X04): of the persons in the month's employment or 务工 in its roster,
-- the share that are not an open X04 failure of the month. A person is placed by their
-- earliest roster row when in roster, else by their earliest employment row.
WITH roster AS (
    SELECT period, id_number, town_code, village_code, work_status
    FROM stg_roster
    QUALIFY row_number() OVER (PARTITION BY period, id_number ORDER BY row_number) = 1
),

employed AS (
    SELECT period, id_number, town_code, village_code
    FROM stg_employment
    QUALIFY row_number() OVER (PARTITION BY period, id_number ORDER BY row_number) = 1
),

persons AS (
    SELECT
        coalesce(r.period, e.period) AS period,
        coalesce(r.id_number, e.id_number) AS id_number,
        CASE WHEN r.id_number IS NOT NULL THEN r.town_code ELSE e.town_code END AS town_code,
        CASE WHEN r.id_number IS NOT NULL THEN r.village_code ELSE e.village_code END AS village_code
    FROM (SELECT * FROM roster WHERE period IN (SELECT period FROM employed)) AS r
    FULL OUTER JOIN employed AS e ON r.period = e.period AND r.id_number = e.id_number
    WHERE e.id_number IS NOT NULL OR r.work_status = '务工'
),

failing AS (
    SELECT DISTINCT period, entity_key FROM check_failures_open WHERE check_id = 'X04'
)

SELECT
    p.period,
    p.town_code,
    p.village_code,
    count(*) FILTER (WHERE f.entity_key IS NULL) AS numerator,
    count(*) AS denominator
FROM persons AS p
LEFT JOIN failing AS f ON p.period = f.period AND p.id_number = f.entity_key
GROUP BY p.period, p.town_code, p.village_code
