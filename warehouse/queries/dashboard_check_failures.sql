-- Dashboard data page: every failing row of one check ($check) in one month ($month), in the
-- chosen place ($town, $village; NULL for the whole county), as a data officer acts on it:
-- who (masked), which household and place, which ledger, file and row the clerk can find,
-- and what disagrees. The 姓名 is the roster's for that month (kept by `validate`), masked
-- to the surname.
WITH failing AS (
    SELECT *
    FROM check_failures_open
    WHERE check_id = $check
        AND period = $month
        AND ($town IS NULL OR town_code = $town)
        AND ($village IS NULL OR village_code = $village)
),

towns AS (
    SELECT DISTINCT town_code, town_name FROM ref_villages
),

-- A village-level check (X05) names two ledgers, comma-separated: title each.
ledger_parts AS (
    SELECT DISTINCT
        ledger,
        unnest(string_split(ledger, ',')) AS part
    FROM failing
),

ledger_titles AS (
    SELECT
        p.ledger,
        string_agg(coalesce(s.title, p.part), '、' ORDER BY p.part) AS ledger_title
    FROM ledger_parts AS p
    LEFT JOIN source_catalog AS s ON p.part = s.source
    GROUP BY p.ledger
)

SELECT
    t.town_name,
    v.village_name,
    mask_id(f.id_number) AS id_number,
    mask_name(f.person_name) AS person_name,
    f.household_id,
    coalesce(lt.ledger_title, f.ledger) AS ledger_title,
    f.file_name,
    f.row_number,
    mask_cell(NULL, f.detail) AS detail,
    -- what failed when it is not the person: a village, a loan contract, a project …
    CASE WHEN f.entity_key IS DISTINCT FROM f.id_number THEN mask_cell(NULL, f.entity_key) END AS entity_key
FROM failing AS f
LEFT JOIN towns AS t ON f.town_code = t.town_code
LEFT JOIN ref_villages AS v ON f.village_code = v.village_code
LEFT JOIN ledger_titles AS lt ON f.ledger = lt.ledger
ORDER BY f.town_code NULLS LAST, f.village_code NULLS LAST, f.entity_key, f.file_name, f.row_number;
