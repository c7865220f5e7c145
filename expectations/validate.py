"""`validate`: run the checks on the loaded months, store the verdicts and failing rows.

For each (check, month) pair: not evaluated when a ledger it needs has no data (decided
here — an expectation over an empty batch would pass), else great-expectations' verdict,
and every failing row from the check's SQL run directly. The two must agree.

`validate` evaluates every pair of the months asked for. `run` (``incremental=True``)
evaluates only the pairs whose inputs changed — the fingerprint of the files they read,
the check, the configuration and, where it decides, the clock (`fingerprints.py`) — and
keeps the stored results of the rest.

A check that cannot be evaluated — its SQL fails, great-expectations cannot resolve it, the
two disagree, or its rows lack what the warehouse needs to store them — is a fault of the
platform, never of the data: it is stored `not_evaluated` with a note saying why, named in
`Validation.faults`, and every other check still runs and is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import duckdb
import polars as pl

from etl import settings
from etl.declarations import sources
from etl.load import now_beijing
from etl.warehouse import Build, sql_text
from expectations.catalog import Check, checks
from expectations.fingerprints import Inputs, fingerprint
from expectations.settings import write_check_settings
from expectations.verdicts import Verdict, gx_verdicts

# Columns `_store_failures.sql` reads from every check's rows.
FAILURE_COLUMNS = (
    "period",
    "entity_key",
    "id_number",
    "household_id",
    "town_code",
    "village_code",
    "ledger",
    "file_name",
    "row_number",
    "detail",
)


class NoSuchPeriod(ValueError):
    """`--period` names a month with no data."""


@dataclass(frozen=True)
class Result:
    check_id: str
    period: str
    status: str  # passed | failed | not_evaluated
    note: str | None = None  # why it was not evaluated
    fault: bool = False  # not evaluated because the check itself could not run


@dataclass
class Validation:
    months: list[str]  # the months whose pairs were considered
    results: list[Result] = field(default_factory=list)  # the pairs evaluated now
    kept: int = 0  # pairs whose inputs had not changed (their stored results stand)
    failures: pl.DataFrame | None = None
    started_at: object = None

    @property
    def faults(self) -> list[Result]:
        """The (check, month) pairs that could not be evaluated because of the check itself."""
        return [r for r in self.results if r.fault]


def create_check_views(con) -> None:
    """check_<id>: each check's failing rows over every evaluated month, for analysts."""
    for check in checks():
        try:
            con.execute(f"CREATE OR REPLACE VIEW {check.view} AS\n" + check.scoped("core_months"))
        except duckdb.Error:
            con.execute(f"DROP VIEW IF EXISTS {check.view}")  # reported by validate


def _ledgers_by_month(con, months: list[str]) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT period, source FROM core_ledger_months WHERE list_contains(?, period)", [months]
    ).fetchall()
    found: dict[str, set[str]] = {m: set() for m in months}
    for period, source in rows:
        found[period].add(source)
    return found


def _unevaluated(con, months: list[str], ledgers: dict[str, set[str]]) -> dict:
    """(check, month) -> why it is not evaluated (a reason of `Check.unevaluated`)."""
    ended = dict(
        con.execute(
            "SELECT m.period, m.period_end < c.today FROM core_months AS m "
            "CROSS JOIN check_clock AS c WHERE list_contains(?, m.period)",
            [months],
        ).fetchall()
    )
    firsts = dict(
        con.execute(
            "SELECT CAST(plan_year AS VARCHAR), min(round) FROM check_survey_rounds "
            "GROUP BY plan_year"
        ).fetchall()
    )
    out = {}
    for check in checks():
        for m in months:
            first = firsts.get(m[:4], m) if check.from_setting == "x17_rounds" else None
            why = check.unevaluated(ledgers[m], m, ended[m], first)
            if why:
                out[(check.id, m)] = why
    return out


def _note(check: Check, why: str, present: set[str]) -> str:
    """The Chinese note of a month not evaluated."""
    titles = {name: s.title for name, s in sources().items()}
    if why == "not_ended":
        return f"本月尚未结束，{titles.get(check.completeness)}未报送暂不算漏报，月底后再核查"
    if why == "before_first":
        return "尚未到第一次应报送的月份"
    return _missing_note(check, present)


def _missing_note(check: Check, present: set[str]) -> str:
    """Why a month is not evaluated for want of data, naming the ledgers by their titles."""
    titles = {name: s.title for name, s in sources().items()}
    missing = [titles.get(s, s) for s in check.requires if s not in present]
    if missing:
        return "本月缺少台账：" + "、".join(missing)
    return "本月以下台账都没有数据（至少需要其一）：" + "、".join(
        titles.get(s, s) for s in check.requires_any
    )


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def _direct_failures(con, check: Check) -> pl.DataFrame:
    """Every failing row of the check's pairs (`check_pairs`): its SQL, run directly."""
    return con.sql(check.scoped("check_pairs")).pl()


def _unusable(rows: pl.DataFrame, evaluated_months: set[str]) -> str | None:
    """Why a check's rows cannot be stored as its result, or None."""
    missing = [c for c in FAILURE_COLUMNS if c not in rows.columns]
    if missing:
        return "核查结果缺少列：" + "、".join(missing)
    if rows["entity_key"].null_count():
        return f"核查结果中有 {rows['entity_key'].null_count()} 行没有实体键（entity_key 为空）"
    stray = sorted(set(rows["period"].cast(pl.String).to_list()) - evaluated_months)
    if stray:
        return "核查在不应核查的月份返回了问题行：" + "、".join(stray)
    return None


def _disagreement(rows: pl.DataFrame, verdict: Verdict) -> str | None:
    """Where great-expectations' verdict and counts differ from the rows the SQL returns."""
    keys = sorted(set(rows["entity_key"].cast(pl.String).to_list()))
    digest = hashlib.md5(",".join(keys).encode()).hexdigest() if keys else None
    problems = []
    if verdict.success != (rows.height == 0):
        problems.append(
            f"结论为{'通过' if verdict.success else '未通过'}，直接 SQL 返回 {rows.height} 行"
        )
    if verdict.failing_rows != rows.height:
        problems.append(f"计数 {verdict.failing_rows} 行，直接 SQL 返回 {rows.height} 行")
    if verdict.entities != len(keys) or verdict.digest != digest:
        problems.append("问题实体不同")
    return "；".join(problems) or None


def _pairs_table(con, pairs: dict[str, list[str]]) -> None:
    """check_pairs(check_id, period): what each check's SQL evaluates now; check_found:
    the rows it finds (what great-expectations judges)."""
    con.execute("CREATE OR REPLACE TABLE check_pairs (check_id VARCHAR, period VARCHAR)")
    rows = [[c, m] for c, months in pairs.items() for m in months]
    if rows:
        con.executemany("INSERT INTO check_pairs VALUES (?, ?)", rows)
    con.execute(
        "CREATE OR REPLACE TABLE check_found (check_id VARCHAR, period VARCHAR, "
        "entity_key VARCHAR, id_number VARCHAR, household_id VARCHAR, town_code VARCHAR, "
        "village_code VARCHAR, ledger VARCHAR, file_name VARCHAR, row_number BIGINT, "
        "detail VARCHAR)"
    )


def _keep_found(con, check: Check, rows: pl.DataFrame) -> None:
    con.register("found_rows", rows.select(FAILURE_COLUMNS))
    con.execute(
        "INSERT INTO check_found SELECT ?, " + ", ".join(FAILURE_COLUMNS) + " FROM found_rows",
        [check.id],
    )
    con.unregister("found_rows")


def _stored_fingerprints(con, months: list[str]) -> dict[tuple[str, str], str | None]:
    return {
        (c, p): f
        for c, p, f in con.execute(
            "SELECT check_id, period, fingerprint FROM check_results WHERE list_contains(?, period)",
            [months],
        ).fetchall()
    }


def validate(build: Build, period: str | None = None, *, incremental: bool = False) -> Validation:
    """Evaluate the pairs of every month (or of `period`); with `incremental`, only those
    whose fingerprint changed since they were stored."""
    build.allow_memory(settings.duckdb_check_memory_mb())
    con = build.con
    started = now_beijing()
    months = [
        r[0] for r in con.execute("SELECT period FROM core_months ORDER BY period").fetchall()
    ]
    if period is not None:
        if period not in months:
            raise NoSuchPeriod(period)
        months = [period]
    write_check_settings(con)
    create_check_views(con)
    inputs = Inputs(con)
    prints = {(c.id, m): fingerprint(c, m, inputs) for c in checks() for m in months}
    stored = _stored_fingerprints(con, months) if incremental else {}
    todo = [pair for pair, digest in prints.items() if stored.get(pair) != digest]
    validation = Validation(months=months, kept=len(prints) - len(todo), started_at=started)
    if not todo:
        return validation

    todo_months = sorted({m for _, m in todo})
    ledgers = _ledgers_by_month(con, todo_months)
    unevaluated = _unevaluated(con, todo_months, ledgers)
    todo_set = set(todo)
    pairs = {
        c.id: [m for m in todo_months if (c.id, m) in todo_set and (c.id, m) not in unevaluated]
        for c in checks()
    }
    _pairs_table(con, pairs)
    con.execute(
        "CREATE OR REPLACE TABLE check_months AS SELECT period, period_start FROM core_months "
        "WHERE period IN (SELECT period FROM check_pairs)"
    )

    # The direct run first: a check whose SQL fails, or whose rows cannot be stored, is
    # not handed to great-expectations at all.
    broken: dict[str, str] = {}
    direct: dict[str, pl.DataFrame] = {}
    for check in checks():
        if not pairs[check.id]:
            continue
        try:
            rows = _direct_failures(con, check)
        except duckdb.Error as e:
            broken[check.id] = "核查 SQL 无法执行：" + _first_line(e)
            continue
        problem = _unusable(rows, set(pairs[check.id]))
        if problem:
            broken[check.id] = problem
        else:
            direct[check.id] = rows
            _keep_found(con, check, rows)

    runnable = [c for c in checks() if c.id in direct]
    with build.released() as path:
        verdicts = gx_verdicts(path, runnable, pairs) if runnable else {}
    con = build.con

    frames = []
    for check in checks():
        for month in todo_months:
            if (check.id, month) not in todo_set:
                continue
            result, rows = _judge(
                check, month, ledgers[month], unevaluated, broken, direct, verdicts
            )
            validation.results.append(result)
            if result.status == "failed":
                frames.append(rows.select(FAILURE_COLUMNS).with_columns(check_id=pl.lit(check.id)))
    failures = pl.concat(frames, how="diagonal_relaxed") if frames else None
    _store(con, validation, failures, prints)
    validation.failures = failures
    return validation


def _judge(check, month, present, unevaluated, broken, direct, verdicts):
    """(Result, the month's failing rows) for one check and month."""
    if check.id in broken:
        return Result(check.id, month, "not_evaluated", broken[check.id], fault=True), None
    why = unevaluated.get((check.id, month))
    if why:
        return Result(check.id, month, "not_evaluated", _note(check, why, present)), None
    rows = direct[check.id].filter(pl.col("period") == month)
    verdict = verdicts.get((check.id, month))
    if verdict is None or verdict.error is not None:
        why = verdict.error if verdict is not None else "没有返回结论"
        note = "great-expectations 无法执行此核查：" + why
        return Result(check.id, month, "not_evaluated", note, fault=True), None
    disagreement = _disagreement(rows, verdict)
    if disagreement:
        note = "great-expectations 与直接 SQL 的结论不一致：" + disagreement
        return Result(check.id, month, "not_evaluated", note, fault=True), None
    return Result(check.id, month, "passed" if rows.height == 0 else "failed"), rows


def _store(con, validation: Validation, failures: pl.DataFrame | None, prints: dict) -> None:
    """Replace the stored results (and failing rows) of the pairs evaluated now."""
    now = now_beijing()
    evaluated = [[r.check_id, r.period] for r in validation.results]
    con.execute("BEGIN")
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE evaluated_pairs (check_id VARCHAR, period VARCHAR)"
        )
        if evaluated:
            con.executemany("INSERT INTO evaluated_pairs VALUES (?, ?)", evaluated)
        for table in ("check_results", "check_failures"):  # names from this list only
            con.execute(
                f"DELETE FROM {table} AS t USING evaluated_pairs AS e "
                "WHERE t.check_id = e.check_id AND t.period = e.period"
            )
        con.executemany(
            "INSERT INTO check_results (check_id, period, status, evaluated_at, note, fingerprint) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                [r.check_id, r.period, r.status, now, r.note, prints[(r.check_id, r.period)]]
                for r in validation.results
            ],
        )
        if failures is not None:
            con.register("incoming_failures", failures)
            con.execute(sql_text("checks/_store_failures.sql"))
            con.unregister("incoming_failures")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def standing_results(con, months: list[str]) -> list[tuple[str, str, str, int | None]]:
    """(check, month, status, failing entities) of every stored pair of `months`."""
    return con.execute(
        "SELECT check_id, period, status, failing_rows FROM v_check_results "
        "WHERE list_contains(?, period) ORDER BY check_id, period",
        [months],
    ).fetchall()
