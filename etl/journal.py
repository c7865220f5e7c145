"""The journal: accepted exceptions and the history of validations, kept beside the
warehouse where a republished (or rebuilt) warehouse cannot lose them.

A small DuckDB file, `<warehouse>.journal.duckdb`, published like the warehouse — a private
copy, one atomic rename — under the warehouse's own writer lock, so an exception recorded
while a load runs waits for it and neither is lost; recording one copies the journal
(kilobytes), never the warehouse. Every warehouse writer copies the active exceptions into
its build (`mirror_exceptions`), so the warehouse's views exclude them as of its publish;
the dashboard reads the journal itself, so an exception shows at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.settings import WAREHOUSE_SQL_DIR

JOURNAL_SUFFIX = ".journal.duckdb"


def journal_path(warehouse: Path) -> Path:
    """`data/xunyi.duckdb` → `data/xunyi.journal.duckdb`."""
    return warehouse.with_name(warehouse.stem + JOURNAL_SUFFIX)


def apply_journal_schema(con: duckdb.DuckDBPyConnection) -> None:
    for path in sorted((WAREHOUSE_SQL_DIR / "journal").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


@contextlib.contextmanager
def updating(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the journal, published when the block ends. The caller holds the
    warehouse's writer lock (`etl.warehouse.writer_lock`)."""
    from etl.warehouse import rebuilding

    with rebuilding(journal_path(warehouse), lambda b: apply_journal_schema(b.con)) as build:
        yield build.con


@contextlib.contextmanager
def reading(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only view of the published journal (None before anything was journalled)."""
    path = journal_path(warehouse)
    if not path.exists():
        yield None
        return
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS journal (READ_ONLY)", [str(path)])
        con.execute("USE journal")
        yield con
    finally:
        con.close()


def mirror_exceptions(con: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    """Replace the warehouse build's `check_exceptions` with the journal's active ones."""
    path = journal_path(warehouse)
    con.execute("DELETE FROM check_exceptions")
    if not path.exists():
        return
    con.execute("ATTACH ? AS journal_copy (READ_ONLY)", [str(path)])
    try:
        con.execute(
            "INSERT INTO check_exceptions (exception_id, check_id, entity_key, up_to_period, "
            "accepted_by, accepted_at, reason) "
            "SELECT exception_id, check_id, entity_key, up_to_period, accepted_by, accepted_at, "
            "reason FROM journal_copy.exceptions WHERE withdrawn_at IS NULL"
        )
    finally:
        con.execute("DETACH journal_copy")


# -- Exceptions --------------------------------------------------------------------------


class ExceptionError(ValueError):
    """An exception that cannot be recorded or withdrawn; the message is Chinese."""


@dataclass(frozen=True)
class Accepted:
    exception_id: int
    check_id: str
    entity_key: str
    up_to_period: str


def accept(
    warehouse: Path,
    check_id: str,
    entity_key: str,
    up_to_period: str,
    reason: str,
    accepted_by: str,
) -> Accepted:
    """Record that a failing row is explained; it stops failing up to `up_to_period`."""
    from etl.load import now_beijing
    from etl.warehouse import writer_lock

    reason, accepted_by = reason.strip(), accepted_by.strip()
    if not reason:
        raise ExceptionError("请写明为什么这条问题可以接受（如：异地参保，已核实参保凭证）")
    if not accepted_by:
        raise ExceptionError("请填写经办人姓名")
    if len(up_to_period) != 7 or up_to_period[4] != "-":
        raise ExceptionError(f"有效期应为 YYYY-MM 格式的月份，收到 {up_to_period}")
    with writer_lock(warehouse, say=lambda _m: None), updating(warehouse) as con:
        (next_id,) = con.execute(
            "SELECT coalesce(max(exception_id), 0) + 1 FROM exceptions"
        ).fetchone()
        con.execute(
            "INSERT INTO exceptions (exception_id, check_id, entity_key, up_to_period, reason, "
            "accepted_by, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [next_id, check_id, entity_key, up_to_period, reason, accepted_by, now_beijing()],
        )
    return Accepted(next_id, check_id, entity_key, up_to_period)


def withdraw(warehouse: Path, exception_id: int, withdrawn_by: str, reason: str) -> None:
    """Withdraw an accepted exception: its rows fail again."""
    from etl.load import now_beijing
    from etl.warehouse import writer_lock

    if not withdrawn_by.strip():
        raise ExceptionError("请填写经办人姓名")
    with writer_lock(warehouse, say=lambda _m: None), updating(warehouse) as con:
        found = con.execute(
            "SELECT withdrawn_at FROM exceptions WHERE exception_id = ?", [exception_id]
        ).fetchone()
        if found is None:
            raise ExceptionError(f"没有编号为 {exception_id} 的例外记录")
        if found[0] is not None:
            raise ExceptionError(f"例外记录 {exception_id} 已经撤销过了")
        con.execute(
            "UPDATE exceptions SET withdrawn_by = ?, withdrawn_at = ?, withdrawn_reason = ? "
            "WHERE exception_id = ?",
            [withdrawn_by.strip(), now_beijing(), reason.strip() or None, exception_id],
        )


# -- Validation history -------------------------------------------------------------------


def record_validation(
    con: duckdb.DuckDBPyConnection,
    started_at,
    command: str,
    months: list[str],
    results: list[tuple[str, str, str, int | None, bool]],
) -> int:
    """Append one validation: `results` are (check, month, status, failing entities,
    evaluated in this run) for every pair that stands after it. Returns its run id."""
    from etl.load import now_beijing

    (run_id,) = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM validation_runs").fetchone()
    evaluated = sum(1 for r in results if r[4])
    con.execute(
        "INSERT INTO validation_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
        [run_id, started_at, now_beijing(), command, months, evaluated, len(results) - evaluated],
    )
    if results:
        con.executemany(
            "INSERT INTO validation_results VALUES (?, ?, ?, ?, ?, ?)",
            [[run_id, *r] for r in results],
        )
    return run_id


def record_run(warehouse: Path, validation, standing, command: str) -> int:
    """Journal a validation (`expectations.validate.Validation`) with every pair's result as
    it stands after it (`standing_results`). The caller holds the writer lock."""
    evaluated = {(r.check_id, r.period) for r in validation.results}
    with updating(warehouse) as con:
        return record_validation(
            con,
            validation.started_at,
            command,
            validation.months,
            [(c, p, s, n, (c, p) in evaluated) for c, p, s, n in standing],
        )
