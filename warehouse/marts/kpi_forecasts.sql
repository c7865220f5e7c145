-- Year-end forecasts: for every indicator with a due date, as of every month up to it, at
-- every level and place it has values, where its value will stand on the due date, with an
-- 80 % interval (docs/contract-readings.md, "Forecasts"; the method's two numbers come from
-- config/plan-<year>.toml [forecast] through forecast_method).
--
-- The method, by the indicator's progress:
--   cumulative  the pace so far: value + value ÷ months elapsed since the plan's start × the
--               months to go (a count that grows at the rate it has grown);
--   milestones  keep the share of the plan reached: value × the final target ÷ expected now;
--   level       the recent trend, damped: value + damping × (mean change over the last three
--               months) × the months to go.
-- The interval: ± z × (standard deviation of the monthly changes so far) × √(k + k² ÷ n)
-- for k months to go and n changes so far — a random walk's spread, and the uncertainty of
-- the pace itself carried k months; none with fewer than two changes. Bounds: counts at or above 0,
-- a cumulative count at or above its value today, a share (a 比例 that has stayed within
-- 0–100 %) within 0–100 %; a growth rate or a 百分点 difference unbounded.
DELETE FROM kpi_forecasts;

INSERT INTO kpi_forecasts BY NAME
WITH series AS (
    SELECT
        v.kpi_code,
        v.level,
        v.town_code,
        v.village_code,
        v.period,
        v.value,
        v.expected,
        v.target AS level_target,
        t.target,
        t.direction,
        t.progress,
        t.unit,
        t.due,
        CAST(left(v.period, 4) AS INTEGER) * 12 + CAST(right(v.period, 2) AS INTEGER) AS month_no,
        year(t.due) * 12 + month(t.due) AS due_month_no,
        year(t.plan_start) * 12 + month(t.plan_start) AS start_month_no,
        f.drift_damping,
        f.interval_z
    FROM kpi_values AS v
    INNER JOIN plan_kpi AS t
        ON v.kpi_code = t.kpi_code AND CAST(left(v.period, 4) AS INTEGER) = t.plan_year
    INNER JOIN forecast_method AS f ON t.plan_year = f.plan_year
    WHERE t.due IS NOT NULL
        AND t.direction <> 'info'
        AND v.value IS NOT NULL
),

steps AS (  -- the change per month since the place's previous month with a value
    SELECT
        *,
        (value - lag(value) OVER place) / (month_no - lag(month_no) OVER place) AS step
    FROM series
    WINDOW place AS (PARTITION BY kpi_code, level, town_code, village_code ORDER BY month_no)
),

so_far AS (
    SELECT
        *,
        count(step) OVER upto AS steps_so_far,
        min(value) OVER upto >= 0 AND max(value) OVER upto <= 1 AS stayed_a_share,
        stddev_samp(step) OVER upto AS step_sd,
        avg(step) OVER recent AS recent_step
    FROM steps
    WINDOW
        upto AS (
            PARTITION BY kpi_code, level, town_code, village_code ORDER BY month_no
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ),
        recent AS (
            PARTITION BY kpi_code, level, town_code, village_code ORDER BY month_no
            ROWS BETWEEN 2 PRECEDING AND CURRENT ROW
        )
),

projected AS (
    SELECT
        *,
        due_month_no - month_no AS months_ahead,
        CASE
            WHEN progress = 'cumulative' THEN 'pace'
            WHEN progress = 'milestones' AND expected > 0 THEN 'milestones'
            ELSE 'trend'
        END AS method,
        CASE
            WHEN progress = 'cumulative' THEN
                value + value / (month_no - start_month_no + 1) * (due_month_no - month_no)
            WHEN progress = 'milestones' AND expected > 0 THEN value * target / expected
            ELSE value + drift_damping * coalesce(recent_step, 0) * (due_month_no - month_no)
        END AS centre,
        CASE
            WHEN steps_so_far >= 2 THEN
                interval_z * step_sd * sqrt(
                    (due_month_no - month_no) + (due_month_no - month_no) ^ 2 / steps_so_far
                )
        END AS spread
    FROM so_far
    WHERE month_no <= due_month_no
),

bounded AS (
    -- a share (a 比例 that has stayed within 0–1) stays there, a count not negative, a
    -- cumulative count not below today's; a growth rate or 百分点 difference is not bounded
    SELECT
        *,
        CASE WHEN unit = '比例' AND stayed_a_share THEN 1.0 END AS ceiling,
        CASE
            WHEN progress = 'cumulative' THEN value
            WHEN unit = '百分点' OR (unit = '比例' AND NOT stayed_a_share) THEN '-infinity'::DOUBLE
            ELSE 0.0
        END AS floor
    FROM projected
),

shaped AS (
    SELECT
        kpi_code,
        period,
        level,
        town_code,
        village_code,
        strftime(due, '%Y-%m') AS due_period,
        due,
        months_ahead,
        value,
        least(greatest(centre, floor), coalesce(ceiling, 'infinity'::DOUBLE)) AS forecast,
        CASE WHEN spread IS NOT NULL THEN
            least(greatest(centre - spread, floor), coalesce(ceiling, 'infinity'::DOUBLE))
        END AS low,
        CASE WHEN spread IS NOT NULL THEN
            least(greatest(centre + spread, floor), coalesce(ceiling, 'infinity'::DOUBLE))
        END AS high,
        level_target AS target,
        direction,
        method
    FROM bounded
)

-- the outlook against the target where there is one (rounded as the statuses are)
SELECT
    *,
    CASE
        WHEN target IS NULL THEN NULL
        WHEN direction = 'at_most' THEN
            CASE
                WHEN round(coalesce(high, forecast), 9) <= round(target, 9) THEN 'likely'
                WHEN round(coalesce(low, forecast), 9) > round(target, 9) THEN 'unlikely'
                ELSE 'uncertain'
            END
        WHEN direction = 'exactly' AND target = 0 THEN
            CASE
                WHEN round(coalesce(high, forecast), 9) = 0 THEN 'likely'
                WHEN round(coalesce(low, forecast), 9) > 0 THEN 'unlikely'
                ELSE 'uncertain'
            END
        ELSE
            CASE
                WHEN round(coalesce(low, forecast), 9) >= round(target, 9) THEN 'likely'
                WHEN round(coalesce(high, forecast), 9) < round(target, 9) THEN 'unlikely'
                ELSE 'uncertain'
            END
    END AS outlook
FROM shaped
ORDER BY kpi_code, period, level, town_code NULLS FIRST, village_code NULLS FIRST;
