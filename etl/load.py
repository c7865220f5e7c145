"""Loading an inbox: every file offered ends up loaded, unchanged or rejected — and logged.

Each file is all or nothing: its rows and quarantined cells are inserted under its load id
(part by part for a long CSV), then its load-log row and the removal of its (source,
period)'s older rows commit together; a file that fails leaves none of its rows. All of
it happens in the writing command's private copy, published whole (etl/warehouse.py). A
(source, period) sent again replaces that period; the same bytes sent again change
nothing (`unchanged`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from etl.declarations import sources
from etl.extract import Extract, FileRejected, read_extract
from etl.periods import period_for
from etl.progress import Progress
from etl.rules import Typing, type_extract

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass
class Offer:
    """A file offered in the inbox."""

    folder: str  # the folder under inbox/ (the source's name, if it names one)
    path: Path
    file_name: str  # path below inbox/, with '/' separators
    sha256: str = ""
    period: str | None = None
    rejection: FileRejected | None = None
    unchanged: bool = False  # the same bytes as the file loaded for its (source, period)


@dataclass
class Outcome:
    source: str
    period: str | None
    file_name: str
    status: str
    reason_code: str | None = None
    rows_read: int | None = None
    rows_loaded: int | None = None
    rows_quarantined: int | None = None
    rows_skipped: int | None = None
    message: str = ""

    @classmethod
    def unchanged(cls, offer: Offer) -> Outcome:
        return cls(offer.folder, offer.period, offer.file_name, "unchanged")

    @classmethod
    def rejected(cls, offer: Offer) -> Outcome:
        r = offer.rejection
        return cls(
            offer.folder,
            offer.period or r.period,
            offer.file_name,
            "rejected",
            reason_code=r.reason_code,
            message=r.message,
        )

    @classmethod
    def loaded(cls, offer: Offer, extract: Extract) -> Outcome:
        """A file being loaded: its rows are counted in as its parts are inserted."""
        return cls(
            extract.source.name,
            extract.period,
            offer.file_name,
            "loaded",
            rows_read=0,
            rows_loaded=0,
            rows_quarantined=0,
            rows_skipped=0,
            message="；".join(extract.warnings),
        )

    def count(self, part: Extract, typing: Typing) -> None:
        self.rows_read += part.rows_read
        self.rows_loaded += typing.loaded.height
        self.rows_quarantined += typing.rows_quarantined
        self.rows_skipped += part.rows_skipped

    def line(self) -> str:
        if self.status == "loaded":
            text = (
                f"已加载 {self.rows_loaded:,} 行，隔离 {self.rows_quarantined:,} 行，"
                f"跳过 {self.rows_skipped:,} 行"
            )
            return f"{self.file_name}：{text}" + (f"（{self.message}）" if self.message else "")
        if self.status == "unchanged":
            return f"{self.file_name}：与已加载的文件相同，未改动"
        return f"{self.file_name}：已拒收 —— {self.message}"


def inbox_of(directory: Path) -> Path:
    """`DIR/inbox` when DIR holds one (as `generate` writes it), else DIR itself."""
    return directory / "inbox" if (directory / "inbox").is_dir() else directory


def offered_files(inbox: Path) -> list[Offer]:
    """Every file offered: hidden files and Excel's `~$` lock files are not offers."""
    offers = []
    for path in sorted(inbox.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(inbox)
        if any(part.startswith((".", "~$")) for part in relative.parts):
            continue
        folder = relative.parts[0] if len(relative.parts) > 1 else ""
        offers.append(Offer(folder=folder, path=path, file_name=relative.as_posix()))
    return offers


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _resolve(offer: Offer) -> None:
    """Decide the offer's source and period, reading the file only when the name has none."""
    offer.sha256 = _sha256(offer.path)
    declared = sources()
    if offer.folder not in declared:
        where = f"文件夹“{offer.folder}”" if offer.folder else "inbox 根目录"
        offer.rejection = FileRejected(
            "unknown_source",
            f"{where}不对应任何台账（应放在以下文件夹之一：{'、'.join(declared)}）",
        )
        return
    source = declared[offer.folder]
    offer.period, _ = period_for(source.frequency, Path(offer.file_name).stem)
    if offer.period is None:
        try:
            # Read for its period only, and read again when its turn comes: an inbox of
            # such files must not be held in memory at once.
            offer.period = read_extract(offer.path, source, offer.file_name).period
        except FileRejected as rejection:
            offer.rejection = rejection
            offer.period = rejection.period


def _reject_duplicates(offers: list[Offer]) -> None:
    """Two files of one source for one period in one command: both are rejected."""
    seen: dict[tuple[str, str], list[Offer]] = {}
    for offer in offers:
        if offer.rejection is None and offer.period is not None:
            seen.setdefault((offer.folder, offer.period), []).append(offer)
    for (_, period), group in seen.items():
        if len(group) > 1:
            names = "、".join(Path(o.file_name).name for o in group)
            for offer in group:
                offer.rejection = FileRejected(
                    "duplicate_period",
                    f"同一台账的 {period} 收到了 {len(group)} 个文件（{names}），无法判断以哪个为准，请只报送一个",
                    period,
                )


def now_beijing() -> dt.datetime:
    return dt.datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


def _next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM load_log").fetchone()[0]


def _current_sha(con, source: str, period: str) -> str | None:
    row = con.execute(
        "SELECT sha256 FROM current_load WHERE source = ? AND period = ?", [source, period]
    ).fetchone()
    return row[0] if row else None


def _log(con, load_id: int, offer: Offer, outcome: Outcome) -> None:
    con.execute(
        "INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            outcome.source,
            outcome.period,
            outcome.file_name,
            offer.sha256,
            outcome.status,
            outcome.reason_code,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_quarantined,
            outcome.rows_skipped,
            outcome.message or None,
            now_beijing(),
        ],
    )


@dataclass
class Prepared:
    """An offer read and typed (off the main thread), ready to commit: the whole file, or
    the first batch of a file read in batches (the rest is read while it is committed)."""

    extract: Extract
    typing: Typing


def _prepare(offer: Offer) -> Prepared | FileRejected | None:
    """Read and type one offer; no database work, so it can run beside the commits."""
    if offer.rejection is not None or offer.unchanged:
        return None
    try:
        extract = read_extract(offer.path, sources()[offer.folder], offer.file_name)
    except FileRejected as rejection:
        return rejection
    return Prepared(extract, type_extract(extract))


def _commit(con: duckdb.DuckDBPyConnection, offer: Offer, prepared) -> Outcome:
    """Record one offer — and for a loaded file, replace its period's rows by its own.

    A file's rows are inserted part by part under its new load id, each part committed
    (DuckDB holds a transaction's rows in memory: one transaction for a long CSV would grow
    with it); then one transaction drops the period's older rows and logs the file. Until
    then nothing reads them: they are in the private copy (etl/warehouse.py), not current.
    A file found unreadable part-way through is rejected whole: its parts are deleted and
    the period keeps the rows it had. Any other failure ends the command, and its private
    copy is thrown away with whatever was inserted.
    """
    if isinstance(prepared, FileRejected):
        offer.rejection = prepared
    load_id = _next_load_id(con)
    outcome = None
    if offer.rejection is None and not offer.unchanged:
        try:
            outcome = _insert_parts(con, load_id, offer, prepared)
        except FileRejected as rejection:
            offer.rejection = rejection
            _discard(con, prepared.extract.source, load_id)
    if outcome is None:
        outcome = Outcome.unchanged(offer) if offer.unchanged else Outcome.rejected(offer)
    con.execute("BEGIN")
    try:
        if outcome.status == "loaded":
            _drop_older(con, prepared.extract.source, prepared.extract.period, load_id)
        _log(con, load_id, offer, outcome)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcome


def _insert_parts(
    con: duckdb.DuckDBPyConnection, load_id: int, offer: Offer, prepared: Prepared
) -> Outcome:
    """The file's rows and quarantined cells inserted under `load_id`, part by part."""
    source, period = prepared.extract.source, prepared.extract.period
    outcome = Outcome.loaded(offer, prepared.extract)
    for part, typing in _typed_parts(prepared):
        outcome.count(part, typing)
        rows = typing.loaded.with_columns(period=pl.lit(period), load_id=pl.lit(load_id, pl.Int64))
        quarantine = typing.quarantine.with_columns(load_id=pl.lit(load_id, pl.Int64))
        con.execute("BEGIN")
        try:
            con.register("incoming_rows", rows)
            # The table name comes from the declarations (a checked identifier).
            con.execute(f"INSERT INTO {source.table} BY NAME SELECT * FROM incoming_rows")
            con.register("incoming_quarantine", quarantine)
            con.execute("INSERT INTO quarantine BY NAME SELECT * FROM incoming_quarantine")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("incoming_rows")
            con.unregister("incoming_quarantine")
    return outcome


def _drop_older(con: duckdb.DuckDBPyConnection, source, period: str, load_id: int) -> None:
    """The period's rows and quarantine of earlier loads, now that `load_id` replaces them."""
    con.execute(f"DELETE FROM {source.table} WHERE period = ? AND load_id <> ?", [period, load_id])
    con.execute(
        "DELETE FROM quarantine WHERE load_id IN "
        "(SELECT load_id FROM load_log WHERE source = ? AND period = ? AND load_id <> ?)",
        [source.name, period, load_id],
    )


def _discard(con: duckdb.DuckDBPyConnection, source, load_id: int) -> None:
    """A file's parts inserted before it failed."""
    con.execute(f"DELETE FROM {source.table} WHERE load_id = ?", [load_id])
    con.execute("DELETE FROM quarantine WHERE load_id = ?", [load_id])


def _typed_parts(prepared: Prepared) -> Iterator[tuple[Extract, Typing]]:
    """The file's parts with their typing: the first as prepared, each next one read and
    typed on a second thread while the one before is inserted."""
    yield prepared.extract, prepared.typing
    parts = prepared.extract.parts()
    next(parts)  # the first, typed already

    def next_typed():
        part = next(parts, None)
        return None if part is None else (part, type_extract(part))

    with ThreadPoolExecutor(max_workers=1) as reader:
        coming = reader.submit(next_typed)
        while (typed := coming.result()) is not None:
            coming = reader.submit(next_typed)
            yield typed


def load_file(con: duckdb.DuckDBPyConnection, path: Path, file_name: str) -> Outcome:
    """Load one file under the name `file_name` (`<source>/<name>`, as it is logged), with
    the rules of `load_directory`: the source from the folder part of the name, the period
    from the name (else its column), `unchanged` for the bytes of the file standing for its
    (source, period), else a new version replacing that period; all or nothing, logged."""
    folder, _, _ = file_name.partition("/")
    offer = Offer(folder=folder, path=path, file_name=file_name)
    _resolve(offer)
    offer.unchanged = (
        offer.rejection is None and _current_sha(con, offer.folder, offer.period) == offer.sha256
    )
    prepared = _prepare(offer)
    return _commit(con, offer, prepared)


# Files read and typed ahead of the commits: polars and the workbook reader release the
# GIL, so reading the next file overlaps committing this one on a second core.
READ_AHEAD = 2


def load_directory(
    con: duckdb.DuckDBPyConnection, directory: Path, progress: Progress | None = None
) -> list[Outcome]:
    """Load every file under `directory` (an `inbox/` or the folder holding one)."""
    inbox = inbox_of(directory)
    offers = offered_files(inbox)
    progress = progress or Progress(len(offers), "加载")
    for offer in offers:
        progress.step(f"识别 {offer.file_name}")
        _resolve(offer)
    _reject_duplicates(offers)
    for offer in offers:
        offer.unchanged = (
            offer.rejection is None
            and _current_sha(con, offer.folder, offer.period) == offer.sha256
        )
    offers.sort(key=lambda o: (o.folder, o.period or "", o.file_name))
    outcomes = []
    with ThreadPoolExecutor(max_workers=READ_AHEAD) as readers:
        queued = deque()
        upcoming = iter(offers)
        for offer in islice(upcoming, READ_AHEAD + 1):
            queued.append((offer, readers.submit(_prepare, offer)))
        while queued:
            offer, prepared = queued.popleft()
            progress.step(offer.file_name)
            outcome = _commit(con, offer, prepared.result())
            del prepared  # free the file's rows before the next one is read
            outcomes.append(outcome)
            progress.done(outcome.line())
            for following in islice(upcoming, 1):
                queued.append((following, readers.submit(_prepare, following)))
    for folder in sorted({o.folder for o in offers if o.folder not in sources()}):
        progress.say(f"注意：文件夹“{folder or 'inbox 根目录'}”不对应任何台账，其中的文件已拒收")
    return outcomes
