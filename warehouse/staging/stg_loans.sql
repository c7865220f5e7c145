-- The banks' micro-credit ledger (脱贫人口小额信贷台账) as loaded, with its file.
CREATE OR REPLACE VIEW stg_loans AS
SELECT
    n.period,
    l.file_name,
    n.row_number,
    n.contract_id,
    n.name,
    n.id_number,
    n.household_type,
    n.town_code,
    n.village_code,
    n.bank,
    n.issued_date,
    n.due_date,
    n.amount,
    n.balance,
    n.overdue_amount,
    n.overdue_days,
    n.interest_subsidy,
    n.risk_compensated
FROM ledger_loans AS n
INNER JOIN load_log AS l ON n.load_id = l.load_id;
