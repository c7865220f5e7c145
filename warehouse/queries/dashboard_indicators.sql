-- Dashboard overview, headline: every indicator the month ($month) has at one place — the
-- county ($level = 'county'), a township ($town) or a village ($village) — with its plan
-- entry (name, direction, progress, due, lead department, demo target), its value in the
-- latest earlier month, and its value at the last dispatch meeting before the month.
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
),

meeting AS (  -- the last dispatch meeting before this month
    SELECT max(period) AS period
    FROM plan_meetings
    WHERE plan_year = CAST(left($month, 4) AS INTEGER) AND period < $month
)

SELECT
    k.kpi_code,
    coalesce(p.name, k.kpi_code) AS name,
    p.action,
    p.direction,
    p.progress,
    p.due,
    p.lead,
    coalesce(p.is_demo_value, false) AS is_demo_value,
    coalesce(p.unit, k.unit) AS unit,
    k.value,
    k.target,
    k.expected,
    k.status,
    prev.previous_period,
    prev.previous_value,
    m.period AS meeting_period,
    (SELECT h.value FROM here AS h WHERE h.kpi_code = k.kpi_code AND h.period = m.period)
        AS meeting_value
FROM here AS k
CROSS JOIN meeting AS m
LEFT JOIN plan_kpi AS p
    ON k.kpi_code = p.kpi_code AND p.plan_year = CAST(left(k.period, 4) AS INTEGER)
LEFT JOIN previous AS prev ON k.kpi_code = prev.kpi_code
WHERE k.period = $month
ORDER BY p.action NULLS LAST, k.kpi_code;
