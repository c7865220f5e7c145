-- Dashboard: the plan's ten actions for the month's year ($month), by number.
SELECT action, title
FROM plan_actions
WHERE plan_year = CAST(left($month, 4) AS INTEGER)
ORDER BY action;
