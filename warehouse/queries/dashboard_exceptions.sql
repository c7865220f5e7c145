-- Dashboard checks page: every exception in the journal — active first, newest first —
-- with who accepted it, when, why and up to which month, who withdrew it; what it
-- explains now (failing rows and months of the warehouse it keeps out of the checks);
-- the entity and person masked unless the viewer may see them ($unmask), free text masked
-- where it holds an ID; a 乡镇专员 sees the exceptions of entities failing in the township.
WITH covered AS (
    SELECT
        x.exception_id,
        count(*) AS covered_rows,
        count(DISTINCT f.period) AS covered_months
    FROM journal.exceptions AS x
    INNER JOIN check_failures AS f
        ON x.check_id = f.check_id
        AND x.entity_key = f.entity_key
        AND f.period <= x.up_to_period
    WHERE x.withdrawn_at IS NULL
    GROUP BY x.exception_id
),

names AS (
    SELECT
        check_id,
        entity_key,
        max(person_name) AS person_name,
        bool_or(in_scope($scope_town, town_code, ledger_town_code)) AS in_scope
    FROM check_failures
    GROUP BY check_id, entity_key
)

SELECT
    x.exception_id,
    CASE WHEN x.withdrawn_at IS NULL THEN 'active' ELSE 'withdrawn' END AS exception_status,
    x.check_id,
    c.title AS check_title,
    shown_cell(NULL, x.entity_key, $unmask) AS exception_entity,
    shown_name(n.person_name, $unmask) AS person_name,
    x.up_to_period,
    mask_cell(NULL, x.reason) AS exception_reason,
    x.accepted_by,
    x.accepted_at,
    coalesce(v.covered_rows, 0) AS covered_rows,
    coalesce(v.covered_months, 0) AS covered_months,
    x.withdrawn_by,
    x.withdrawn_at,
    mask_cell(NULL, x.withdrawn_reason) AS withdrawn_reason
FROM journal.exceptions AS x
LEFT JOIN check_catalog AS c ON x.check_id = c.check_id
LEFT JOIN names AS n ON x.check_id = n.check_id AND x.entity_key = n.entity_key
LEFT JOIN covered AS v ON x.exception_id = v.exception_id
WHERE $see_rows AND ($scope_town IS NULL OR n.in_scope)
ORDER BY x.withdrawn_at IS NOT NULL, x.exception_id DESC;
