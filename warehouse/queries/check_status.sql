-- `status`: per month, how many checks failed at each severity, and how many could not run.
SELECT
    period,
    count(*) FILTER (WHERE status = 'failed' AND severity = 'error') AS failed_errors,
    count(*) FILTER (WHERE status = 'failed' AND severity = 'warning') AS failed_warnings,
    count(*) FILTER (WHERE status = 'passed') AS passed,
    count(*) FILTER (WHERE status = 'not_evaluated') AS not_evaluated,
    max(evaluated_at) AS evaluated_at
FROM v_check_results
GROUP BY period
ORDER BY period;
