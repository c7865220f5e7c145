"""`validate`: run every check on every loaded month, store the verdicts and failing rows.

For each check and month: not evaluated (decided here, from which ledgers have data — an
expectation over an empty batch would pass), else great-expectations' verdict, and every
failing row from the check's SQL run directly. The two must agree, or validation stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from etl.load import now_beijing
from etl.warehouse import Build, sql_text
from expectations.catalog import Check, checks
from expectations.verdicts import SAMPLE_LIMIT, gx_verdicts


class NoSuchPeriod(ValueError):
    """`--period` names a month with no data."""


class VerdictMismatch(RuntimeError):
    """great-expectations and the direct SQL disagree: a bug, never a data problem."""


@dataclass
class Validation:
    months: list[str]
    results: list[tuple[str, str, str]] = field(default_factory=list)  # check, period, status
    failures: pl.DataFrame | None = None


def create_check_views(con) -> None:
    """check_<id>: each check's failing rows over every evaluated month, for analysts."""
    for check in checks():
        con.execute(f"CREATE OR REPLACE VIEW {check.view} AS\n" + check.scoped("core_months"))


def _ledgers_by_month(con, months: list[str]) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT period, source FROM core_ledger_months WHERE list_contains(?, period)", [months]
    ).fetchall()
    found: dict[str, set[str]] = {m: set() for m in months}
    for period, source in rows:
        found[period].add(source)
    return found


def _direct_failures(con, check: Check) -> pl.DataFrame:
    """Every failing row of the months in check_months: the check's SQL, run directly."""
    return con.sql(check.scoped("check_months")).pl()


def _reconcile(check: Check, period: str, rows: pl.DataFrame, verdict) -> None:
    """great-expectations' verdict and count must match the rows the SQL returns."""
    direct_keys = set(rows["entity_key"].cast(pl.String).to_list())
    problems = []
    if verdict.success != (rows.height == 0):
        problems.append(
            f"verdict {'passed' if verdict.success else 'failed'} vs {rows.height} rows"
        )
    if verdict.failing_rows != rows.height:
        problems.append(f"{verdict.failing_rows} rows counted vs {rows.height} returned")
    if rows.height <= SAMPLE_LIMIT and verdict.sample_keys != direct_keys:
        problems.append("different entity keys")
    if not verdict.sample_keys <= direct_keys:
        problems.append("great-expectations returned keys the SQL does not")
    if problems:
        raise VerdictMismatch(f"{check.id} {period}: " + "; ".join(problems))


def validate(build: Build, period: str | None = None) -> Validation:
    con = build.con
    months = [
        r[0] for r in con.execute("SELECT period FROM core_months ORDER BY period").fetchall()
    ]
    if period is not None:
        if period not in months:
            raise NoSuchPeriod(period)
        months = [period]
    create_check_views(con)
    con.execute(
        "CREATE OR REPLACE TABLE check_months AS "
        "SELECT period, period_start FROM core_months WHERE list_contains(?, period)",
        [months],
    )
    ledgers = _ledgers_by_month(con, months)
    evaluated = {(c.id, m) for c in checks() for m in months if c.evaluated(ledgers[m])}
    direct = {c.id: _direct_failures(con, c) for c in checks()}

    for check in checks():
        stray = direct[check.id].filter(
            ~pl.col("period").is_in([m for m in months if (check.id, m) in evaluated])
        )
        if stray.height:
            raise VerdictMismatch(f"{check.id}: failing rows in months it does not evaluate")

    with build.released() as path:
        verdicts = gx_verdicts(path, list(checks()), months) if months else {}
    con = build.con

    validation = Validation(months=months)
    frames = []
    for check in checks():
        for month in months:
            if (check.id, month) not in evaluated:
                validation.results.append((check.id, month, "not_evaluated"))
                continue
            rows = direct[check.id].filter(pl.col("period") == month)
            _reconcile(check, month, rows, verdicts[(check.id, month)])
            validation.results.append((check.id, month, "passed" if rows.height == 0 else "failed"))
            if rows.height:
                frames.append(rows.with_columns(check_id=pl.lit(check.id)))
    failures = pl.concat(frames, how="diagonal_relaxed") if frames else None
    _store(con, validation, failures)
    validation.failures = failures
    return validation


def _store(con, validation: Validation, failures: pl.DataFrame | None) -> None:
    now = now_beijing()
    con.execute("BEGIN")
    con.execute("DELETE FROM check_results WHERE list_contains(?, period)", [validation.months])
    con.execute("DELETE FROM check_failures WHERE list_contains(?, period)", [validation.months])
    con.executemany(
        "INSERT INTO check_results VALUES (?, ?, ?, ?)",
        [[c, p, s, now] for c, p, s in validation.results],
    )
    if failures is not None:
        con.register("incoming_failures", failures)
        con.execute(sql_text("checks/_store_failures.sql"))
        con.unregister("incoming_failures")
    con.execute("COMMIT")
