-- Store the failing rows `validate` found (registered as incoming_failures). A person's
-- township and village are those of their roster row (the earliest) where they are in
-- `roster` that month, else the failing ledger row's own (spec/interfaces.md); the name
-- kept beside them is that roster row's; the ledger row's own township is kept too.
INSERT INTO check_failures
WITH roster_place AS (
    SELECT
        period,
        id_number,
        min_by(town_code, row_number) AS town_code,
        min_by(village_code, row_number) AS village_code,
        min_by(name, row_number) AS person_name
    FROM stg_roster
    GROUP BY period, id_number
)

SELECT
    f.check_id,
    f.period,
    CAST(f.entity_key AS VARCHAR) AS entity_key,
    f.id_number,
    f.household_id,
    coalesce(rp.town_code, f.town_code) AS town_code,
    coalesce(rp.village_code, f.village_code) AS village_code,
    f.ledger,
    f.file_name,
    f.row_number,
    f.detail,
    rp.person_name,
    f.town_code AS ledger_town_code
FROM incoming_failures AS f
LEFT JOIN roster_place AS rp ON f.period = rp.period AND f.id_number = rp.id_number
