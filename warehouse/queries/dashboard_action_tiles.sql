-- Dashboard leaders' page: the ten actions as of one month ($month), each with its headline
-- indicators at county level — the figure, target, expected-by-now, status, whether the
-- target is a demo value, and the figure a month before and at the last dispatch meeting
-- before this month (NULL where there was none). An action whose headline indicators have
-- no value this month is listed with NULL figures.
WITH year_of AS (
    SELECT CAST(left($month, 4) AS INTEGER) AS plan_year
),

meeting AS (  -- the last dispatch meeting before this month
    SELECT max(m.period) AS period
    FROM plan_meetings AS m, year_of AS y
    WHERE m.plan_year = y.plan_year AND m.period < $month
),

headline AS (
    SELECT p.action, p.kpi_code, p.name, p.unit, p.direction, p.is_demo_value
    FROM plan_kpi AS p, year_of AS y
    WHERE p.plan_year = y.plan_year AND p.headline
),

county AS (
    SELECT kpi_code, period, value, target, expected, status
    FROM v_kpi
    WHERE level = 'county'
)

SELECT
    a.action,
    a.title AS action_title,
    h.kpi_code,
    h.name AS kpi_name,
    h.unit,
    h.is_demo_value,
    now_.value,
    now_.target,
    now_.expected,
    now_.status,
    (
        SELECT c.value FROM county AS c
        WHERE c.kpi_code = h.kpi_code AND c.period < $month AND c.value IS NOT NULL
        ORDER BY c.period DESC LIMIT 1
    ) AS previous_value,
    (SELECT period FROM meeting) AS meeting_period,
    (
        SELECT c.value FROM county AS c, meeting AS m
        WHERE c.kpi_code = h.kpi_code AND c.period = m.period
    ) AS meeting_value
FROM plan_actions AS a
INNER JOIN year_of AS y ON a.plan_year = y.plan_year
LEFT JOIN headline AS h ON a.action = h.action
LEFT JOIN county AS now_ ON h.kpi_code = now_.kpi_code AND now_.period = $month
ORDER BY a.action, h.kpi_code;
