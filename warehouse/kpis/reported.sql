-- A reported indicator ($kpi_code) from the indicators extract. A (指标编码, 镇) once per
-- month: its lowest row number. A unit's figure: 本月完成 ($mode = 'level'), else 累计完成,
-- or when that is empty the unit's 本月完成 summed over the year's months up to this one.
-- Townships are their own parts (no village); a 全县 row makes the county's value: its own
-- part is the 全县 figure less the townships' sum, so the roll-up gives the 全县 figure.
-- With $share = 'villages' (A3-COLLECTIVE-100K) the figure is a count of villages and the
-- value a share: every township's denominator is its number of villages (the county's 179).
WITH unit_rows AS (
    SELECT period, town_code, CAST(month_value AS DOUBLE) AS month_value,
        CAST(cumulative_value AS DOUBLE) AS cumulative_value
    FROM stg_indicators
    WHERE indicator_code = $kpi_code
    QUALIFY row_number() OVER (PARTITION BY period, town_code ORDER BY row_number) = 1
),

figures AS (
    SELECT
        r.period,
        r.town_code,
        length(r.town_code) = 6 AS is_county,
        CASE
            WHEN $mode = 'level' THEN r.month_value
            ELSE coalesce(
                r.cumulative_value,
                (
                    SELECT sum(x.month_value) FROM unit_rows AS x
                    WHERE x.town_code = r.town_code
                        AND left(x.period, 4) = left(r.period, 4)
                        AND x.period <= r.period
                )
            )
        END AS figure
    FROM unit_rows AS r
),

months AS (  -- the months with an indicators file (whether or not it has this code)
    SELECT period FROM core_ledger_months WHERE source = 'indicators'
),

towns AS (
    SELECT town_code, count(*) AS villages FROM ref_villages GROUP BY town_code
),

county AS (
    SELECT
        period,
        max(figure) FILTER (WHERE is_county) AS county_figure,
        coalesce(sum(figure) FILTER (WHERE NOT is_county), 0) AS town_sum,
        bool_or(is_county) AS has_county
    FROM figures
    GROUP BY period
)

SELECT
    m.period,
    t.town_code,
    CAST(NULL AS VARCHAR) AS village_code,
    f.figure AS numerator,
    CASE WHEN $share = 'villages' THEN t.villages END AS denominator
FROM months AS m
CROSS JOIN towns AS t
LEFT JOIN figures AS f ON m.period = f.period AND t.town_code = f.town_code AND NOT f.is_county
WHERE f.figure IS NOT NULL OR $share = 'villages'

UNION ALL

SELECT
    period,
    CAST(NULL AS VARCHAR) AS town_code,
    CAST(NULL AS VARCHAR) AS village_code,
    county_figure - town_sum AS numerator,
    CASE WHEN $share = 'villages' THEN 0 END AS denominator
FROM county
WHERE has_county
