-- A4-TRANSPORT (X19), year to date: of the persons paid a 跨省交通补助 (filled, non-zero) in
-- any employment month of the year up to this one (placed by their earliest paid row), the
-- share with no open X19 failure in any month of the year up to this one.
WITH paid AS (
    SELECT m.period, e.id_number, e.town_code, e.village_code
    FROM core_months AS m
    INNER JOIN stg_employment AS e
        ON left(e.period, 4) = left(m.period, 4) AND e.period <= m.period
    WHERE e.transport_subsidy <> 0
    QUALIFY row_number() OVER (PARTITION BY m.period, e.id_number ORDER BY e.period, e.row_number) = 1
),

failing AS (
    SELECT DISTINCT m.period, f.entity_key
    FROM core_months AS m
    INNER JOIN check_failures_open AS f
        ON f.check_id = 'X19' AND left(f.period, 4) = left(m.period, 4) AND f.period <= m.period
)

SELECT
    p.period,
    p.town_code,
    p.village_code,
    count(*) FILTER (WHERE f.entity_key IS NULL) AS numerator,
    count(*) AS denominator
FROM paid AS p
LEFT JOIN failing AS f ON p.period = f.period AND p.id_number = f.entity_key
GROUP BY p.period, p.town_code, p.village_code
