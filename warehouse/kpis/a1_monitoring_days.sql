-- A1-IDENT / A1-ENTRY: of the 监测户 households identified this year (识别认定日期 from
-- 1 January to the month's end), the share identified within $days days of the risk clue
-- ($step = 'identify') or entered in the system within $days days of identification
-- ($step = 'entry'). A household counts once, with the dates and village of its earliest
-- 监测户 row.
WITH households AS (
    SELECT period, household_id, town_code, village_code, risk_found_date, identified_date, entered_date
    FROM stg_roster
    WHERE household_type = '监测户'
    QUALIFY row_number() OVER (PARTITION BY period, household_id ORDER BY row_number) = 1
)

SELECT
    h.period,
    h.town_code,
    h.village_code,
    count(*) FILTER (
        WHERE CASE
            WHEN $step = 'identify' THEN date_diff('day', h.risk_found_date, h.identified_date) <= $days
            ELSE date_diff('day', h.identified_date, h.entered_date) <= $days
        END
    ) AS numerator,
    count(*) AS denominator
FROM households AS h
INNER JOIN core_months AS m ON h.period = m.period
WHERE h.identified_date >= make_date(year(m.period_end), 1, 1)
    AND h.identified_date <= m.period_end
GROUP BY h.period, h.town_code, h.village_code
