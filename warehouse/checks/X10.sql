-- X10 (error): from the configured x10_completed_from month on, a housing_renovation row
-- with no 竣工日期; from x10_accepted_paid_from on, also one with no 验收日期 or no 补助兑付日期. A
-- deadline is its month's last day: it is judged once that day has passed (check_clock), so
-- an October report validated before 31 October is not yet judged on 竣工. Earlier months are
-- evaluated and pass. Entity: the 户主's 身份证号.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'housing_renovation'
    INTERSECT
    SELECT period FROM check_scope
),

deadlines AS (  -- per month, which deadlines apply: its month has come and has ended
    SELECT
        m.period,
        coalesce(bool_or(s.name = 'x10_completed_from'), FALSE) AS completed_due,
        coalesce(bool_or(s.name = 'x10_accepted_paid_from'), FALSE) AS accepted_paid_due
    FROM months AS m
    CROSS JOIN check_clock AS c
    LEFT JOIN check_settings AS s
        ON s.plan_year = CAST(left(m.period, 4) AS INTEGER)
        AND s.name IN ('x10_completed_from', 'x10_accepted_paid_from')
        AND s.text <= m.period
        AND CAST(s.text || '-01' AS DATE) + INTERVAL 1 MONTH <= c.today
    GROUP BY m.period
),

failing AS (
    SELECT
        h.*,
        d.completed_due AND h.completed_date IS NULL AS not_completed,
        d.accepted_paid_due AND h.accepted_date IS NULL AS not_accepted,
        d.accepted_paid_due AND h.paid_date IS NULL AS not_paid
    FROM stg_housing_renovation AS h
    INNER JOIN deadlines AS d ON h.period = d.period
)

SELECT
    period,
    id_number AS entity_key,
    id_number,
    NULL AS household_id,
    town_code,
    village_code,
    'housing_renovation' AS ledger,
    file_name,
    row_number,
    '已过截止日期，尚无'
    || concat_ws(
        '、',
        CASE WHEN not_completed THEN '竣工日期' END,
        CASE WHEN not_accepted THEN '验收日期' END,
        CASE WHEN not_paid THEN '补助兑付日期' END
    ) AS detail
FROM failing
WHERE not_completed OR not_accepted OR not_paid
