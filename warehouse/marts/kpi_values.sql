-- Every computed indicator for every month it exists, at county, township and village
-- level, with its target, the value expected by now, and its status (spec/kpis.md).
CREATE OR REPLACE TABLE kpi_values AS
WITH first_month AS (
    SELECT d.kpi_code, min(lm.period) AS first_period
    FROM kpi_definitions AS d
    INNER JOIN core_ledger_months AS lm ON d.ledger = lm.source
    GROUP BY d.kpi_code
),

months AS (  -- the months each indicator exists
    SELECT d.kpi_code, d.measure, m.period, m.period_end
    FROM kpi_definitions AS d
    INNER JOIN core_months AS m
        ON EXISTS (
            SELECT 1 FROM core_ledger_months AS lm
            WHERE lm.source = d.ledger AND lm.period = m.period
        )
        OR (
            d.cumulative
            AND m.period >= (SELECT f.first_period FROM first_month AS f WHERE f.kpi_code = d.kpi_code)
        )
),

villages AS (  -- every village, 0 where nothing was counted
    SELECT
        mo.kpi_code,
        mo.measure,
        mo.period,
        mo.period_end,
        v.town_code,
        v.village_code,
        coalesce(sum(p.numerator), 0) AS numerator,
        coalesce(sum(p.denominator), 0) AS denominator
    FROM months AS mo
    CROSS JOIN ref_villages AS v
    LEFT JOIN kpi_parts AS p
        ON mo.kpi_code = p.kpi_code AND mo.period = p.period AND v.village_code = p.village_code
    GROUP BY ALL
),

levels AS (
    SELECT kpi_code, measure, period, period_end, 'village' AS level, town_code, village_code, numerator, denominator
    FROM villages
    UNION ALL
    SELECT kpi_code, measure, period, period_end, 'town', town_code, NULL, sum(numerator), sum(denominator)
    FROM villages
    GROUP BY kpi_code, measure, period, period_end, town_code
    UNION ALL
    SELECT kpi_code, measure, period, period_end, 'county', NULL, NULL, sum(numerator), sum(denominator)
    FROM villages
    GROUP BY kpi_code, measure, period, period_end
),

valued AS (
    SELECT
        l.*,
        CASE WHEN l.measure = 'rate' THEN l.numerator / nullif(l.denominator, 0) ELSE l.numerator END AS value,
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
        WHEN NOT has_target OR value IS NULL OR target IS NULL THEN NULL
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
    END AS status
FROM valued
