-- The failing rows still open: check_failures less the accepted exceptions (who, when, why
-- in check_exceptions, a copy of the journal's as of this publish). v_check_failures shows
-- its interface columns; pages read the rest.
CREATE OR REPLACE VIEW check_failures_open AS
SELECT f.*
FROM check_failures AS f
WHERE NOT EXISTS (
    SELECT 1
    FROM check_exceptions AS x
    WHERE x.check_id = f.check_id
        AND x.entity_key = f.entity_key
        AND f.period <= x.up_to_period
);
