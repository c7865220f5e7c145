-- Dashboard overview, headline: every indicator the month ($month) has at one place — the
-- county ($level = 'county'), a township ($town) or a village ($village) — with its plan
-- entry (name, direction, progress, due) and its value in the latest earlier month.
WITH here AS (
    SELECT
        kpi_code,
        period,
        value,
        target,
        expected,
        unit,
        status
    FROM v_kpi
    WHERE level = $level
        AND town_code IS NOT DISTINCT FROM $town
        AND village_code IS NOT DISTINCT FROM $village
),

previous AS (
    SELECT
        kpi_code,
        max(period) AS previous_period,
        arg_max(value, period) AS previous_value
    FROM here
    WHERE period < $month
    GROUP BY kpi_code
)

SELECT
    k.kpi_code,
    coalesce(p.name, k.kpi_code) AS name,
    p.action,
    p.direction,
    p.progress,
    p.due,
    coalesce(p.unit, k.unit) AS unit,
    k.value,
    k.target,
    k.expected,
    k.status,
    prev.previous_period,
    prev.previous_value
FROM here AS k
LEFT JOIN plan_kpi AS p
    ON k.kpi_code = p.kpi_code AND p.plan_year = CAST(left(k.period, 4) AS INTEGER)
LEFT JOIN previous AS prev ON k.kpi_code = prev.kpi_code
WHERE k.period = $month
ORDER BY p.action NULLS LAST, k.kpi_code;
