-- U02 (error): dates in order, row by row, comparing only the dates that are filled (a
-- missing date is U04's): roster 风险发现 ≤ 识别认定 ≤ 系统录入; training 开班 ≤ 结业;
-- housing_renovation 开工 ≤ 竣工 ≤ 验收 ≤ 补助兑付; loans 放款 < 到期; projects 开工 ≤ 完工.
-- A ledger is judged in the months it has data; the entity is the row's U01 key.
WITH months AS (
    SELECT DISTINCT period
    FROM core_ledger_months
    WHERE source IN ('roster', 'training', 'housing_renovation', 'loans', 'projects')
    INTERSECT
    SELECT period FROM check_scope
),

-- Filled dates in order: no pair of them goes back (a NULL comparison is no failure).
out_of_order AS (
    SELECT
        'roster' AS ledger, r.period, r.file_name, r.row_number,
        r.id_number AS entity_key, r.id_number, r.household_id, r.town_code, r.village_code,
        concat_ws(
            '、',
            '风险发现日期 ' || CAST(r.risk_found_date AS VARCHAR),
            '识别认定日期 ' || CAST(r.identified_date AS VARCHAR),
            '系统录入日期 ' || CAST(r.entered_date AS VARCHAR)
        ) || '：应为 风险发现 ≤ 识别认定 ≤ 系统录入' AS detail
    FROM stg_roster AS r
    INNER JOIN months AS m ON r.period = m.period
    WHERE r.risk_found_date > r.identified_date
        OR r.risk_found_date > r.entered_date
        OR r.identified_date > r.entered_date

    UNION ALL

    SELECT
        'training', t.period, t.file_name, t.row_number,
        t.id_number, t.id_number, NULL, t.town_code, t.village_code,
        '开班日期 ' || CAST(t.start_date AS VARCHAR) || '、结业日期 ' || CAST(t.end_date AS VARCHAR)
        || '：结业早于开班'
    FROM stg_training AS t
    INNER JOIN months AS m ON t.period = m.period
    WHERE t.start_date > t.end_date

    UNION ALL

    SELECT
        'housing_renovation', h.period, h.file_name, h.row_number,
        h.id_number, h.id_number, NULL, h.town_code, h.village_code,
        concat_ws(
            '、',
            '开工日期 ' || CAST(h.started_date AS VARCHAR),
            '竣工日期 ' || CAST(h.completed_date AS VARCHAR),
            '验收日期 ' || CAST(h.accepted_date AS VARCHAR),
            '补助兑付日期 ' || CAST(h.paid_date AS VARCHAR)
        ) || '：应为 开工 ≤ 竣工 ≤ 验收 ≤ 补助兑付'
    FROM stg_housing_renovation AS h
    INNER JOIN months AS m ON h.period = m.period
    WHERE h.started_date > h.completed_date
        OR h.started_date > h.accepted_date
        OR h.started_date > h.paid_date
        OR h.completed_date > h.accepted_date
        OR h.completed_date > h.paid_date
        OR h.accepted_date > h.paid_date

    UNION ALL

    SELECT
        'loans', l.period, l.file_name, l.row_number,
        l.contract_id, l.id_number, NULL, l.town_code, l.village_code,
        '放款日期 ' || CAST(l.issued_date AS VARCHAR) || '、到期日期 ' || CAST(l.due_date AS VARCHAR)
        || '：到期日期应晚于放款日期'
    FROM stg_loans AS l
    INNER JOIN months AS m ON l.period = m.period
    WHERE l.issued_date >= l.due_date

    UNION ALL

    SELECT
        'projects', p.period, p.file_name, p.row_number,
        p.project_id, NULL, NULL, p.town_code, p.village_code,
        '开工日期 ' || CAST(p.started_date AS VARCHAR) || '、完工日期 ' || CAST(p.finished_date AS VARCHAR)
        || '：完工早于开工'
    FROM stg_projects AS p
    INNER JOIN months AS m ON p.period = m.period
    WHERE p.started_date > p.finished_date
)

SELECT
    period,
    entity_key,
    id_number,
    household_id,
    town_code,
    village_code,
    ledger,
    file_name,
    row_number,
    detail
FROM out_of_order
