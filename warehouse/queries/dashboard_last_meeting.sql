-- Dashboard 十大行动 page: the last dispatch meeting (季调度) before the month ($month).
SELECT max(period) AS period
FROM plan_meetings
WHERE plan_year = CAST(left($month, 4) AS INTEGER) AND period < $month
HAVING max(period) IS NOT NULL;
