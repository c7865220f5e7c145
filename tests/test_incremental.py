"""`run` re-evaluates exactly the (check, month) pairs whose inputs changed, keeps the rest,
and journals every validation (etl/journal.py)."""

from __future__ import annotations

import os

import pytest
from conftest import query, run_etl
from county import TUQIAO, Month, person, write_county, write_month

from etl.journal import journal_path
from expectations.catalog import checks

P = {n: person(n) for n in range(1, 6)}
MONTHS = [
    Month(
        period,
        roster=[(P[1], "务工"), (P[2], "未务工"), (P[3], "务工")],
        employment=[(P[1], TUQIAO), (P[3], TUQIAO)],
        training=[(P[1], True)],
        loans=[("XD-1", P[1], 30000, 0)],
    )
    for period in ("2024-04", "2024-05", "2024-06")
]
# The checks that read `employment` (docs/contract-readings.md), and those that read the
# year's months so far: a changed May file concerns them in May (and June).
READ_EMPLOYMENT = {"U01", "X04", "X05", "X06", "X08", "X19", "X22"}
YEAR_TO_DATE = {"X19"}


def last_run(warehouse) -> tuple[int, set[tuple[str, str]], int]:
    """(run id, the pairs it evaluated, the pairs it kept) of the journal's latest run."""
    journal = journal_path(warehouse)
    [(run_id, kept)] = query(
        journal, "SELECT run_id, kept FROM validation_runs ORDER BY run_id DESC LIMIT 1"
    )
    pairs = query(
        journal,
        "SELECT check_id, period FROM validation_results WHERE run_id = ? AND evaluated",
        [run_id],
    )
    return run_id, set(pairs), kept


@pytest.fixture
def county(tmp_path):
    inbox = tmp_path / "county" / "inbox"
    write_county(inbox, MONTHS)
    warehouse = tmp_path / "xunyi.duckdb"
    assert run_etl("run", str(inbox.parent), warehouse=warehouse).returncode == 0
    return inbox, warehouse


def test_a_changed_file_re_evaluates_exactly_the_pairs_that_read_it(county):
    inbox, warehouse = county
    declared = {c.id for c in checks()}
    run_id, first, kept = last_run(warehouse)
    assert (run_id, kept) == (1, 0)
    assert first == {(c, m.period) for c in declared for m in MONTHS}

    again = run_etl("run", str(inbox.parent), warehouse=warehouse)
    assert again.returncode == 0
    run_id, evaluated, kept = last_run(warehouse)
    assert (run_id, evaluated, kept) == (2, set(), len(first))  # nothing changed

    # The HR bureau corrects May: P[2] worked too (X04 and X05 now fail in May).
    write_month(
        inbox, Month("2024-05", employment=[(P[1], TUQIAO), (P[3], TUQIAO), (P[2], TUQIAO)])
    )
    corrected = run_etl("run", str(inbox.parent), warehouse=warehouse)
    assert corrected.returncode == 0, corrected.stdout + corrected.stderr
    run_id, evaluated, kept = last_run(warehouse)
    expected = {(c, "2024-05") for c in READ_EMPLOYMENT & declared}
    expected |= {(c, "2024-06") for c in YEAR_TO_DATE & declared}
    assert (run_id, evaluated) == (3, expected)
    assert kept == len(first) - len(expected)
    assert query(
        warehouse,
        "SELECT period, status FROM v_check_results WHERE check_id = 'X04' ORDER BY period",
    ) == [("2024-04", "passed"), ("2024-05", "failed"), ("2024-06", "passed")]
    # validate judges every pair again, and says so in the journal
    assert run_etl("validate", warehouse=warehouse).returncode == 0
    run_id, evaluated, kept = last_run(warehouse)
    assert (run_id, evaluated, kept) == (4, first, 0)
    [(command,)] = query(
        journal_path(warehouse), "SELECT command FROM validation_runs WHERE run_id = 4"
    )
    assert command == "validate"


def test_a_new_month_keeps_the_earlier_months(county):
    inbox, warehouse = county
    write_month(inbox, Month("2024-07", roster=[(P[1], "务工")], employment=[(P[1], TUQIAO)]))
    assert run_etl("run", str(inbox.parent), warehouse=warehouse).returncode == 0
    _, evaluated, _ = last_run(warehouse)
    assert {m for _, m in evaluated} == {"2024-07"}
    assert {c for c, _ in evaluated} == {c.id for c in checks()}


def test_a_changed_check_is_re_evaluated(county, tmp_path):
    """The check's SQL is part of its inputs: a copy of the repository with X05's SQL
    changed (a comment added) re-evaluates X05 in every month, nothing else."""
    from conftest import clean_copy

    inbox, warehouse = county
    copy = clean_copy(tmp_path / "repo")
    sql = copy / "warehouse" / "checks" / "X05.sql"
    sql.write_text(sql.read_text(encoding="utf-8") + "\n-- reviewed\n", encoding="utf-8")
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "etl", "run", str(inbox.parent), "--warehouse", str(warehouse)],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(copy)},
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    _, evaluated, _ = last_run(warehouse)
    assert evaluated == {("X05", m.period) for m in MONTHS}


def test_run_re_evaluates_what_the_clock_decides_without_a_new_file(tmp_path):
    """A missing report is judged once its month has ended, and X10's parts once their
    deadline month has: `run` re-evaluates those pairs when the clock passes the date,
    without any new file, and keeps every other."""
    inbox = tmp_path / "county" / "inbox"
    write_county(inbox, MONTHS)
    warehouse = tmp_path / "xunyi.duckdb"

    def run_on(today: str) -> set[tuple[str, str]]:
        done = run_etl("run", str(inbox.parent), warehouse=warehouse, env_today=today)
        assert done.returncode == 0, done.stdout + done.stderr
        return last_run(warehouse)[1]

    def x18(period: str) -> tuple[str, str | None]:
        return query(
            warehouse,
            "SELECT status, note FROM v_check_results WHERE check_id = 'X18' AND period = ?",
            [period],
        )[0]

    run_on("2024-06-20")  # June not over: its missing housing report is not yet late
    status, note = x18("2024-06")
    assert status == "not_evaluated" and "尚未结束" in note
    assert x18("2024-05")[0] == "failed"  # May is over: no report is a failure

    completeness = {c.id for c in checks() if c.completeness}
    assert run_on("2024-06-25") == set()  # the same day, in effect: nothing to do
    assert run_on("2024-07-01") == {(c, "2024-06") for c in completeness}
    assert x18("2024-06")[0] == "failed"

    # X10's 竣工 deadline (x10_completed_from, 2024-10) passing: X10 only, in every month
    assert run_on("2024-10-31") == set()
    assert run_on("2024-11-01") == {("X10", m.period) for m in MONTHS}
