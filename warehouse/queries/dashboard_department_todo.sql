-- Dashboard checks page: one department's to-do list ($department) — every open failing
-- row of its ledgers in every month, newest first, as the clerk finds it (file, Excel row,
-- township, village), with the check, its rule and what disagrees, in the viewer's scope
-- (persons unmasked only for a role that may see them: $unmask). The
-- to-do on screen and the department's fix sheet (整改清单) are both this.
WITH towns AS (
    SELECT DISTINCT town_code, town_name FROM ref_villages
)

SELECT
    f.period,
    f.check_id,
    c.title AS check_title,
    c.severity,
    coalesce(lt.ledger_title, f.ledger) AS ledger_title,
    f.file_name,
    f.row_number,
    t.town_name,
    v.village_name,
    shown_id(f.id_number, $unmask) AS id_number,
    shown_name(f.person_name, $unmask) AS person_name,
    f.household_id,
    CASE WHEN f.entity_key IS DISTINCT FROM f.id_number THEN shown_cell(NULL, f.entity_key, $unmask) END AS entity_key,
    shown_cell(NULL, f.detail, $unmask) AS detail,
    c.rule
FROM open_failures AS f
INNER JOIN ledger_departments AS d ON f.ledger = d.ledger
INNER JOIN check_catalog AS c ON f.check_id = c.check_id
LEFT JOIN ledger_titles AS lt ON f.ledger = lt.ledger
LEFT JOIN towns AS t ON f.town_code = t.town_code
LEFT JOIN ref_villages AS v ON f.village_code = v.village_code
WHERE d.department = $department
    AND $see_rows
    AND in_scope($scope_town, f.town_code, f.ledger_town_code)
ORDER BY
    f.period DESC,
    CASE c.severity WHEN 'error' THEN 0 ELSE 1 END,
    f.check_id,
    f.file_name NULLS LAST,
    f.row_number,
    f.entity_key;
