-- Dashboard checks page: every validation in the journal, newest first — when it ran,
-- which command ran it, the months it judged, how many (check, month) pairs it evaluated
-- and kept, and how many pairs stood failed after it.
WITH failed AS (
    SELECT run_id, count(*) AS failed_pairs
    FROM journal.validation_results
    WHERE status = 'failed'
    GROUP BY run_id
)

SELECT
    r.run_id,
    r.started_at,
    r.finished_at,
    r.command,
    array_to_string(list_sort(r.months), '、') AS run_months,
    r.evaluated,
    r.kept,
    coalesce(f.failed_pairs, 0) AS failed_pairs
FROM journal.validation_runs AS r
LEFT JOIN failed AS f ON r.run_id = f.run_id
ORDER BY r.run_id DESC;
