-- Every computed indicator for every month it exists, at its declared levels (county,
-- township, village), with its target, the value expected by now, and its status
-- (spec/kpis.md; readings in docs/contract-readings.md, "## Indicators").
CREATE OR REPLACE TABLE kpi_values AS
WITH requirement_months AS (  -- the (indicator, month) pairs each requirement allows
    SELECT r.kpi_code, r.kind, r.name, m.period
    FROM kpi_requirements AS r
    CROSS JOIN core_months AS m
    WHERE (
        r.kind = 'ledger' AND EXISTS (
            SELECT 1 FROM core_ledger_months AS lm WHERE lm.source = r.name AND lm.period = m.period
        )
    ) OR (
        r.kind = 'since' AND EXISTS (
            SELECT 1 FROM core_ledger_months AS lm
            WHERE lm.source = r.name AND lm.period <= m.period AND left(lm.period, 4) = left(m.period, 4)
        )
    ) OR (
        r.kind = 'check' AND EXISTS (
            SELECT 1 FROM check_results AS c
            WHERE c.check_id = r.name AND c.period = m.period AND c.status <> 'not_evaluated'
        )
    )
),

months AS (  -- the months each indicator exists: every requirement met
    SELECT d.kpi_code, d.measure, d.null_when_empty, m.period, m.period_end
    FROM kpi_definitions AS d
    CROSS JOIN core_months AS m
    WHERE (d.from_month IS NULL OR CAST(right(m.period, 2) AS INTEGER) >= d.from_month)
        AND (SELECT count(*) FROM kpi_requirements AS r WHERE r.kpi_code = d.kpi_code) = (
            SELECT count(*) FROM requirement_months AS rm
            WHERE rm.kpi_code = d.kpi_code AND rm.period = m.period
        )
),

parts AS (  -- a village's part takes its township from the gazetteer
    SELECT p.kpi_code, p.period, coalesce(v.town_code, p.town_code) AS town_code, p.village_code,
        p.numerator, p.denominator
    FROM kpi_parts AS p
    LEFT JOIN ref_villages AS v ON p.village_code = v.village_code
),

towns AS (
    SELECT DISTINCT town_code FROM ref_villages
),

village_rows AS (  -- every village, 0 where nothing was counted
    SELECT
        mo.kpi_code, mo.measure, mo.period, mo.period_end, 'village' AS level, v.town_code,
        v.village_code,
        coalesce(sum(p.numerator), 0) AS numerator,
        coalesce(sum(p.denominator), 0) AS denominator
    FROM months AS mo
    CROSS JOIN ref_villages AS v
    LEFT JOIN parts AS p
        ON mo.kpi_code = p.kpi_code AND mo.period = p.period AND v.village_code = p.village_code
    GROUP BY ALL
),

town_rows AS (  -- every township: its villages' parts and its own
    SELECT
        mo.kpi_code, mo.measure, mo.period, mo.period_end, 'town' AS level, t.town_code,
        CAST(NULL AS VARCHAR) AS village_code,
        coalesce(sum(p.numerator), 0) AS numerator,
        coalesce(sum(p.denominator), 0) AS denominator
    FROM months AS mo
    CROSS JOIN towns AS t
    LEFT JOIN parts AS p
        ON mo.kpi_code = p.kpi_code AND mo.period = p.period AND t.town_code = p.town_code
    GROUP BY ALL
),

county_rows AS (  -- every part, the county's own included
    SELECT
        mo.kpi_code, mo.measure, mo.period, mo.period_end, 'county' AS level,
        CAST(NULL AS VARCHAR) AS town_code, CAST(NULL AS VARCHAR) AS village_code,
        CASE
            WHEN mo.null_when_empty AND count(p.numerator) = 0 THEN NULL
            ELSE coalesce(sum(p.numerator), 0)
        END AS numerator,
        coalesce(sum(p.denominator), 0) AS denominator
    FROM months AS mo
    LEFT JOIN parts AS p ON mo.kpi_code = p.kpi_code AND mo.period = p.period
    GROUP BY mo.kpi_code, mo.measure, mo.null_when_empty, mo.period, mo.period_end
),

levels AS (
    SELECT * FROM village_rows
    UNION ALL
    SELECT * FROM town_rows
    UNION ALL
    SELECT * FROM county_rows
),

valued AS (
    SELECT
        l.*,
        CASE WHEN l.measure = 'rate' THEN l.numerator / nullif(l.denominator, 0) ELSE l.numerator END AS value,
        t.name,
        t.action,
        t.kind,
        t.lead,
        t.headline,
        t.direction,
        t.target,
        t.unit,
        t.at_risk_share,
        CASE
            WHEN t.direction = 'info' THEN NULL
            WHEN t.progress = 'cumulative' THEN
                t.target
                * greatest(date_diff('day', t.plan_start, least(l.period_end, t.due)) + 1, 0)
                / (date_diff('day', t.plan_start, t.due) + 1)
            WHEN t.progress = 'milestones' THEN (
                SELECT max_by(ms.target, ms.from_period) FROM plan_milestones AS ms
                WHERE ms.plan_year = t.plan_year AND ms.kpi_code = t.kpi_code AND ms.from_period <= l.period
            )
            ELSE t.target
        END AS expected,
        -- the plan's targets are the county's: rates carry them to every level, counts do not
        l.level = 'county' OR l.measure = 'rate' AS has_target
    FROM levels AS l
    LEFT JOIN plan_kpi AS t ON l.kpi_code = t.kpi_code AND CAST(left(l.period, 4) AS INTEGER) = t.plan_year
    WHERE list_contains(coalesce(t.levels, ['county', 'town', 'village']), l.level)
)

SELECT
    kpi_code,
    period,
    level,
    town_code,
    village_code,
    value,
    numerator,
    CASE WHEN measure = 'rate' THEN denominator END AS denominator,
    CASE WHEN has_target THEN target END AS target,
    CASE WHEN has_target THEN expected END AS expected,
    unit,
    -- compared at 9 decimals, so a value exactly on a boundary is not lost to binary fractions
    CASE
        WHEN direction = 'info' THEN 'info'
        WHEN NOT has_target OR value IS NULL OR target IS NULL OR expected IS NULL THEN NULL
        WHEN direction = 'at_most' THEN
            CASE
                WHEN round(value, 9) <= round(target, 9) THEN 'on_track'
                WHEN round(value, 9) <= round(target / at_risk_share, 9) THEN 'at_risk'
                ELSE 'off_track'
            END
        WHEN direction = 'exactly' AND target = 0 THEN
            CASE WHEN round(value, 9) = 0 THEN 'on_track' ELSE 'off_track' END
        ELSE
            CASE
                WHEN round(value, 9) >= round(expected, 9) THEN 'on_track'
                WHEN round(value, 9) >= round(at_risk_share * expected, 9) THEN 'at_risk'
                ELSE 'off_track'
            END
    END AS status,
    name,
    action,
    kind,
    lead,
    headline
FROM valued
ORDER BY kpi_code, period, level, town_code NULLS FIRST, village_code NULLS FIRST
