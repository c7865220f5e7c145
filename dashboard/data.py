"""The dashboard's one door to the warehouse: versions, connections, named queries, tables.

Pages never open connections or hold SQL. They ask `warehouse()` for the published version
(None when nothing has been published yet) and call its methods, each of which runs one
named, parameterised query from `warehouse/queries/dashboard_*.sql`. Widget values travel
only as query parameters, never into SQL text.

Versions. Writers publish by renaming a new file over the old one (etl/warehouse.py), so the
file's (inode, mtime_ns) names the version. It is read on every rerun: a newly published
warehouse is picked up without a restart, and every query of one rerun reads one version.

Caching. One read-only connection per version (`st.cache_resource`, an in-memory DuckDB
that ATTACHes the file READ_ONLY — a plain read-only connect can hand back a cached older
instance); every query runs on its own cursor, since Streamlit runs sessions in threads.
Results are cached per (version, query name, parameters) with `st.cache_data`, global to all
sessions — safe because nothing here depends on who is looking: every page masks the same
way until roles exist (then the role must join the cache key).

Rows sent to the browser are capped (`ROW_CAP`), and a capped table says so; downloads
(`Table.excel()`) always carry every row.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from dashboard import labels
from etl.settings import WAREHOUSE_SQL_DIR, default_warehouse
from etl.warehouse import connect_read_only

QUERY_DIR = WAREHOUSE_SQL_DIR / "queries"
ROW_CAP = 2_000

# (path, inode, mtime_ns): which published file a result came from.
Version = tuple[str, int, int]


# -- Versions and connections ------------------------------------------------------------


def _stat_version(path: Path) -> Version | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (str(path), stat.st_ino, stat.st_mtime_ns)


@st.cache_resource(max_entries=3, show_spinner=False)
def _connection(version: Version) -> duckdb.DuckDBPyConnection:
    """The read-only connection to one published version (kept while it is recent).

    An evicted connection is not closed here: a session may still be running a query on a
    cursor of it, and closing the parent would break that cursor. Dropped from the cache, it
    closes when its last cursor is done (the old file's space is freed then too).
    """
    con = connect_read_only(Path(version[0]))
    # A publish between our stat and the ATTACH would put newer data under an older key.
    if _stat_version(Path(version[0])) != version:
        con.close()
        raise _VersionMoved
    return con


class _VersionMoved(Exception):
    """The file was replaced while we were opening it: read the version again."""


def _read_sql(name: str) -> str:
    if not name.startswith("dashboard_") or "/" in name:
        raise ValueError(f"not a dashboard query: {name}")
    return (QUERY_DIR / f"{name}.sql").read_text(encoding="utf-8")


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> pl.DataFrame:
    """Run the named query on a cursor of `con` (uncached; the benchmark times this)."""
    cursor = con.cursor()
    try:
        cursor.execute("USE warehouse")  # a cursor starts in the in-memory catalog
        return cursor.sql(_read_sql(name), params=params).pl()
    finally:
        cursor.close()


@st.cache_data(max_entries=1_000, show_spinner=False)
def _cached(version: Version, name: str, params: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    return run_query(_connection(version), name, dict(params))


# Which queries ran (name, parameters), when someone is listening: the benchmark records a
# page's queries by running it, so the list never drifts from what the page really does.
_recorders: list[list[tuple[str, dict]]] = []
_recorders_lock = threading.Lock()


@contextmanager
def recording() -> Iterator[list[tuple[str, dict]]]:
    calls: list[tuple[str, dict]] = []
    with _recorders_lock:
        _recorders.append(calls)
    try:
        yield calls
    finally:
        with _recorders_lock:
            _recorders.remove(calls)


# -- Places ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """The county, one township (`town`: 9-digit code) or one village (12-digit code)."""

    town: str | None = None
    village: str | None = None

    @property
    def level(self) -> str:
        return "village" if self.village else "town" if self.town else "county"

    def params(self) -> dict[str, Any]:
        return {"level": self.level, "town": self.town, "village": self.village}


# -- Tables shown and downloaded -----------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table for people: Chinese headers, masked, every row (`frame`).

    `shown` is what goes to the browser (at most `ROW_CAP` rows); `cap_note` says so in
    Chinese when it cuts. `excel()` is the download, never capped.
    """

    frame: pl.DataFrame
    percent_columns: tuple[str, ...] = field(default=())
    cap: int = ROW_CAP

    @property
    def total(self) -> int:
        return self.frame.height

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    @property
    def shown(self) -> pl.DataFrame:
        return self.frame.head(self.cap)

    @property
    def cap_note(self) -> str | None:
        if not self.capped:
            return None
        return f"仅显示前 {self.cap:,} 行，共 {self.total:,} 行；下载可得全部"

    def excel(self, sheet: str = "数据") -> bytes:
        """The whole table as .xlsx (Chinese headers, the same masking as on screen)."""
        buffer = io.BytesIO()
        formats = {c: "0.00%" for c in self.percent_columns if c in self.frame.columns}
        self.frame.write_excel(
            buffer,
            worksheet=sheet,
            column_formats=formats or None,
            dtype_formats={pl.Datetime: "yyyy-mm-dd hh:mm:ss", pl.Date: "yyyy-mm-dd"},
            autofit=True,
            freeze_panes=(1, 0),
            float_precision=4,
        )
        return buffer.getvalue()


# -- The published warehouse -----------------------------------------------------------------


def plan_title(month: str) -> str:
    """The plan the month's targets come from, as its document names it (config, not SQL)."""
    from etl.targets import plan

    try:
        config = plan(int(month[:4]))["plan"]
    except FileNotFoundError:
        return ""
    return f"{config['title']}（{config['document']}）"


def warehouse_path() -> Path:
    return default_warehouse()


def warehouse() -> Warehouse | None:
    """The published warehouse as of now, or None when none has been published yet."""
    version = _stat_version(warehouse_path())
    return Warehouse(version) if version else None


@dataclass(frozen=True)
class Warehouse:
    """One published version. Every method is one named query (cached for this version)."""

    version: Version

    def query(self, name: str, **params: Any) -> pl.DataFrame:
        with _recorders_lock:
            for calls in _recorders:
                calls.append((name, dict(params)))
        key = tuple(sorted(params.items()))
        try:
            return _cached(self.version, name, key)
        except _VersionMoved:
            # Published again between our stat and the open: this rerun still reads the
            # version it started with where it can, else the page reruns on the new one.
            st.rerun()
            raise

    def table(self, name: str, *, percent_columns: tuple[str, ...] = (), **params: Any) -> Table:
        frame = labels.present(self.query(name, **params))
        percent = tuple(labels.HEADERS.get(c, c) for c in percent_columns)
        return Table(frame, percent_columns=percent, cap=ROW_CAP)

    # Filters -------------------------------------------------------------------------------

    def months(self) -> list[str]:
        """Every month with indicators or check results, latest first (YYYY-MM)."""
        return self.query("dashboard_months")["period"].to_list()

    def towns(self) -> dict[str, str]:
        """Township code → name, in gazetteer order."""
        frame = self.query("dashboard_towns")
        return dict(zip(frame["town_code"], frame["town_name"], strict=True))

    def villages(self, town: str) -> dict[str, str]:
        """Village code → name for one township (names repeat across townships)."""
        frame = self.query("dashboard_villages", town=town)
        return dict(zip(frame["village_code"], frame["village_name"], strict=True))

    # Overview ------------------------------------------------------------------------------

    def indicators(self, month: str, place: Place) -> pl.DataFrame:
        """Every indicator the month has at `place`, with its plan entry and last month's value."""
        return self.query("dashboard_indicators", month=month, **place.params())

    def trend(self, kpi: str, place: Place) -> pl.DataFrame:
        """One indicator at `place`, month by month, with its target and expected value."""
        return self.query("dashboard_trend", kpi=kpi, **place.params())

    def town_breakdown(self, kpi: str, month: str) -> pl.DataFrame:
        return self.query("dashboard_town_breakdown", kpi=kpi, month=month)

    def village_breakdown(self, kpi: str, month: str, town: str) -> pl.DataFrame:
        return self.query("dashboard_village_breakdown", kpi=kpi, month=month, town=town)

    def town_table(self, kpi: str, month: str, percent: bool) -> Table:
        value_columns = ("value", "target", "expected") if percent else ()
        return self.table(
            "dashboard_town_table", kpi=kpi, month=month, percent_columns=value_columns
        )

    def village_table(self, kpi: str, month: str, town: str, percent: bool) -> Table:
        value_columns = ("value", "target", "expected") if percent else ()
        return self.table(
            "dashboard_village_table",
            kpi=kpi,
            month=month,
            town=town,
            percent_columns=value_columns,
        )

    # Data page -----------------------------------------------------------------------------

    def load_log(self, month: str, all_months: bool) -> Table:
        return self.table("dashboard_load_log", month=month, all_months=all_months)

    def quarantine_files(self, month: str, all_months: bool) -> pl.DataFrame:
        """The standing files with quarantined cells, for choosing one."""
        return self.query("dashboard_quarantine_files", month=month, all_months=all_months)

    def quarantine(self, month: str, all_months: bool, file_name: str | None) -> Table:
        """Quarantined cells, masked: of one file, or of every file in scope."""
        return self.table(
            "dashboard_quarantine", month=month, all_months=all_months, file_name=file_name
        )

    def check_results(self, month: str, place: Place) -> pl.DataFrame:
        """Every check's verdict for the month, with its catalog entry (codes kept)."""
        return self.query("dashboard_check_results", month=month, **place.params())

    def check_results_table(self, month: str, place: Place) -> Table:
        return self.table("dashboard_check_results", month=month, **place.params())

    def check_failures(self, check: str, month: str, place: Place) -> Table:
        """Every failing row of one check in the month (in the place), masked."""
        return self.table(
            "dashboard_check_failures",
            check=check,
            month=month,
            town=place.town,
            village=place.village,
        )
