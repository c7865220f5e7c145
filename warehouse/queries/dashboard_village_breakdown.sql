-- Dashboard action page, the village drill-down: one indicator ($kpi) in one month ($month),
-- per village of one township ($town) (the chart, and the table people read and download),
-- in village-code order, each with its rank among the township's villages.
-- Ranked best first by the indicator's direction: lower is better for an "at most" target
-- and for "exactly 0", higher otherwise; ties share a rank; a village without a value last.
WITH lower_is_better AS (
    SELECT coalesce(bool_or(p.direction = 'at_most' OR (p.direction = 'exactly' AND p.target = 0)), false) AS flag
    FROM plan_kpi AS p
    WHERE p.kpi_code = $kpi AND p.plan_year = CAST(left($month, 4) AS INTEGER)
)

SELECT
    rank() OVER (
        ORDER BY CASE WHEN b.flag THEN k.value ELSE -k.value END ASC NULLS LAST
    ) AS village_rank,
    v.town_name,
    v.village_name,
    k.village_code,
    k.value,
    k.target,
    k.expected,
    k.status AS kpi_status
FROM v_kpi AS k
INNER JOIN ref_villages AS v ON k.village_code = v.village_code
CROSS JOIN lower_is_better AS b
WHERE k.kpi_code = $kpi
    AND k.period = $month
    AND k.level = 'village'
    AND k.town_code = $town
ORDER BY k.village_code;
