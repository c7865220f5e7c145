-- X19 (error): the 跨省交通补助 in the month's employment ledger (a filled, non-zero amount is a
-- payment made this month): a 省外务工 row paid another amount than x19_transport_subsidy; a
-- row of another 就业形式 paid one; a person paid this month who was paid in an earlier loaded
-- month of the year (the month of the second payment fails). Entity: the 身份证号; failing
-- rows: the month's paid rows.
WITH months AS (
    SELECT period FROM core_ledger_months WHERE source = 'employment'
    INTERSECT
    SELECT period FROM check_scope
),

paid AS MATERIALIZED (  -- every payment of the years judged, up to the latest month judged
    SELECT e.period, e.file_name, e.row_number, e.id_number, e.town_code, e.village_code,
        e.employment_form, e.transport_subsidy
    FROM stg_employment AS e
    WHERE e.transport_subsidy <> 0
        AND e.period <= (SELECT max(period) FROM months)
        AND left(e.period, 4) IN (SELECT left(period, 4) FROM months)
),

earlier AS (  -- per judged month, each person's first earlier payment month of the year
    SELECT m.period, p.id_number, min(p.period) AS first_paid
    FROM months AS m
    INNER JOIN paid AS p ON left(p.period, 4) = left(m.period, 4) AND p.period < m.period
    GROUP BY m.period, p.id_number
),

judged AS (
    SELECT
        p.*,
        CAST(s.number AS DECIMAL(18, 2)) AS standard,
        e.first_paid
    FROM paid AS p
    INNER JOIN months AS m ON p.period = m.period
    INNER JOIN check_settings AS s
        ON s.plan_year = CAST(left(p.period, 4) AS INTEGER) AND s.name = 'x19_transport_subsidy'
    LEFT JOIN earlier AS e ON p.period = e.period AND p.id_number = e.id_number
)

SELECT
    period,
    id_number AS entity_key,
    id_number,
    NULL AS household_id,
    town_code,
    village_code,
    'employment' AS ledger,
    file_name,
    row_number,
    '本月发放跨省交通补助 '
    || regexp_replace(CAST(transport_subsidy AS VARCHAR), '\.?0+$', '') || ' 元：'
    || concat_ws(
        '；',
        CASE WHEN employment_form <> '省外务工'
            THEN '就业形式为' || employment_form || '，只有省外务工发放' END,
        CASE WHEN employment_form = '省外务工' AND transport_subsidy <> standard
            THEN '标准为配置值 ' || regexp_replace(CAST(standard AS VARCHAR), '\.?0+$', '') || ' 元' END,
        CASE WHEN first_paid IS NOT NULL
            THEN '本年 ' || first_paid || ' 已发放过，每年只发一次' END
    ) AS detail
FROM judged
WHERE employment_form <> '省外务工' OR transport_subsidy <> standard OR first_paid IS NOT NULL
