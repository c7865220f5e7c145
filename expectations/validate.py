"""`validate`: run every check on every loaded month, store the verdicts and failing rows.

For each check and month: not evaluated when a ledger it needs has no data (decided here —
an expectation over an empty batch would pass), else great-expectations' verdict, and every
failing row from the check's SQL run directly. The two must agree.

A check that cannot be evaluated — its SQL fails, great-expectations cannot resolve it, the
two disagree, or its rows lack what the warehouse needs to store them — is a fault of the
platform, never of the data: it is stored `not_evaluated` with a note saying why, named in
`Validation.faults`, and every other check still runs and is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from etl.declarations import sources
from etl.load import now_beijing
from etl.warehouse import Build, sql_text
from expectations.catalog import Check, checks
from expectations.settings import write_check_settings
from expectations.verdicts import SAMPLE_LIMIT, Verdict, gx_verdicts

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
    months: list[str]
    results: list[Result] = field(default_factory=list)
    failures: pl.DataFrame | None = None

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
    """Every failing row of the months in check_months: the check's SQL, run directly."""
    return con.sql(check.scoped("check_months")).pl()


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
    """Where great-expectations' verdict and count differ from the rows the SQL returns."""
    direct_keys = set(rows["entity_key"].cast(pl.String).to_list())
    problems = []
    if verdict.success != (rows.height == 0):
        problems.append(
            f"结论为{'通过' if verdict.success else '未通过'}，直接 SQL 返回 {rows.height} 行"
        )
    if verdict.failing_rows != rows.height:
        problems.append(f"计数 {verdict.failing_rows} 行，直接 SQL 返回 {rows.height} 行")
    if rows.height <= SAMPLE_LIMIT and verdict.sample_keys != direct_keys:
        problems.append("问题实体不同")
    if not verdict.sample_keys <= direct_keys:
        problems.append("great-expectations 返回了直接 SQL 没有的实体")
    return "；".join(problems) or None


def validate(build: Build, period: str | None = None) -> Validation:
    con = build.con
    months = [
        r[0] for r in con.execute("SELECT period FROM core_months ORDER BY period").fetchall()
    ]
    if period is not None:
        if period not in months:
            raise NoSuchPeriod(period)
        months = [period]
    write_check_settings(con)
    create_check_views(con)
    con.execute(
        "CREATE OR REPLACE TABLE check_months AS "
        "SELECT period, period_start FROM core_months WHERE list_contains(?, period)",
        [months],
    )
    ledgers = _ledgers_by_month(con, months)
    unevaluated = _unevaluated(con, months, ledgers)
    evaluated = {c.id: {m for m in months if (c.id, m) not in unevaluated} for c in checks()}

    # The direct run first: a check whose SQL fails, or whose rows cannot be stored, is
    # not handed to great-expectations at all.
    broken: dict[str, str] = {}
    direct: dict[str, pl.DataFrame] = {}
    for check in checks():
        try:
            rows = _direct_failures(con, check)
        except duckdb.Error as e:
            broken[check.id] = "核查 SQL 无法执行：" + _first_line(e)
            continue
        problem = _unusable(rows, evaluated[check.id])
        if problem:
            broken[check.id] = problem
        else:
            direct[check.id] = rows

    runnable = [c for c in checks() if c.id in direct]
    with build.released() as path:
        verdicts = gx_verdicts(path, runnable, months) if months and runnable else {}
    con = build.con

    validation = Validation(months=months)
    frames = []
    for check in checks():
        for month in months:
            result, rows = _judge(
                check, month, ledgers[month], unevaluated, broken, direct, verdicts
            )
            validation.results.append(result)
            if result.status == "failed":
                frames.append(rows.select(FAILURE_COLUMNS).with_columns(check_id=pl.lit(check.id)))
    failures = pl.concat(frames, how="diagonal_relaxed") if frames else None
    _store(con, validation, failures)
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


def _store(con, validation: Validation, failures: pl.DataFrame | None) -> None:
    now = now_beijing()
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM check_results WHERE list_contains(?, period)", [validation.months])
        con.execute(
            "DELETE FROM check_failures WHERE list_contains(?, period)", [validation.months]
        )
        con.executemany(
            "INSERT INTO check_results (check_id, period, status, evaluated_at, note) "
            "VALUES (?, ?, ?, ?, ?)",
            [[r.check_id, r.period, r.status, now, r.note] for r in validation.results],
        )
        if failures is not None:
            con.register("incoming_failures", failures)
            con.execute(sql_text("checks/_store_failures.sql"))
            con.unregister("incoming_failures")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
