"""Uploading a corrected extract (the dashboard's 上传更正文件): checked, archived, loaded,
validated and published — one writer, under the warehouse's lock, like the command line.

    result = upload(warehouse, "employment", "旬邑县2024年5月务工台账.xlsx", data, "zhangsan")

Before anything is written, the upload is turned away (`UploadResult.logged` False, nothing
archived, the warehouse untouched) when its name is no .xlsx/.xls/.csv, its content is not
what its name says, it is larger than the upload limit, or a workbook would inflate past the
reader's limit. Otherwise its bytes are archived beside the warehouse and it is loaded with
exactly the command line's rules (`etl.load.load_file`): `loaded`, `unchanged` or
`rejected` with its reason, in `v_load_log` as `<source>/<cleaned name>`. A file that
loaded has its months validated again and the indicators refreshed before the one publish;
the result names each check's status in those months before and after.

Nothing here logs, or puts in an exception, what a file holds (names, ID numbers): the log
says which source, period and digest; an unexpected failure is reported without its
message, which could quote a cell.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import traceback
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from etl import settings
from etl.declarations import sources
from etl.load import BEIJING, Outcome, load_file
from etl.warehouse import prepare_warehouse, rebuilding, writer_lock
from etl.workbook import OLE_MAGIC, SUFFIXES, ZIP_MAGIC, Unreadable, check_inflation

log = logging.getLogger(__name__)

ARCHIVE_DIR = "archive"
MAX_NAME_CHARS = 120  # of the cleaned name's stem
FALLBACK_STEM = "上传文件"
# Characters Windows refuses in a file name, and path separators of either kind.
_UNSAFE = re.compile(r'[<>:"|?*]')
_SEPARATORS = re.compile(r"[\\/]")
_WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_TEXT_PROBE = 1 << 16


class UploadFailed(Exception):
    """The upload could not be processed for a reason of the platform (not of the file);
    the message is Chinese and names nothing the file holds. Nothing was published."""


@dataclass(frozen=True)
class CheckChange:
    """One check in one re-validated month: its status before the upload and after."""

    check_id: str
    title: str
    severity: str  # error | warning
    period: str
    before: str | None  # passed | failed | not_evaluated; None: no result before
    after: str | None
    failing_before: int | None = None
    failing_after: int | None = None
    note_after: str | None = None  # why it is not evaluated, after

    @property
    def turned(self) -> str | None:
        """`green` (now passes, did not), `red` (now fails, did not), else None."""
        if self.after == "passed" and self.before != "passed":
            return "green"
        if self.after == "failed" and self.before != "failed":
            return "red"
        return None

    @property
    def changed(self) -> bool:
        return (self.before, self.failing_before) != (self.after, self.failing_after)


@dataclass
class UploadResult:
    """What the page shows after an upload."""

    status: str  # loaded | unchanged | rejected
    message: str  # Chinese, for the data officer
    source: str
    file_name: str  # as in v_load_log: <source>/<cleaned name>
    period: str | None = None
    reason_code: str | None = None  # rejected only: a reason code of v_load_log
    logged: bool = False  # False: turned away before the loader (not in v_load_log)
    sha256: str = ""
    archived: Path | None = None
    rows_read: int | None = None
    rows_loaded: int | None = None
    rows_quarantined: int | None = None
    rows_skipped: int | None = None
    months: list[str] = field(default_factory=list)  # re-validated
    checks: list[CheckChange] = field(default_factory=list)  # every check × those months
    faults: list[str] = field(default_factory=list)  # checks that could not be evaluated

    @property
    def turned_green(self) -> list[CheckChange]:
        return [c for c in self.checks if c.turned == "green"]

    @property
    def turned_red(self) -> list[CheckChange]:
        return [c for c in self.checks if c.turned == "red"]


class _Refused(Exception):
    """Turned away before the loader: the Chinese message says why."""


# -- Checks before anything is written -----------------------------------------------------


def clean_name(original: str) -> str:
    """The name an upload is logged and archived under: never a path.

    The last component of the name (either separator), NFC, without control or format
    characters (bidirectional overrides included), characters Windows refuses replaced by
    `_`, runs of white space made one space, leading dots, `~$` and spaces and trailing dots
    and spaces dropped, the stem cut to 120 characters, the extension lower-cased. Chinese
    and the period's text (`2024年5月`, `2024-05`) stay as they are. Raises _Refused when
    the extension is not .xlsx, .xls or .csv.
    """
    name = unicodedata.normalize("NFC", original or "")
    name = _SEPARATORS.split(name)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip()
    stem, dot, extension = name.rpartition(".")
    suffix = ("." + extension.strip().lower()) if dot else ""
    if suffix not in SUFFIXES:
        shown = suffix if dot and len(suffix) <= 10 else "无扩展名"
        raise _Refused(f"只接受 .xlsx、.xls 或 .csv 文件，这个文件是“{shown}”")
    stem = _UNSAFE.sub("_", stem)
    stem = re.sub(r" {2,}", " ", stem)
    stem = re.sub(r"^(?:[.\s]|~\$)+", "", stem).rstrip(". ")
    stem = stem[:MAX_NAME_CHARS].rstrip(". ") or FALLBACK_STEM
    return stem + suffix


def _check_content(suffix: str, data: bytes) -> None:
    """The content must be what the name says (the loader reads by the extension)."""
    if suffix == ".xlsx":
        if data.startswith(OLE_MAGIC):
            raise _Refused(
                "这个 .xlsx 文件设置了打开密码（或不是真正的 .xlsx 文件），"
                "请取消密码、用 Excel 或 WPS 另存为 .xlsx 后重新上传"
            )
        names = set()
        if data.startswith(ZIP_MAGIC):
            with contextlib.suppress(zipfile.BadZipFile, ValueError, OSError, EOFError):
                check_inflation(data, suffix)  # before the directory is parsed here
                names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        if not all(part in names for part in _WORKBOOK_PARTS):
            raise _Refused(
                "文件扩展名是 .xlsx，但内容不是 Excel 工作簿（可能已损坏或被改过扩展名），"
                "请用 Excel 或 WPS 另存为 .xlsx 后重新上传"
            )
    elif suffix == ".xls":
        if not data.startswith(OLE_MAGIC):
            hint = (
                "；它其实是新版 Excel 文件，请把扩展名改为 .xlsx" if data[:4] == ZIP_MAGIC else ""
            )
            raise _Refused(
                "文件扩展名是 .xls，但内容不是 Excel 97-2003 工作簿（可能已损坏或被改过扩展名）"
                + (hint or "，请用 Excel 或 WPS 另存为 .xlsx 后重新上传")
            )
    elif data.startswith((ZIP_MAGIC, OLE_MAGIC)) or b"\x00" in data[:_TEXT_PROBE]:
        raise _Refused(
            "文件扩展名是 .csv，但内容不是文本格式的 CSV（可能是改过扩展名的 Excel 文件），"
            "请另存为 CSV（逗号分隔）或直接上传 .xlsx"
        )


def _gate(original_name: str, data: bytes) -> str:
    """The cleaned name, or _Refused: type by name and content, size, inflation."""
    name = clean_name(original_name)
    if not data:
        raise _Refused("文件是空的（0 字节）")
    limit_mb = settings.max_upload_mb()
    if len(data) > limit_mb * settings.MIB:
        raise _Refused(
            f"文件大小 {len(data) / settings.MIB:.1f} MB，超过上传上限 "
            f"{settings.shown_mb(limit_mb)} MB；请检查文件，或分成几个文件后上传"
        )
    suffix = Path(name).suffix
    try:
        _check_content(suffix, data)
    except Unreadable as e:  # a workbook over the inflation limit
        raise _Refused(str(e)) from None
    return name


# -- The archive -------------------------------------------------------------------------------


def archive_dir(warehouse: Path) -> Path:
    return warehouse.resolve().parent / ARCHIVE_DIR


def _archive(warehouse: Path, source: str, name: str, data: bytes, sha256: str, meta: dict):
    """Keep the bytes as `archive/<source>/<YYYYMMDD-HHMMSS>_<sha8>_<name>`: written whole
    to a temporary file, then linked into place, so a name is never overwritten and never
    seen half-written. Its sidecar `<that>.json` says who uploaded it and when."""
    folder = archive_dir(warehouse) / source
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(BEIJING).replace(microsecond=0)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    meta = {**meta, "uploaded_at": now.isoformat()}
    temporary = folder / f".upload.{os.getpid()}.{sha256[:8]}.tmp"
    temporary.unlink(missing_ok=True)  # left by a dead writer of the same pid
    try:
        for attempt in range(1, 1000):
            extra = "" if attempt == 1 else f"-{attempt}"
            target = folder / f"{stamp}_{sha256[:8]}{extra}_{name}"
            if target.exists():
                if target.read_bytes() == data:
                    return target  # the same bytes, the same second: already kept
                continue
            if not temporary.exists():
                _write_synced(temporary, data)
            try:
                os.link(temporary, target)  # fails if the name exists: never overwrites
            except FileExistsError:
                continue
            _write_synced(target.with_name(target.name + ".json"), _meta_bytes(meta))
            _fsync_dir(folder)
            return target
        raise UploadFailed("上传文件无法存档（同名文件过多）")
    finally:
        temporary.unlink(missing_ok=True)


def _meta_bytes(meta: dict) -> bytes:
    return json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8")


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- Validation of what the file changed ---------------------------------------------------


def _statuses(con) -> dict[tuple[str, str], tuple[str, int | None, str | None]]:
    rows = con.execute(
        "SELECT check_id, period, status, failing_rows, note FROM v_check_results"
    ).fetchall()
    return {(c, p): (s, n, note) for c, p, s, n, note in rows}


def _changes(con, months: list[str], before: dict, after: dict) -> list[CheckChange]:
    catalog = con.execute(
        "SELECT check_id, title, severity FROM check_catalog ORDER BY check_id"
    ).fetchall()
    changes = []
    for month in months:
        for check_id, title, severity in catalog:
            was = before.get((check_id, month), (None, None, None))
            now = after.get((check_id, month), (None, None, None))
            changes.append(
                CheckChange(
                    check_id, title, severity, month, was[0], now[0], was[1], now[1], now[2]
                )
            )
    return changes


# -- The upload --------------------------------------------------------------------------------


def upload(
    warehouse: Path,
    source: str,
    original_name: str,
    data: bytes,
    uploaded_by: str,
    say: Callable[[str], None] | None = None,
    *,
    source_address: str = "命令行",
    username: str | None = None,
) -> UploadResult:
    """Check, archive, load, validate and publish one uploaded file (module docstring).

    `source` is a declared source (ValueError otherwise: the page offers only those);
    `say` hears what a waiting writer hears (another writer holds the lock). Raises
    UploadFailed when the platform fails; a file's own faults are results, not exceptions.
    The upload, whatever its outcome, goes to the audit trail as `username` (the account;
    else `uploaded_by`, else who runs the command) from `source_address`.
    """
    from etl import audit

    who = username or uploaded_by or audit.command_line_user()
    try:
        result = _upload(warehouse, source, original_name, data, uploaded_by, say)
    except UploadFailed as failure:
        audit.record(warehouse, "upload", who, what=f"上传失败：{failure}", source=source_address,
                     details={"source": source})  # fmt: skip
        raise
    audit.record(
        warehouse,
        "upload",
        who,
        what=f"上传 {result.file_name or source}：{result.message}",
        source=source_address,
        details={"source": source, "status": result.status, "period": result.period or ""},
    )
    return result


def _upload(warehouse, source, original_name, data, uploaded_by, say) -> UploadResult:
    declared = sources()
    if source not in declared:
        raise ValueError(f"未知的台账：{source!r}")
    say = say or log.info
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        name = _gate(original_name, data)
    except _Refused as refusal:
        cleaned = _cleaned_or_none(original_name)
        log.info("upload refused before loading: source=%s sha=%s", source, sha256[:8])
        return UploadResult(
            status="rejected",
            message=str(refusal),
            source=source,
            file_name=f"{source}/{cleaned}" if cleaned else "",
            reason_code="unreadable",
            sha256=sha256,
        )
    file_name = f"{source}/{name}"
    meta = {
        "source": source,
        "file_name": file_name,
        "sha256": sha256,
        "bytes": len(data),
        "uploaded_by": uploaded_by,
    }
    try:
        return _load_and_publish(warehouse, source, name, file_name, data, sha256, meta, say)
    except UploadFailed:
        raise
    except Exception as e:
        # The message of a database or reader error may quote a cell: keep only its kind
        # and where it arose.
        where = "".join(traceback.format_tb(e.__traceback__, limit=-3)).strip()
        log.error(
            "upload failed: source=%s sha=%s %s\n%s", source, sha256[:8], type(e).__name__, where
        )
        raise UploadFailed(
            f"上传的文件未能处理（{type(e).__name__}），数据仓库未作改动；请稍后重试或联系平台维护人员"
        ) from None


def _cleaned_or_none(original_name: str) -> str | None:
    try:
        return clean_name(original_name)
    except _Refused:
        return None


def _load_and_publish(warehouse, source, name, file_name, data, sha256, meta, say):
    from etl import journal
    from etl.indicators import refresh_indicators
    from expectations.validate import standing_results, validate

    validation = standing = None
    with writer_lock(warehouse, say):
        with rebuilding(warehouse, lambda b: prepare_warehouse(b, warehouse)) as build:
            archived = _archive(warehouse, source, name, data, sha256, meta)
            before = _statuses(build.con)
            outcome: Outcome = load_file(build.con, archived, file_name)
            months, faults = [], []
            if outcome.status == "loaded":
                # As `run` does: the (check, month) pairs whose inputs the file changed.
                validation = validate(build, incremental=True)
                faults = [f.check_id for f in validation.faults]
                months = sorted({r.period for r in validation.results})
                standing = standing_results(build.con, validation.months)
                refresh_indicators(build.con)
            after = _statuses(build.con)
            changes = _changes(build.con, months, before, after)
        if validation is not None:
            journal.record_run(warehouse, validation, standing, "upload")
    log.info(
        "upload %s: source=%s period=%s sha=%s loaded=%s quarantined=%s months=%s",
        outcome.status,
        source,
        outcome.period,
        sha256[:8],
        outcome.rows_loaded,
        outcome.rows_quarantined,
        ",".join(months),
    )
    return UploadResult(
        status=outcome.status,
        message=_message(outcome),
        source=source,
        file_name=file_name,
        period=outcome.period,
        reason_code=outcome.reason_code,
        logged=True,
        sha256=sha256,
        archived=archived,
        rows_read=outcome.rows_read,
        rows_loaded=outcome.rows_loaded,
        rows_quarantined=outcome.rows_quarantined,
        rows_skipped=outcome.rows_skipped,
        months=months,
        checks=changes,
        faults=list(dict.fromkeys(faults)),
    )


def _message(outcome: Outcome) -> str:
    if outcome.status == "loaded":
        text = (
            f"已加载 {outcome.rows_loaded:,} 行，隔离 {outcome.rows_quarantined:,} 行，"
            f"跳过 {outcome.rows_skipped:,} 行"
        )
        return text + (f"（{outcome.message}）" if outcome.message else "")
    if outcome.status == "unchanged":
        return "与已加载的文件相同，未改动"
    return outcome.message
