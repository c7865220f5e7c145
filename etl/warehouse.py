"""The DuckDB warehouse: its schema, and how writers publish it safely.

Readers only ever open the **published** file, read-only. A writer never touches it: it
builds a private copy beside it and publishes the copy with one atomic rename
(`os.replace`), so a reader sees the old version or the new one, never half a load.
One writer at a time (an OS file lock beside the warehouse). A writer that dies — even by
SIGKILL — leaves the published file as it was: a watchdog process removes its private
copy, and the next writer removes any copy a dead writer left.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from etl import settings
from etl.declarations import Source, sources
from etl.settings import WAREHOUSE_SQL_DIR

# SQL layers (warehouse/<layer>/*.sql), applied in this order by every writer; each file
# is idempotent (CREATE … IF NOT EXISTS / CREATE OR REPLACE). checks/, kpis/, marts/ and
# queries/ hold statements run by validate, the indicator refresh and the readers.
SCHEMA_LAYERS = ("schema", "staging", "core", "public")

LEDGER_TYPES = {
    "text": "VARCHAR",
    "id_number": "VARCHAR",
    "name": "VARCHAR",
    "town": "VARCHAR",
    "village": "VARCHAR",
    "date": "DATE",
    "month": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "yes_no": "BOOLEAN",
    "code": "VARCHAR",
    "year": "INTEGER",
}


def sql_path(relative: str) -> Path:
    return WAREHOUSE_SQL_DIR / relative


def sql_text(relative: str) -> str:
    return sql_path(relative).read_text(encoding="utf-8")


def _ledger_ddl(source: Source) -> list[str]:
    """DDL for a source's ledger table; identifiers come from the declarations only."""
    columns = ["period VARCHAR NOT NULL", "load_id BIGINT NOT NULL", "row_number BIGINT NOT NULL"]
    for c in source.columns:
        sql_type = (
            ("DECIMAL(18,2)" if c.unit == "元" else "DECIMAL(18,6)")
            if c.type == "money"
            else LEDGER_TYPES[c.type]
        )
        columns.append(f"{c.field} {sql_type}")
    if source.nil_report:
        columns.append("is_nil_report BOOLEAN")
    create = f"CREATE TABLE IF NOT EXISTS {source.table} (\n    " + ",\n    ".join(columns) + "\n)"
    # A column declared after the table was first made is added to it.
    adds = [f"ALTER TABLE {source.table} ADD COLUMN IF NOT EXISTS {col}" for col in columns[3:]]
    return [create, *adds]


def _keys_view_sql() -> str:
    """stg_ledger_keys: every ledger row's U01 key and entity key, from the declarations."""
    blocks = []
    for s in sources().values():
        if not s.key:
            continue
        fields = {c.field for c in s.columns}
        key_text = "concat_ws('|', " + ", ".join(f"CAST(k.{f} AS VARCHAR)" for f in s.key) + ")"
        if "id_number" in s.key:
            entity = "k.id_number"
        elif s.entity_field:
            entity = f"k.{s.entity_field}"
        else:
            entity = key_text

        def optional(f: str, fields: set = fields) -> str:
            return f"k.{f}" if f in fields else "CAST(NULL AS VARCHAR)"

        # A row without its key (a nil report names no person) is nobody's duplicate.
        keyed = "WHERE " + " AND ".join(f"k.{f} IS NOT NULL" for f in s.key)
        blocks.append(
            f"SELECT '{s.name}' AS source, k.period, l.file_name, k.row_number, "
            f"{key_text} AS key_text, {entity} AS entity_key, {optional('id_number')} AS id_number, "
            f"{optional('household_id')} AS household_id, {optional('town_code')} AS town_code, "
            f"{optional('village_code')} AS village_code "
            f"FROM {s.table} AS k INNER JOIN load_log AS l ON k.load_id = l.load_id " + keyed
        )
    return "CREATE OR REPLACE VIEW stg_ledger_keys AS\n" + "\nUNION ALL\n".join(blocks)


def _staging_view_sql(source: Source) -> str:
    """stg_<source>: the ledger as loaded, with its file. A source whose view needs more
    (stg_roster reads an empty 务工状态 as 未务工) has its own file in warehouse/staging/,
    applied after these."""
    return (
        f"CREATE OR REPLACE VIEW stg_{source.name} AS SELECT l.file_name, k.* "
        f"FROM {source.table} AS k INNER JOIN load_log AS l ON k.load_id = l.load_id"
    )


def _write_catalogs(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite the catalogs from the declarations: sources, places, checks."""
    from etl.gazetteer import gazetteer
    from expectations.catalog import checks

    con.execute("DELETE FROM source_catalog")
    con.executemany(
        "INSERT INTO source_catalog VALUES (?, ?, ?, ?, ?)",
        [[s.name, s.title, s.department, s.frequency, s.kind] for s in sources().values()],
    )
    g = gazetteer()
    con.execute("DELETE FROM ref_villages")
    con.executemany(
        "INSERT INTO ref_villages VALUES (?, ?, ?, ?, ?, ?)",
        [
            [
                v.code,
                v.name,
                v.kind,
                v.town_code,
                g.towns[v.town_code].name,
                v.registered_households,
            ]
            for v in g.villages.values()
        ],
    )
    con.execute("DELETE FROM check_catalog")
    titles = {name: s.title for name, s in sources().items()}
    con.executemany(
        "INSERT INTO check_catalog VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [
                c.id,
                c.severity,
                c.title,
                c.rule,
                "、".join(titles[x] for x in c.ledgers),
                c.department,
                c.entity,
            ]
            for c in checks()
        ],
    )


def _run_layer(con: duckdb.DuckDBPyConnection, layer: str) -> None:
    for path in sorted(sql_path(layer).glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Bring a warehouse (new or old) to the current schema, catalogs and views."""
    _run_layer(con, "schema")
    for source in sources().values():
        for statement in _ledger_ddl(source):
            con.execute(statement)
    _write_catalogs(con)
    con.execute(_keys_view_sql())
    for source in sources().values():
        con.execute(_staging_view_sql(source))
    for layer in ("staging", "core", "public"):
        _run_layer(con, layer)


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only view of the published warehouse.

    An in-memory connection that ATTACHes the file: unlike `duckdb.connect(path,
    read_only=True)`, it never hands back a cached instance of an older version.
    """
    con = duckdb.connect()
    con.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(path)])
    con.execute("USE warehouse")
    return con


# -- Publishing ------------------------------------------------------------------------------

_WATCHDOG = r"""
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.stdin.buffer.read()  # returns when the writer closes the pipe: finished, or died
for p in sys.argv[1:]:
    try:
        os.remove(p)
    except FileNotFoundError:
        pass
"""


def private_copy_path(published: Path, pid: int | None = None) -> Path:
    return published.with_name(f".{published.name}.{pid or os.getpid()}.building")


def lock_path(published: Path) -> Path:
    return published.with_name(published.name + ".lock")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_copies(published: Path) -> None:
    """Remove private copies whose writers are dead (only called while holding the lock)."""
    for path in published.parent.glob(f".{published.name}.*.building*"):
        pid_text = path.name[len(published.name) + 2 :].split(".")[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            path.unlink(missing_ok=True)


def _remove(private: Path) -> None:
    for p in (private, private.with_name(private.name + ".wal")):
        p.unlink(missing_ok=True)


def _writer(path: Path, memory_mb: float) -> duckdb.DuckDBPyConnection:
    """A read-write connection whose DuckDB holds at most `memory_mb` MiB."""
    con = duckdb.connect(str(path))
    con.execute("SET memory_limit = ?", [f"{memory_mb:g}MiB"])
    return con


class Build:
    """The private copy a writing command works on: `con` is its read-write connection."""

    def __init__(self, path: Path):
        self.path = path
        self.memory_mb = settings.duckdb_memory_mb()
        self.con: duckdb.DuckDBPyConnection | None = _writer(path, self.memory_mb)

    def allow_memory(self, megabytes: float) -> None:
        """Let DuckDB hold up to `megabytes` MiB from now on (checks join over the year)."""
        self.memory_mb = megabytes
        self.con.execute("SET memory_limit = ?", [f"{megabytes:g}MiB"])

    @contextlib.contextmanager
    def released(self) -> Iterator[Path]:
        """Close the connection while a tool that opens the file itself works on it.

        great-expectations opens the DuckDB file through SQLAlchemy with its own settings;
        DuckDB refuses two differently configured openers in one process.
        """
        self.con.close()
        self.con = None
        try:
            yield self.path
        finally:
            self.con = _writer(self.path, self.memory_mb)

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


@contextlib.contextmanager
def writer_lock(published: Path, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """The one writer lock of a warehouse (its journal's writers take it too): a second
    writer waits for the first, then starts from what it published."""
    say = say or (lambda message: print(message, flush=True))
    published = published.resolve()
    published.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path(published)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        say("另一个写入进程正在更新数据仓库，等待它完成……")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def rebuilding(published: Path, prepare: Callable[[Build], None]) -> Iterator[Build]:
    """A private copy of `published` to build on, published by one rename on success; the
    caller holds the writer lock. `prepare` brings the copy to the current schema.

    On an exception (or a kill) nothing is published and the copy is removed.
    """
    published = published.resolve()
    private = private_copy_path(published)
    watchdog = None
    build = None
    try:
        _remove_stale_copies(published)
        watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(private), str(private) + ".wal"],
            stdin=subprocess.PIPE,
            start_new_session=True,
        )
        if published.exists():
            shutil.copyfile(published, private)
        build = Build(private)
        prepare(build)
        yield build
        build.con.execute("CHECKPOINT")
        build.close()
        os.replace(private, published)
        _fsync_dir(published.parent)
    finally:
        if build is not None:
            with contextlib.suppress(Exception):
                build.close()
        _remove(private)
        if watchdog is not None:
            watchdog.stdin.close()
            watchdog.wait()


def prepare_warehouse(build: Build, published: Path) -> None:
    """The warehouse's schema, and the exceptions accepted in its journal (the journal is
    the record; the warehouse keeps a copy as of each publish)."""
    from etl import journal

    apply_schema(build.con)
    journal.mirror_exceptions(build.con, published)


@contextlib.contextmanager
def publishing(published: Path, say: Callable[[str], None] | None = None) -> Iterator[Build]:
    """The writer lock and a private copy of the warehouse `published`, published by one
    rename on success (`rebuilding`)."""
    with writer_lock(published, say):
        with rebuilding(published, lambda build: prepare_warehouse(build, published)) as build:
            yield build


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
