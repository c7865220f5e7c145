-- Dashboard: the county's townships (code, name), in gazetteer order.
SELECT DISTINCT
    town_code,
    town_name
FROM ref_villages
ORDER BY town_code;
