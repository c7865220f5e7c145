-- Dashboard action page, the township ranking: one indicator ($kpi) in one month ($month),
-- per township (the chart, and the table people read and download), best first.
-- Ranked best first by the indicator's direction: lower is better for an "at most" target
-- and for "exactly 0", higher otherwise; ties share a rank; a township without a value last.
WITH towns AS (
    SELECT DISTINCT town_code, town_name FROM ref_villages
),

lower_is_better AS (
    SELECT coalesce(bool_or(p.direction = 'at_most' OR (p.direction = 'exactly' AND p.target = 0)), false) AS flag
    FROM plan_kpi AS p
    WHERE p.kpi_code = $kpi AND p.plan_year = CAST(left($month, 4) AS INTEGER)
)

SELECT
    rank() OVER (
        ORDER BY CASE WHEN b.flag THEN k.value ELSE -k.value END ASC NULLS LAST
    ) AS town_rank,
    t.town_name,
    k.town_code,
    k.value,
    k.target,
    k.expected,
    k.status AS kpi_status
FROM v_kpi AS k
INNER JOIN towns AS t ON k.town_code = t.town_code
CROSS JOIN lower_is_better AS b
WHERE k.kpi_code = $kpi
    AND k.period = $month
    AND k.level = 'town'
ORDER BY town_rank, k.town_code;
