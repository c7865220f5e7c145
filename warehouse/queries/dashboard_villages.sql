-- Dashboard: the villages of one township ($town), in gazetteer order. Names repeat across
-- townships: the code is the key.
SELECT
    village_code,
    village_name
FROM ref_villages
WHERE town_code = $town
ORDER BY village_code;
