-- Dashboard leaders' page: what needs a decision in one month ($month) — every indicator
-- off track at county level (with its action and lead department) and every error-level
-- check still failing (on the journal overlay: accepted exceptions do not count), each
-- with what a link to its page needs.
SELECT
    'indicator' AS item,
    v.action,
    v.kpi_code AS code,
    v.name AS title,
    v.lead AS department,
    v.value,
    v.target,
    v.expected,
    v.unit,
    CAST(NULL AS BIGINT) AS failing_rows
FROM v_kpi AS v
WHERE v.period = $month AND v.level = 'county' AND v.status = 'off_track'

UNION ALL

SELECT
    'check',
    CAST(NULL AS INTEGER),
    r.check_id,
    c.title,
    c.department,
    NULL,
    NULL,
    NULL,
    NULL,
    r.failing_rows
FROM open_results AS r
INNER JOIN check_catalog AS c ON r.check_id = c.check_id
WHERE r.period = $month AND r.status = 'failed' AND r.severity = 'error'
ORDER BY item DESC, action NULLS LAST, code;
