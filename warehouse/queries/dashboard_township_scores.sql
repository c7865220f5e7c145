-- Dashboard 十大行动 page, the township comparison (擂台赛) in one month ($month): each
-- township's attainment of every indicator it is scored on, 0–1:
--   a rate with a target (its own, the county's carried down): at least / exactly N —
--     value ÷ target, at most 1; at most — 1 when within, else target ÷ value;
--   a count of config [contest].counts: value ÷ (the county's expected-by-now × the
--     township's share), at most 1; "exactly 0" — 1 at 0, else 0.
-- The page averages them into the score (its formula shown there).
WITH scored AS (
    SELECT
        v.town_code,
        v.kpi_code,
        v.name,
        v.unit,
        v.value,
        CASE
            WHEN v.value IS NULL THEN NULL
            WHEN p.direction = 'exactly' AND p.target = 0 THEN CASE WHEN v.value = 0 THEN 1.0 ELSE 0.0 END
            WHEN v.unit = '比例' AND v.target IS NOT NULL THEN
                CASE
                    WHEN p.direction = 'at_most' THEN
                        CASE WHEN v.value <= v.target THEN 1.0 ELSE v.target / v.value END
                    ELSE least(v.value / nullif(v.target, 0), 1.0)
                END
            WHEN cc.kpi_code IS NOT NULL THEN least(v.value / nullif(c.expected * s.share, 0), 1.0)
        END AS attainment,
        s.is_demo AND cc.kpi_code IS NOT NULL AS demo_share
    FROM v_kpi AS v
    INNER JOIN plan_kpi AS p
        ON v.kpi_code = p.kpi_code AND p.plan_year = CAST(left(v.period, 4) AS INTEGER)
    LEFT JOIN contest_counts AS cc ON v.kpi_code = cc.kpi_code AND cc.plan_year = p.plan_year
    LEFT JOIN contest_shares AS s ON v.town_code = s.town_code AND s.plan_year = p.plan_year
    LEFT JOIN v_kpi AS c
        ON c.kpi_code = v.kpi_code AND c.period = v.period AND c.level = 'county'
    WHERE v.period = $month
        AND v.level = 'town'
        AND p.direction <> 'info'
        AND (v.unit = '比例' AND v.target IS NOT NULL OR cc.kpi_code IS NOT NULL
            OR p.direction = 'exactly' AND p.target = 0)
)

SELECT
    s.town_code,
    t.town_name,
    s.kpi_code,
    s.name,
    s.unit,
    s.value,
    s.attainment,
    s.demo_share
FROM scored AS s
INNER JOIN (SELECT DISTINCT town_code, town_name FROM ref_villages) AS t ON s.town_code = t.town_code
WHERE s.attainment IS NOT NULL
ORDER BY s.town_code, s.kpi_code;
