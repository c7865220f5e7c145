-- Dashboard data and checks pages: every open failing row of one check ($check) in one
-- month ($month), in the chosen place ($town, $village; NULL for the whole county), as a
-- data officer acts on it: who (masked), which household and place, which ledger, file and
-- row the clerk can find, and what disagrees. In the viewer's scope ($see_rows, $scope_town:
-- the row's township or its ledger row's; $unmask). The rows of one entity sit together (its
-- `roster` row beside its `employment` row), numbered by `entity_no`; `entity_ref` names
-- the entity without showing it (for recording an exception; never shown). The 姓名 is the
-- roster's for that month (kept by `validate`), masked to the surname. On the journal
-- overlay: a row an active exception explains is not here.
WITH failing AS (
    SELECT *
    FROM open_failures
    WHERE check_id = $check
        AND period = $month
        AND ($town IS NULL OR town_code = $town)
        AND ($village IS NULL OR village_code = $village)
        AND $see_rows
        AND in_scope($scope_town, town_code, ledger_town_code)
),

-- an entity sits where its first row sits
entities AS (
    SELECT
        entity_key,
        min(coalesce(town_code, '') || '|' || coalesce(village_code, '')) AS place_order
    FROM failing
    GROUP BY entity_key
),

numbered AS (
    SELECT
        entity_key,
        row_number() OVER (ORDER BY place_order, entity_key) AS entity_no
    FROM entities
),

towns AS (
    SELECT DISTINCT town_code, town_name FROM ref_villages
)

SELECT
    n.entity_no,
    t.town_name,
    v.village_name,
    shown_id(f.id_number, $unmask) AS id_number,
    shown_name(f.person_name, $unmask) AS person_name,
    f.household_id,
    coalesce(lt.ledger_title, f.ledger) AS ledger_title,
    f.file_name,
    f.row_number,
    shown_cell(NULL, f.detail, $unmask) AS detail,
    -- what failed when it is not the person: a village, a loan contract, a project …
    CASE WHEN f.entity_key IS DISTINCT FROM f.id_number THEN shown_cell(NULL, f.entity_key, $unmask) END AS entity_key,
    md5(f.check_id || '|' || f.entity_key) AS entity_ref
FROM failing AS f
INNER JOIN numbered AS n ON f.entity_key = n.entity_key
LEFT JOIN towns AS t ON f.town_code = t.town_code
LEFT JOIN ref_villages AS v ON f.village_code = v.village_code
LEFT JOIN ledger_titles AS lt ON f.ledger = lt.ledger
ORDER BY n.entity_no, f.ledger, f.file_name, f.row_number;
