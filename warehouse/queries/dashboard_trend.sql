-- Dashboard action page, trend: one indicator ($kpi) at one place ($level, $town, $village),
-- month by month up to the month chosen ($month: the page shows the year as of then), with
-- its target and expected value (NULL where the place has none).
-- A month between its first and last with no value is a gap, never skipped: `gap_reason`
-- names each ledger it needs whose file is missing or was rejected that month.
WITH kpi AS (
    SELECT period, value, target, expected, status
    FROM v_kpi
    WHERE kpi_code = $kpi
        AND level = $level
        AND town_code IS NOT DISTINCT FROM $town
        AND village_code IS NOT DISTINCT FROM $village
        AND period <= $month
),

span AS (
    SELECT min(period) AS first_period, max(period) AS last_period FROM kpi
),

months AS (
    SELECT m.period
    FROM core_months AS m, span AS s
    WHERE m.period BETWEEN s.first_period AND s.last_period
),

needed AS (  -- the ledgers the indicator reads month by month, and how each month stands
    SELECT
        m.period,
        coalesce(c.title, r.name) AS title,
        CASE WHEN l.last_status = 'rejected' THEN '被拒收' ELSE '未报送' END AS problem
    FROM months AS m
    CROSS JOIN kpi_requirements AS r
    LEFT JOIN source_catalog AS c ON r.name = c.source
    LEFT JOIN v_load_status AS l ON r.name = l.source AND l.period = m.period
    WHERE r.kpi_code = $kpi
        AND r.kind = 'ledger'
        AND (l.source IS NULL OR l.rows_loaded IS NULL OR l.last_status = 'rejected')
)

SELECT
    m.period,
    k.value,
    k.target,
    k.expected,
    k.status,
    CASE WHEN k.period IS NULL THEN
        coalesce(
            (SELECT string_agg(n.title || n.problem, '；' ORDER BY n.title) FROM needed AS n WHERE n.period = m.period),
            '本月没有数据'
        )
    END AS gap_reason
FROM months AS m
LEFT JOIN kpi AS k ON m.period = k.period
ORDER BY m.period;
