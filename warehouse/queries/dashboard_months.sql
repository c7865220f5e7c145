-- Dashboard: the months it offers (YYYY-MM), latest first — every month with indicators or
-- check results.
SELECT period
FROM (
    SELECT period FROM v_kpi
    UNION
    SELECT period FROM v_check_results
)
ORDER BY period DESC;
