-- X13 (error): the month's new entries — roster rows of 监测户 whose 系统录入日期 falls in the month
-- — identified more than x13_identify_days after the risk was found (识别认定日期 − 风险发现日期), or
-- entered more than x13_entry_days after identification (系统录入日期 − 识别认定日期). Judged row by
-- row: every member's row carries the household's dates, so each member fails as their own
-- entity.
WITH months AS (
    SELECT m.period, m.period_start, m.period_end
    FROM core_months AS m
    WHERE m.period IN (
        SELECT period FROM core_ledger_months WHERE source = 'roster'
        INTERSECT
        SELECT period FROM check_scope
    )
),

limits AS (
    SELECT
        plan_year,
        max(number) FILTER (WHERE name = 'x13_identify_days') AS identify_days,
        max(number) FILTER (WHERE name = 'x13_entry_days') AS entry_days
    FROM check_settings
    WHERE name IN ('x13_identify_days', 'x13_entry_days')
    GROUP BY plan_year
),

entries AS (
    SELECT
        r.*,
        date_diff('day', r.risk_found_date, r.identified_date) AS identify_delay,
        date_diff('day', r.identified_date, r.entered_date) AS entry_delay,
        lim.identify_days,
        lim.entry_days
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
    INNER JOIN limits AS lim ON lim.plan_year = CAST(left(r.period, 4) AS INTEGER)
    WHERE r.household_type = '监测户'
        AND r.entered_date >= m.period_start
        AND r.entered_date <= m.period_end
)

SELECT
    period,
    id_number AS entity_key,
    id_number,
    household_id,
    town_code,
    village_code,
    'roster' AS ledger,
    file_name,
    row_number,
    concat_ws(
        '；',
        CASE WHEN identify_delay > identify_days THEN
            '风险发现日期 ' || CAST(risk_found_date AS VARCHAR) || '，识别认定日期 '
            || CAST(identified_date AS VARCHAR) || '，相隔 ' || identify_delay
            || ' 天，超过配置值 ' || CAST(CAST(identify_days AS INTEGER) AS VARCHAR) || ' 天'
        END,
        CASE WHEN entry_delay > entry_days THEN
            '识别认定日期 ' || CAST(identified_date AS VARCHAR) || '，系统录入日期 '
            || CAST(entered_date AS VARCHAR) || '，相隔 ' || entry_delay
            || ' 天，超过配置值 ' || CAST(CAST(entry_days AS INTEGER) AS VARCHAR) || ' 天'
        END
    ) AS detail
FROM entries
WHERE identify_delay > identify_days OR entry_delay > entry_days
