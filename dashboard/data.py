"""The dashboard's one door to the warehouse: versions, connections, named queries, tables.

Pages never open connections or hold SQL. They ask `warehouse()` for the published version
(None when nothing has been published yet) and call its methods, each of which runs one
named, parameterised query from `warehouse/queries/dashboard_*.sql`. Widget values travel
only as query parameters, never into SQL text.

Versions. Writers publish by renaming a new file over the old one (etl/warehouse.py), so the
file's (inode, mtime_ns) names the version. The journal beside the warehouse (accepted
exceptions, the history of validations: etl/journal.py) is published the same way, and its
(inode, mtime_ns) is part of the version too: an exception recorded on a page is a new
version at once, without waiting for the warehouse's next publish. Both are read on every
rerun: a newly published warehouse or journal is picked up without a restart, and every
query of one rerun reads one version.

Caching. One read-only connection per version (`st.cache_resource`, an in-memory DuckDB
that ATTACHes the warehouse and the journal READ_ONLY — a plain read-only connect can hand
back a cached older instance — an empty in-memory journal when there is none yet); every
query runs on its own cursor, since Streamlit runs sessions in threads.

The journal overlay. Each connection makes the views of `dashboard_overlay.sql` in its own
in-memory catalog: `open_failures` (the warehouse's failing rows less the journal's active
exceptions), `open_results` (every check's status and count on those), the ledgers' titles
and departments. The pages' queries read these, never `v_check_failures`, whose exceptions
are those copied in at the warehouse's last publish.
Results are cached per (version, query name, parameters) with `st.cache_data`, global to all
sessions. Who is looking is part of the parameters: a query that shows personal rows (one
that reads `$scope_town`) runs with the viewer's scope — whether the role sees personal
rows at all (`$see_rows`), unmasked (`$unmask`), and in which township (`$scope_town`) —
so viewers with different scopes never share a cached result, and the key holds no ID.

Roles (etl/accounts.py, ROLES) are enforced here, never by hiding widgets: `warehouse()`
refuses without a signed-in viewer (dashboard/auth.py); uploads and exceptions need a role
that may make them; a table of personal rows downloads only for a role that may download
them; every download and every view of unmasked personal rows is written to the audit
trail (etl/audit.py) — the page and its filters, never the rows.

Rows sent to the browser are capped (`ROW_CAP`), and a capped table says so; downloads
(`Table.excel()`) always carry every row.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from dashboard import auth, labels
from etl import audit, cells, journal
from etl.accounts import ROLES
from etl.settings import WAREHOUSE_SQL_DIR, default_warehouse
from etl.warehouse import connect_read_only

QUERY_DIR = WAREHOUSE_SQL_DIR / "queries"
ROLE_TITLES = {code: role.title for code, role in ROLES.items()}
# A masked column's header (身份证号（已脱敏）) as it reads when the viewer sees it unmasked.
UNMASKED_HEADERS = {
    header: header.replace("（已脱敏）", "").replace("，已脱敏）", "）")
    for header in labels.HEADERS.values()
    if "已脱敏" in header
}
ROW_CAP = 2_000
OVERLAY = "dashboard_overlay"  # the connection's views, not a query
# A dashboard cursor reads the warehouse first, then the overlay's views.
SEARCH_PATH = "SET search_path = 'warehouse.main,memory.main'"

# Raised with a Chinese message when an exception cannot be recorded or withdrawn.
ExceptionError = journal.ExceptionError

# (warehouse path, inode, mtime_ns, journal inode, journal mtime_ns): which published files
# a result came from; the journal's two are None while there is no journal.
Version = tuple[str, int, int, int | None, int | None]


# -- Versions and connections ------------------------------------------------------------


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_mtime_ns)


def _stat_version(path: Path) -> Version | None:
    found = _stat(path)
    if found is None:
        return None
    journalled = _stat(journal.journal_path(path)) or (None, None)
    return (str(path), *found, *journalled)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """The dashboard's view of the published warehouse `path`: the warehouse and its
    journal, both attached read-only (an empty journal when there is none yet), and the
    journal overlay's views (`dashboard_overlay.sql`)."""
    con = connect_read_only(path)
    try:
        journal_file = journal.journal_path(path)
        if journal_file.exists():
            con.execute("ATTACH ? AS journal (READ_ONLY)", [str(journal_file)])
        else:
            con.execute("ATTACH ':memory:' AS journal")
            con.execute("USE journal")
            journal.apply_journal_schema(con)
            con.execute("USE warehouse")
        con.execute(_read_sql(OVERLAY))
    except BaseException:
        con.close()
        raise
    return con


@st.cache_resource(max_entries=3, show_spinner=False)
def _connection(version: Version) -> duckdb.DuckDBPyConnection:
    """The read-only connection to one published version (kept while it is recent).

    An evicted connection is not closed here: a session may still be running a query on a
    cursor of it, and closing the parent would break that cursor. Dropped from the cache, it
    closes when its last cursor is done (the old file's space is freed then too).
    """
    con = connect(Path(version[0]))
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
    """Run the named query on a cursor of `con` (from `connect`; uncached: the benchmark
    times this)."""
    if name == OVERLAY:
        raise ValueError(f"not a query: {name}")
    cursor = con.cursor()
    try:
        cursor.execute("USE warehouse")  # a cursor starts in the in-memory catalog
        cursor.execute(SEARCH_PATH)
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
    # May the viewer download it (a table of personal rows, only a role that may), and what
    # records the download in the audit trail (set by the Warehouse that made it).
    downloadable: bool = True
    on_export: Callable[[str, int], None] | None = field(default=None, compare=False)

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
        """The whole table as .xlsx (Chinese headers, the same masking as on screen, risky
        text neutralised: etl/cells.py); recorded in the audit trail."""
        if not self.downloadable:
            raise PermissionError("您的角色不能下载个人明细")
        if self.on_export is not None:
            self.on_export(sheet, self.total)
        buffer = io.BytesIO()
        formats = {c: "0.00%" for c in self.percent_columns if c in self.frame.columns}
        cells.neutralise(self.frame).write_excel(
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


def upload_limit() -> str:
    """The largest file the page accepts, for people (etl.settings: $XUNYI_MAX_UPLOAD_MB)."""
    from etl.settings import max_upload_mb, shown_mb

    return f"{shown_mb(max_upload_mb())} MB"


def warehouse_path() -> Path:
    return default_warehouse()


class NotSignedIn(PermissionError):
    """No viewer in this session: no query runs before a login."""


@dataclass(frozen=True)
class Scope:
    """What a viewer's role lets the queries show (etl/accounts.py, ROLES)."""

    see_rows: bool  # personal rows at all
    unmask: bool  # IDs, names and cells as sent
    town: str | None  # personal rows of this township only (None: every township)

    @classmethod
    def of(cls, viewer: auth.Viewer) -> Scope:
        personal = viewer.spec.personal
        return cls(
            see_rows=personal != "none",
            unmask=personal in ("own_town", "all"),
            town=viewer.town if personal == "own_town" else None,
        )

    def params(self) -> dict[str, Any]:
        return {"see_rows": self.see_rows, "unmask": self.unmask, "scope_town": self.town}


def warehouse() -> Warehouse | None:
    """The published warehouse as of now, seen by this session's viewer, or None when none
    has been published yet. Raises NotSignedIn without a viewer."""
    viewer = auth.current()
    if viewer is None:
        raise NotSignedIn("请先登录")
    version = _stat_version(warehouse_path())
    return Warehouse(version, viewer) if version else None


_PARAMETER = re.compile(r"\$([a-z_]+)")


@functools.cache
def query_parameters(name: str) -> frozenset[str]:
    """The parameters a named query reads (`$name` in its SQL)."""
    return frozenset(_PARAMETER.findall(_read_sql(name)))


def scope_params(scope: Scope, name: str) -> dict[str, Any]:
    """`scope` as far as the query reads it (a personal query reads all three)."""
    reads = query_parameters(name)
    return {k: v for k, v in scope.params().items() if k in reads}


def is_personal(name: str) -> bool:
    """Does the query show personal rows? Those read the viewer's scope (`$scope_town`)."""
    return "scope_town" in query_parameters(name)


SCORES_SCHEMA = {
    "town_code": pl.String,
    "town_name": pl.String,
    "score": pl.Float64,
    "scored": pl.UInt32,
    "rank": pl.UInt32,
}


def township_scores(attainment: pl.DataFrame) -> pl.DataFrame:
    """The 擂台赛 of one month from its attainment rows (dashboard_township_scores): each
    township's score (mean attainment × 100), how many indicators it was scored on, and its
    rank (ties share the better rank), best first."""
    if attainment.is_empty():
        return pl.DataFrame(schema=SCORES_SCHEMA)
    return (
        attainment.group_by("town_code", "town_name")
        .agg((pl.col("attainment").mean() * 100).alias("score"), pl.len().alias("scored"))
        .with_columns(pl.col("score").rank("min", descending=True).cast(pl.UInt32).alias("rank"))
        .sort("rank", "town_code")
    )


def with_scores_before(now: pl.DataFrame, then: pl.DataFrame | None) -> pl.DataFrame:
    """`now`'s scores with each township's score and rank in `then` (score_before,
    rank_before; null without `then` or for a township it did not score)."""
    if then is None:
        return now.with_columns(
            pl.lit(None, pl.Float64).alias("score_before"),
            pl.lit(None, pl.UInt32).alias("rank_before"),
        )
    then = then.select(
        "town_code",
        pl.col("score").cast(pl.Float64).alias("score_before"),
        pl.col("rank").cast(pl.UInt32).alias("rank_before"),
    )
    return now.join(then, on="town_code", how="left").sort("rank", "town_code")


@dataclass(frozen=True)
class Warehouse:
    """One published version, as one viewer sees it. Every method is one named query (cached
    for this version and the viewer's scope)."""

    version: Version
    viewer: auth.Viewer

    @property
    def scope(self) -> Scope:
        return Scope.of(self.viewer)

    def query(self, name: str, **params: Any) -> pl.DataFrame:
        params = {**params, **self._scope_params(name)}
        with _recorders_lock:
            for calls in _recorders:
                calls.append((name, dict(params)))
        key = tuple(sorted(params.items()))
        try:
            frame = _cached(self.version, name, key)
        except _VersionMoved:
            # Published again between our stat and the open: this rerun still reads the
            # version it started with where it can, else the page reruns on the new one.
            st.rerun()
            raise
        if params.get("unmask") and frame.height:
            self._viewed_unmasked(name, params)
        return frame

    def _scope_params(self, name: str) -> dict[str, Any]:
        return scope_params(self.scope, name)

    def _viewed_unmasked(self, name: str, params: dict[str, Any]) -> None:
        """Audit a view of unmasked personal rows: once per session, query and filters."""
        seen = st.session_state.setdefault("_audited_views", set())
        key = (name, tuple(sorted(params.items())))
        if key in seen:
            return
        seen.add(key)
        filters = {k: v for k, v in params.items() if k not in Scope.of(self.viewer).params()}
        self._audit(
            "view_personal",
            f"查看未脱敏明细（{name.removeprefix('dashboard_')}）",
            page=st.session_state.get("_page", ""),
            filters=filters,
        )

    def _audit(self, action: str, what: str, **details: Any) -> None:
        audit.record(
            Path(self.version[0]),
            action,
            self.viewer.username,
            role=self.viewer.role,
            what=what,
            source=self.viewer.address,
            details=details,
        )

    def _exported(self, sheet: str, rows: int) -> None:
        self._audit(
            "export", f"下载 {sheet}（{rows:,} 行）", page=st.session_state.get("_page", "")
        )

    def as_table(self, frame: pl.DataFrame, personal: bool = False, **kwargs: Any) -> Table:
        """A table made for this viewer: downloadable unless it holds personal rows the role
        may not download (or a 乡镇专员's, outside the township: never here — scoped)."""
        downloadable = not personal or self.viewer.spec.downloads_rows
        if personal and self.scope.unmask:  # the headers say 已脱敏 only where it is so
            frame = frame.rename(
                {c: UNMASKED_HEADERS.get(c, c) for c in frame.columns if c in UNMASKED_HEADERS}
            )
        return Table(frame, downloadable=downloadable, on_export=self._exported, **kwargs)

    def _require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionError(f"您的角色（{self.viewer.title}）不能做这项操作")

    def table(self, name: str, *, percent_columns: tuple[str, ...] = (), **params: Any) -> Table:
        frame = labels.present(self.query(name, **params))
        percent = tuple(labels.HEADERS.get(c, c) for c in percent_columns)
        return self.as_table(frame, is_personal(name), percent_columns=percent, cap=ROW_CAP)

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
        """Every indicator the month has at `place`, with its plan entry, last month's value
        and its value at the last dispatch meeting (as that meeting's pack showed it, for the
        county and the townships, where the pack is kept)."""
        frame = self.query("dashboard_indicators", month=month, **place.params())
        return frame if place.village else self._as_presented(frame, place.town)

    def trend(self, kpi: str, month: str, place: Place) -> pl.DataFrame:
        """One indicator at `place`, month by month up to `month`, with its target and
        expected value (and each gap's reason)."""
        return self.query("dashboard_trend", kpi=kpi, month=month, **place.params())

    # Leaders' page ---------------------------------------------------------------------------

    def actions(self, month: str) -> dict[str, str]:
        """The plan's ten actions of the month's year: number (as text, for the URL) → title."""
        frame = self.query("dashboard_actions", month=month)
        return {str(n): t for n, t in frame.iter_rows()}

    def action_tiles(self, month: str) -> pl.DataFrame:
        """The ten actions, each with its headline indicators at county level in `month`."""
        return self._as_presented(self.query("dashboard_action_tiles", month=month), None)

    def presented(self, meeting: str | None) -> dict | None:
        """The figures the pack presented at the dispatch meeting of `meeting` (its month)
        showed, when one is kept (pack/archive.py); else None."""
        from pack import archive

        return archive.presented(Path(self.version[0]), meeting)

    def _as_presented(self, frame: pl.DataFrame, town: str | None) -> pl.DataFrame:
        """`frame` (rows of kpi_code, meeting_period, meeting_value) with the value at the
        meeting as that meeting's pack showed it, where the pack is kept."""
        if frame.is_empty():
            return frame
        shown = self.presented(frame["meeting_period"][0])
        if shown is None:
            return frame
        from pack import archive

        values = archive.shown_values(shown, town)
        return frame.with_columns(
            pl.col("kpi_code")
            .replace_strict(values, default=None, return_dtype=pl.Float64)
            .alias("meeting_value")
        )

    def decisions(self, month: str) -> pl.DataFrame:
        """Off-track indicators and failing error-level checks of the month."""
        return self.query("dashboard_decisions", month=month)

    def township_attainment(self, month: str) -> pl.DataFrame:
        """Each township's attainment (0–1) of every indicator it is scored on in `month`."""
        return self.query("dashboard_township_scores", month=month)

    def township_scores(self, month: str, before: str | None) -> pl.DataFrame:
        """The 擂台赛: each township's score (mean attainment, %) and rank in `month`, and
        its score and rank in `before` (the last dispatch meeting: as its pack showed them,
        where the pack is kept), best first."""
        now = township_scores(self.township_attainment(month))
        if before is None:
            return with_scores_before(now, None)
        shown = self.presented(before)
        if shown is not None:  # as the meeting's pack showed it
            from pack import archive

            return with_scores_before(now, archive.shown_scores(shown))
        return with_scores_before(now, township_scores(self.township_attainment(before)))

    def last_meeting(self, month: str) -> str | None:
        """The last dispatch meeting's month before `month` (the plan's), or None."""
        rows = self.query("dashboard_last_meeting", month=month)
        return rows["period"][0] if rows.height else None

    def completeness(self, month: str) -> pl.DataFrame:
        """The month's monthly ledgers missing, and its files rejected, by department."""
        return self.query("dashboard_completeness", month=month)

    def forecast(self, kpi: str, month: str, place: Place) -> dict | None:
        """The indicator's year-end forecast made as of `month` at `place`, or None."""
        rows = self.query("dashboard_forecast", kpi=kpi, month=month, **place.params())
        return rows.row(0, named=True) if rows.height else None

    def town_breakdown(self, kpi: str, month: str) -> pl.DataFrame:
        return self.query("dashboard_town_breakdown", kpi=kpi, month=month)

    def village_breakdown(self, kpi: str, month: str, town: str) -> pl.DataFrame:
        return self.query("dashboard_village_breakdown", kpi=kpi, month=month, town=town)

    def town_table(self, kpi: str, month: str, percent: bool) -> Table:
        """The township ranking as people read and download it."""
        return self._places_table(self.town_breakdown(kpi, month), percent)

    def village_table(self, kpi: str, month: str, town: str, percent: bool) -> Table:
        """A township's villages as people read and download them."""
        return self._places_table(self.village_breakdown(kpi, month, town), percent)

    def _places_table(self, frame: pl.DataFrame, percent: bool) -> Table:
        frame = labels.present(frame)
        columns = ("value", "target", "expected") if percent else ()
        percent_columns = tuple(labels.HEADERS[c] for c in columns)
        return self.as_table(frame, percent_columns=percent_columns, cap=ROW_CAP)

    def indicator_notes(self, action: int, month: str, town: str | None) -> Table:
        """What the reporting units wrote in 备注 for the action's indicators that month."""
        return self.table("dashboard_indicator_notes", action=action, month=month, town=town)

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

    def _failures(self, check: str, month: str, place: Place) -> pl.DataFrame:
        return self.query(
            "dashboard_check_failures",
            check=check,
            month=month,
            town=place.town,
            village=place.village,
        )

    def check_failures(self, check: str, month: str, place: Place) -> Table:
        """Every open failing row of one check in the month (in the place), masked; the rows
        of one entity together, numbered by 对象序号."""
        frame = self._failures(check, month, place).drop("entity_ref")
        return self.as_table(labels.present(frame), personal=True)

    # Checks page ---------------------------------------------------------------------------

    def check_months(self) -> pl.DataFrame:
        """Every check's status and open failing entities in every month (codes kept)."""
        return self.query("dashboard_check_months")

    def check_trend(self) -> pl.DataFrame:
        """Open failing entities per month and severity (summed over checks; 0 where none)."""
        months = self.check_months()
        return (
            months.with_columns(pl.col("failing_rows").fill_null(0))
            .group_by("period", "severity")
            .agg(pl.col("failing_rows").sum().alias("failing"))
            .sort("period", "severity")
        )

    def check_matrix(self) -> Table:
        """Checks by month: a row per check, a column per month (oldest first), each cell
        the status in words with its open failing entities and accepted exceptions."""
        months = self.check_months()
        if months.is_empty():
            return self.as_table(pl.DataFrame())
        words = labels.WORDS["check_status"]
        status = pl.col("check_status").replace_strict(words, default=pl.col("check_status"))
        failing = pl.format("{}（{}）", status, pl.col("failing_rows"))
        cell = pl.when(pl.col("check_status") == "failed").then(failing).otherwise(status)
        cell = (
            pl.when(pl.col("accepted_rows") > 0)
            .then(pl.format("{}，例外 {}", cell, pl.col("accepted_rows")))
            .otherwise(cell)
        )
        wide = months.with_columns(
            cell.alias("cell"),
            pl.col("period").map_elements(labels.month_name, return_dtype=pl.String),
            pl.col("severity").replace_strict(labels.WORDS["severity"]),
        ).pivot("period", index=["check_id", "check_title", "severity"], values="cell")
        month_columns = [labels.month_name(m) for m in sorted(months["period"].unique())]
        keys = ("check_id", "check_title", "severity")
        wide = wide.select(*keys, *month_columns).sort("check_id")
        return self.as_table(wide.rename({c: labels.HEADERS[c] for c in keys}))

    def departments(self, month: str | None) -> pl.DataFrame:
        """Per department the open failing rows of its ledgers (in `month`, or in every
        month when None), most first; every department listed."""
        return self.query("dashboard_departments", month=month)

    def departments_table(self, month: str | None) -> Table:
        return self.table("dashboard_departments", month=month)

    def _todo(self, department: str) -> pl.DataFrame:
        return self.query("dashboard_department_todo", department=department)

    def todo(self, department: str) -> Table:
        """A department's to-do: every open failing row of its ledgers, newest first."""
        return self.as_table(labels.present(self._todo(department).drop("rule")), personal=True)

    def todo_counts(self, department: str) -> Table:
        """The to-do counted by month and check, newest month first."""
        frame = (
            self._todo(department)
            .group_by("period", "check_id", "check_title", "severity")
            .agg(pl.len().alias("open_rows"))
            .sort(["period", "check_id"], descending=[True, False])
        )
        return self.as_table(labels.present(frame))

    def fix_sheet(self, department: str) -> Table:
        """The department's 整改清单: every row to fix, where the clerk finds it, the check
        and its rule and what to change, and a column for what was done — Chinese headers,
        masked, never capped."""
        sheet = labels.present(self._todo(department).select(FIX_SHEET_COLUMNS))
        sheet = sheet.rename({labels.HEADERS[c]: h for c, h in FIX_SHEET_HEADERS.items()})
        return self.as_table(
            sheet.with_row_index("序号", offset=1).with_columns(
                pl.lit(None, pl.String).alias("整改情况（请填写）")
            ),
            personal=True,
        )

    def quarantine_files_of(self, department: str) -> pl.DataFrame:
        """The standing files of a department's ledgers that have quarantined cells (every
        month), for the clerk who sent each."""
        files = self.quarantine_files(month="", all_months=True)
        return files.filter(pl.col("department") == department)

    # Accepted exceptions ---------------------------------------------------------------------

    def exception_candidates(self, check: str, month: str) -> dict[str, str]:
        """The entities failing `check` in `month`, for recording an exception: an opaque
        reference (never an ID) → a masked label that names the entity's rows."""
        frame = self._failures(check, month, Place())
        labels_by_ref: dict[str, str] = {}
        for row in frame.iter_rows(named=True):
            where = (
                f"{row['ledger_title']} {row['file_name']} 第{row['row_number']}行"
                if row["file_name"]
                else row["ledger_title"]
            )
            if row["entity_ref"] not in labels_by_ref:
                who = row["id_number"] or row["entity_key"] or ""
                name = f" {row['person_name']}" if row["person_name"] else ""
                place = "".join(p for p in (row["town_name"], row["village_name"]) if p)
                labels_by_ref[row["entity_ref"]] = (
                    f"对象 {row['entity_no']}｜{who}{name}｜{place}｜{where}"
                )
            else:
                labels_by_ref[row["entity_ref"]] += f"；{where}"
        return labels_by_ref

    @property
    def may_change(self) -> bool:
        """May the viewer upload extracts and record exceptions (数据专员)?"""
        return self.viewer.spec.uploads

    def _signed_as(self) -> str:
        return f"{self.viewer.display_name}（{self.viewer.username}）"

    def accept_exception(
        self, check: str, month: str, entity_ref: str, up_to: str, reason: str
    ) -> journal.Accepted:
        """Record in the journal, as the viewer, that the entity's failing rows of `check`
        are explained up to `up_to` (etl.journal.accept). Raises journal.ExceptionError
        (Chinese) on bad input, PermissionError for a role that may not; the next rerun
        reads the new journal, so the rows leave at once."""
        self._require(self.may_change)
        if up_to < month:
            raise ExceptionError(f"有效期不能早于问题所在的月份（{labels.month_name(month)}）")
        # The key travels from the warehouse to the journal here only: never through a page.
        keys = run_query(
            _connection(self.version),
            "dashboard_entity_key",
            {"check": check, "month": month, "entity_ref": entity_ref}
            | self._scope_params("dashboard_entity_key"),
        )
        if keys.is_empty():
            raise ExceptionError(
                "这条问题已经不在未通过的问题行中了（可能已被更正或已记录例外），请刷新页面"
            )
        accepted = journal.accept(
            Path(self.version[0]), check, keys["entity_key"][0], up_to, reason, self._signed_as()
        )
        self._audit(
            "exception_accepted",
            f"记录例外：核查 {check}，{labels.month_name(month)}，有效至 {up_to}",
            check=check,
            month=month,
        )
        return accepted

    def withdraw_exception(self, exception_id: int, reason: str) -> None:
        """Withdraw an exception as the viewer (etl.journal.withdraw): its rows fail again
        at once."""
        self._require(self.may_change)
        if not reason.strip():
            raise ExceptionError("请写明撤销的原因（如：复核发现参保凭证无效）")
        journal.withdraw(Path(self.version[0]), exception_id, self._signed_as(), reason)
        self._audit("exception_withdrawn", f"撤销例外 第 {exception_id} 号", exception=exception_id)

    def exceptions(self) -> pl.DataFrame:
        """Every exception in the journal, active first (codes kept)."""
        return self.query("dashboard_exceptions")

    def exceptions_table(self, active: bool) -> Table:
        frame = self.exceptions().filter(
            pl.col("exception_status") == ("active" if active else "withdrawn")
        )
        if active:
            frame = frame.drop("withdrawn_by", "withdrawn_at", "withdrawn_reason")
        return self.as_table(labels.present(frame), personal=True)

    # Uploading a corrected extract -----------------------------------------------------------

    def sources(self) -> dict[str, tuple[str, str]]:
        """Every declared source: name → (title, department), in the contract's order."""
        from etl.declarations import sources

        return {name: (s.title, s.department) for name, s in sources().items()}

    def upload(self, source: str, original_name: str, content: bytes):
        """Load a corrected extract, as the viewer, the way the command line would
        (etl.upload.upload: checked, archived, loaded, re-validated, published under the
        writer lock; audited there). Returns its UploadResult; raises ExceptionError
        (Chinese) when the platform failed, PermissionError for a role that may not. The
        next rerun reads the new warehouse."""
        from etl.upload import UploadFailed, upload

        self._require(self.may_change)
        try:
            return upload(
                Path(self.version[0]),
                source,
                original_name,
                content,
                self._signed_as(),
                source_address=self.viewer.address,
                username=self.viewer.username,
            )
        except UploadFailed as failure:
            raise ExceptionError(str(failure)) from None

    # Accounts and the audit trail (管理员) ------------------------------------------------------

    def audit_entries(self) -> Table:
        """The audit trail, newest first, as people read it (管理员 only)."""
        self._require(self.viewer.spec.administers)
        rows = audit.entries(Path(self.version[0]))
        frame = pl.DataFrame(
            [
                {
                    "时间": r["at"],
                    "账号": r["who"],
                    "角色": ROLE_TITLES.get(r.get("role", ""), r.get("role", "")),
                    "操作": audit.ACTIONS.get(r["action"], r["action"]),
                    "内容": r["what"],
                    "来自": r["from"],
                    "详情": json.dumps(r.get("details", {}), ensure_ascii=False, sort_keys=True),
                }
                for r in reversed(rows)
            ],
            schema={c: pl.String for c in ("时间", "账号", "角色", "操作", "内容", "来自", "详情")},
        )
        return Table(frame, on_export=self._exported)

    # The dispatch-meeting pack -----------------------------------------------------------------

    @property
    def pack_towns(self) -> list[str] | None:
        """The townships whose circulars the viewer's pack holds: a 乡镇专员's own, everyone
        else's every township (None). The pack itself shows no person: every role makes it."""
        return [self.viewer.town] if self.viewer.spec.needs_town else None

    def make_pack(self, month: str, progress: Callable[[str, float], None] | None = None):
        """The pack and the circulars for `month` from this version, as the viewer
        (pack/make.py): archived beside the warehouse, recorded in the audit trail. Returns
        pack.make.Made; raises pack.make.NoData for a month without indicators."""
        from pack.make import make, record

        path = Path(self.version[0])
        made = make(
            self,
            path,
            month,
            made_by=self._signed_as(),
            towns=self.pack_towns,
            progress=progress,
        )
        record(path, made, self.viewer.username, role=self.viewer.role, source=self.viewer.address)
        return made

    # Validation history ----------------------------------------------------------------------

    def validation_runs(self) -> pl.DataFrame:
        """Every validation in the journal, newest first (codes kept)."""
        return self.query("dashboard_validation_runs")

    def validation_runs_table(self) -> Table:
        return self.table("dashboard_validation_runs")

    def validation_changes(self, run_id: int | None = None) -> pl.DataFrame:
        """The (check, month) pairs whose status the run (default the latest) changed."""
        return self.query("dashboard_validation_changes", run_id=run_id)

    def validation_changes_table(self, run_id: int | None, turned: str) -> Table:
        frame = self.validation_changes(run_id).filter(pl.col("turned") == turned)
        return self.as_table(labels.present(frame))


# The fix sheet: the columns in the order a clerk works through them, and where its header
# says more than the page's.
FIX_SHEET_COLUMNS = (
    "period",
    "ledger_title",
    "file_name",
    "row_number",
    "town_name",
    "village_name",
    "id_number",
    "person_name",
    "household_id",
    "entity_key",
    "check_id",
    "check_title",
    "severity",
    "detail",
    "rule",
)
FIX_SHEET_HEADERS = {
    "ledger_title": "台账",
    "detail": "需要更正的内容（问题说明）",
}
