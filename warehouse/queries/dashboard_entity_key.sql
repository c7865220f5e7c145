-- Dashboard checks page, recording an exception: the entity key behind a reference
-- (`entity_ref` of dashboard_check_failures) — read by the data module for the journal,
-- never shown. Only an entity failing that check in that month resolves.
SELECT DISTINCT entity_key
FROM open_failures
WHERE check_id = $check
    AND period = $month
    AND md5(check_id || '|' || entity_key) = $entity_ref
    AND $see_rows
    AND in_scope($scope_town, town_code, ledger_town_code);
