"""Reading a clerk's file into a grid of text cells, row numbers kept.

Every cell is read as text, never typed by guessing (a column guessed numeric from its
first rows silently empties its later text cells). A workbook's cell *type* is consulted
only where a rule needs it: an ID number stored as a number cell has lost its last digits.

The grid's `row` column holds the row number the clerk sees: the sheet's own 1-based row
number (blank rows count), or the CSV's physical line number.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import fastexcel
import polars as pl

from etl import settings
from etl.cells import restored

WORKBOOK_SUFFIXES = {".xlsx", ".xls"}
SUFFIXES = WORKBOOK_SUFFIXES | {".csv"}


class Unreadable(Exception):
    """The file cannot be read at all; the message says why, in Chinese."""


@dataclass
class Grid:
    """A sheet as text: columns c0…cN (None when empty) and `row`, the clerk's row number."""

    cells: pl.DataFrame
    sheet_name: str | None = None
    # Reads the cell types of one grid column on demand (workbooks only).
    _numeric_rows: object = field(default=None, repr=False)

    @property
    def width(self) -> int:
        return self.cells.width - 1

    def numeric_rows(self, column: int) -> set[int]:
        """Row numbers whose cell in grid column `column` is a number cell (not text)."""
        return self._numeric_rows(column) if self._numeric_rows else set()


def read_grid(path: Path, preferred_sheet: str) -> Grid:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise Unreadable(
            f"不支持的文件格式“{path.suffix or '无扩展名'}”，请以 .xlsx、.xls 或 .csv 报送"
        )
    check_size(path)
    if suffix == ".csv":
        return next(csv_grids(path))
    return _restored(_read_workbook(path, preferred_sheet))


def check_size(path: Path) -> None:
    """Refuse a file that would cost too much to read (the limits below), before reading it."""
    suffix, size = path.suffix.lower(), path.stat().st_size
    if size == 0:
        raise Unreadable("文件是空的（0 字节）")
    if suffix == ".xlsx":
        check_inflation(path, path.suffix)
    else:
        check_file_size(size, settings.max_csv_mb() if suffix == ".csv" else None)


# -- Limits: what a file may cost to read ---------------------------------------------------
#
# A clerk's workbook is read whole: an .xls into memory as it is, an .xlsx inflated from its
# zip; a .csv is read in batches. Before anything is read, a .csv or .xls is held to a size,
# and an .xlsx to how much it may inflate to (etl/settings.py). A zip's directory may lie
# about its members' sizes, and the workbook reader (calamine) inflates a member whatever its declared size:
# so every member whose worst case does not fit the limit is first inflated here, through
# a counting stream that keeps nothing and stops as soon as it outgrows its declared size.

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
# Deflate codes at best 258 repeated bytes in 2 bits: no stream inflates more than 1032-fold.
DEFLATE_MAX_RATIO = 1032
# A workbook has tens of parts (hundreds with many sheets or pictures); a zip's directory is
# parsed whole before any check on it can run, so the number of entries is read first.
MAX_ZIP_MEMBERS = 10_000
_INFLATE_CHUNK = 1 << 20


def inflated_too_large(limit_mb: float | None = None) -> str:
    limit_mb = settings.max_inflated_mb() if limit_mb is None else limit_mb
    return (
        f"文件解压后超过 {settings.shown_mb(limit_mb)} MB 的上限（压缩炸弹或异常文件），"
        "请检查文件后重新导出"
    )


_LYING_ZIP = (
    "文件解压后的实际大小超过了文件内记录的大小（压缩炸弹或损坏的文件），请检查文件后重新导出"
)


def file_too_large(size: int, limit_mb: float) -> str:
    return (
        f"文件大小 {size / settings.MIB:.1f} MB，超过 {settings.shown_mb(limit_mb)} MB 的上限，"
        "请检查文件，或分成几个文件后重新报送"
    )


def _corrupt(suffix: str = ".xlsx") -> Unreadable:
    return Unreadable(f"无法打开这个 Excel 文件（文件可能已损坏，或不是真正的 {suffix} 文件）")


def _too_many_parts(entries: int) -> Unreadable:
    return Unreadable(
        f"文件中的压缩部件过多（{entries:,} 个），不是正常的 Excel 文件，"
        "请用 Excel 或 WPS 另存为 .xlsx 后重新报送"
    )


def check_file_size(size: int, limit_mb: float | None = None) -> None:
    """An .xls is read whole into memory, a .csv in batches: refuse one above its limit
    (`limit_mb`, else the .xls limit)."""
    limit_mb = settings.max_file_mb() if limit_mb is None else limit_mb
    if size > limit_mb * settings.MIB:
        raise Unreadable(file_too_large(size, limit_mb))


def check_inflation(source: Path | bytes, suffix: str = ".xlsx") -> None:
    """Refuse a zip workbook that would inflate past the configured limit.

    The declared sizes (the zip's central directory) are summed first, before any member
    is inflated; then each member that could outgrow what is left of the limit is inflated
    through a counting stream and stopped the moment it exceeds its declared size. A file
    that is no zip at all is left to the reader (which says it is damaged).
    """
    limit_mb = settings.max_inflated_mb()
    limit = int(limit_mb * settings.MIB)
    with source.open("rb") if isinstance(source, Path) else io.BytesIO(source) as fp:
        if fp.read(4) != ZIP_MAGIC and not zipfile.is_zipfile(fp):
            return
        entries = _zip_entry_count(fp)
        if entries is not None and entries > MAX_ZIP_MEMBERS:
            raise _too_many_parts(entries)
        fp.seek(0)
        try:
            members = zipfile.ZipFile(fp).infolist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error) as e:
            raise _corrupt(suffix) from e
        if len(members) > MAX_ZIP_MEMBERS:  # the end record understated them
            raise _too_many_parts(len(members))
        stored, deflated = [], []
        for info in members:
            if info.compress_type == zipfile.ZIP_STORED:
                stored.append(info)
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                deflated.append(info)
            else:
                raise Unreadable(
                    "文件使用了 Excel 不会使用的压缩方式，无法安全读取，"
                    "请用 Excel 或 WPS 另存为 .xlsx 后重新报送"
                )
        # A stored member is read as its compressed bytes, whatever its declared size.
        bound = sum(max(i.file_size, i.compress_size) for i in stored)
        if bound + sum(i.file_size for i in deflated) > limit:
            raise Unreadable(inflated_too_large(limit_mb))
        # Members are proven largest first, until the worst case of the rest fits.
        deflated.sort(key=lambda i: i.compress_size, reverse=True)
        worst_rest = DEFLATE_MAX_RATIO * sum(i.compress_size for i in deflated)
        for info in deflated:
            if bound + worst_rest <= limit:
                break
            worst_rest -= DEFLATE_MAX_RATIO * info.compress_size
            _inflate_counting(fp, info, suffix)
            bound += info.file_size


def _zip_entry_count(fp) -> int | None:
    """The number of entries the zip's end record declares, or None when it cannot be read
    (the zip reader then decides whether the file is a zip at all)."""
    size = fp.seek(0, io.SEEK_END)
    tail_size = min(size, 22 + 0xFFFF)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    entries = struct.unpack_from("<H", tail, at + 10)[0]
    if entries != 0xFFFF:
        return entries
    locator = at - 20  # zip64: the locator sits just before the end record
    if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
        return None
    offset = struct.unpack_from("<Q", tail, locator + 8)[0]
    if offset + 56 > size:
        return None
    fp.seek(offset)
    record = fp.read(56)
    if record[:4] != b"PK\x06\x06":
        return None
    return struct.unpack_from("<Q", record, 32)[0]


def _inflate_counting(fp, info: zipfile.ZipInfo, suffix: str) -> None:
    """Inflate one member, keeping nothing; refuse it as soon as it outgrows its declared size."""
    fp.seek(info.header_offset)
    local = fp.read(30)
    if len(local) < 30 or local[:4] != ZIP_MAGIC:
        raise _corrupt(suffix)
    name_length, extra_length = struct.unpack_from("<HH", local, 26)
    fp.seek(info.header_offset + 30 + name_length + extra_length)
    left = info.compress_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced, pending = 0, b""
    try:
        while not inflater.eof:
            if not pending and left > 0:
                pending = fp.read(min(left, _INFLATE_CHUNK))
                left = left - len(pending) if pending else 0
            out = inflater.decompress(pending, _INFLATE_CHUNK)
            pending = inflater.unconsumed_tail
            produced += len(out)
            if produced > info.file_size:
                raise Unreadable(_LYING_ZIP)
            if not out and not pending and left <= 0:
                break
    except zlib.error as e:
        raise _corrupt(suffix) from e


# -- CSV ------------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM dropped) when the bytes are UTF-8, else GB18030 (Excel's CSV on Chinese Windows)."""
    return data.decode(_csv_scan(io.BytesIO(data))[0])


def _csv_scan(stream) -> tuple[str, bool]:
    """The encoding a CSV is read in, from a pass over its bytes in blocks (nothing kept):
    utf-8-sig when they are UTF-8, else gb18030; Unreadable when they are neither, or hold
    a NUL byte (no text file does). And whether it holds a quote character (in neither
    encoding is byte 0x22 ever part of another character)."""
    for encoding in ("utf-8-sig", "gb18030"):
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        quoted = False
        try:
            while block := stream.read(_CSV_BLOCK):
                if b"\x00" in block:
                    raise Unreadable("这不是文本格式的 CSV 文件")
                quoted = quoted or b'"' in block
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return encoding, quoted
        except UnicodeDecodeError:
            continue
    raise Unreadable("CSV 文件的编码无法识别（应为 UTF-8 或 GBK/GB18030）")


_CSV_BLOCK = 1 << 22


def csv_grids(
    path: Path, batch_rows: int | None = None, *, plain: bool | None = None
) -> Iterator[Grid]:
    """A CSV as grids of up to `batch_rows` records each (all in one when None), in order.

    Memory holds one batch, whatever the file's length. Each grid is as wide as its widest
    record (short rows are padded), so a batch's blank and data rows are judged as the whole
    file's would be; its `row` is the physical line each record starts on.

    While its lines are whole records (quotes, if any, enclosing whole cells), a file is
    split by polars (`_split_batches`, several times faster); from the first batch that is
    not, Python's csv module reads on, which knows where a quoted cell spanning lines ends.
    `plain=False` has the csv module read it all (tests prove the two agree).
    """
    with path.open("rb") as raw:
        encoding, _ = _csv_scan(raw)
    split = plain is not False
    with path.open(encoding=encoding, newline="") as text:
        batches = _split_batches(text, batch_rows) if split else _csv_batches(text, batch_rows)
        seen = False
        for grid, last in batches:
            seen = seen or (grid is not None and grid.width > 0)
            if last and not seen:
                raise Unreadable("文件中没有任何内容")
            if grid is not None:
                yield grid
            if last:
                return


def _csv_batches(
    text, batch_rows: int | None, first_line: int = 1
) -> Iterator[tuple[Grid | None, bool]]:
    """(grid, is it the last) per batch, read by the csv module; `text` yields the file's
    lines from physical line `first_line` on."""
    reader = csv.reader(text)
    before = first_line - 1  # lines read before this reader started
    last_line = before
    while True:
        records, line_numbers = [], []
        try:
            for record in reader:
                # A record starts on the line after the previous one ended (quoted cells
                # may span lines): the line the clerk sees it start on.
                line_numbers.append(last_line + 1)
                records.append(record)
                last_line = before + reader.line_num
                if batch_rows is not None and len(records) >= batch_rows:
                    break
        except csv.Error as e:
            raise Unreadable(f"CSV 文件格式有误（第 {last_line + 1} 行）：{e}") from e
        last = batch_rows is None or len(records) < batch_rows
        yield (_csv_grid(records, line_numbers) if records else None), last
        if last:
            return


# A cell as the csv module reads it when quotes only ever enclose a whole cell: quoted
# ("" a quote inside), or free of quotes and commas.
_CELL = r'"(?:[^"]|"")*"|[^,"]*'
_CELLS_LINE = rf"^(?:{_CELL})(?:,(?:{_CELL}))*$"
_COMMA_AND_CELL = rf",(?:{_CELL})"  # never empty: each match starts with its comma


def _split_batches(text, batch_rows: int | None) -> Iterator[tuple[Grid | None, bool]]:
    """(grid, is it the last) per batch, split by polars while each line is one record (the
    file's lines as the csv module reads them: ended by \\n, \\r\\n or \\r): its cells between
    commas, a quoted cell unquoted; an empty line is a record of no cell. From the first
    batch holding a line that is not whole records (a quoted cell spanning lines, a quote
    inside a cell) or is longer than the csv module's cell limit, the rest of the file goes
    through the csv module (`_csv_batches`)."""
    first_line = 1
    while True:
        lines = list(itertools.islice(text, batch_rows)) if batch_rows else text.readlines()
        last = batch_rows is None or len(lines) < batch_rows
        if not lines:
            yield None, last
            return
        body = pl.DataFrame(
            {"line": pl.Series(lines, dtype=pl.String).str.replace(r"(?:\r\n|\n|\r)$", "")}
        ).with_columns(quoted=pl.col("line").str.contains('"', literal=True))
        whole = ~pl.col("quoted") | pl.col("line").str.contains(_CELLS_LINE)
        # a line longer than the csv module's cell limit: its verdict, whatever the path
        short = pl.col("line").str.len_chars() <= csv.field_size_limit()
        if not body.select((whole & short).all()).item():
            yield from _csv_batches(itertools.chain(lines, text), batch_rows, first_line)
            return
        unquoted = (
            pl.when(pl.element().str.starts_with('"'))
            .then(pl.element().str.slice(1, pl.element().str.len_chars() - 2))
            .otherwise(pl.element())
            .str.replace_all('""', '"', literal=True)
        )
        fields = body.select(
            pl.when(pl.col("line") == "")
            .then(pl.lit([], pl.List(pl.String)))
            .when(pl.col("quoted"))
            .then(
                (pl.lit(",") + pl.col("line"))
                .str.extract_all(_COMMA_AND_CELL)
                .list.eval(pl.element().str.slice(1))
                .list.eval(unquoted)
            )
            .otherwise(pl.col("line").str.split(","))
            .alias("fields")
        ).to_series()
        width = int(fields.list.len().max() or 0)
        rows = pl.int_range(first_line, first_line + len(lines), dtype=pl.Int64, eager=True)
        first_line += len(lines)
        if width == 0:  # blank lines only
            grid = Grid(pl.DataFrame([rows.alias("row")]))
        else:
            cells = pl.DataFrame({"fields": fields}).select(
                *(
                    pl.col("fields").list.get(i, null_on_oob=True).alias(f"c{i}")
                    for i in range(width)
                )
            )
            cells = cells.with_columns(
                [
                    pl.when(pl.col(f"c{i}") != "").then(pl.col(f"c{i}")).alias(f"c{i}")
                    for i in range(width)
                ]
                + [rows.alias("row")]
            )
            grid = _restored(Grid(cells))
        yield grid, last
        if last:
            return


def _csv_grid(records: list[list[str]], line_numbers: list[int]) -> Grid:
    width = max((len(r) for r in records), default=0)
    for record in records:  # short rows (titles, summaries) are padded to the widest
        if len(record) < width:
            record.extend([""] * (width - len(record)))
    names = [f"c{i}" for i in range(width)]
    rows = pl.Series("row", line_numbers, dtype=pl.Int64)
    if width == 0:  # blank lines only
        return Grid(pl.DataFrame([rows]))
    cells = pl.DataFrame(records, schema={n: pl.String for n in names}, orient="row")
    cells = cells.with_columns(
        [pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in names] + [rows]
    )
    return _restored(Grid(cells))


def _restored(grid: Grid) -> Grid:
    """A cell our own downloads neutralised ('=…, '-…: etl/cells.py) reads as its text."""
    text = [c for c in grid.cells.columns if c != "row"]
    grid.cells = grid.cells.with_columns(restored(c) for c in text)
    return grid


# -- Workbooks ---------------------------------------------------------------------------


def _pick_sheet(names: list[str], preferred: str) -> str:
    """The sheet named after the source's Chinese title, else the first sheet."""
    wanted = "".join(unicodedata.normalize("NFKC", preferred).split())
    for name in names:
        if "".join(unicodedata.normalize("NFKC", name).split()) == wanted:
            return name
    return names[0]


def _read_workbook(path: Path, preferred_sheet: str) -> Grid:
    try:
        reader = fastexcel.read_excel(path)
        names = reader.sheet_names
        if not names:
            raise Unreadable("工作簿中没有工作表")
        sheet_name = _pick_sheet(names, preferred_sheet)
        # skip_rows=0 keeps leading blank rows, so frame index + 1 is the sheet row number.
        sheet = reader.load_sheet(sheet_name, header_row=None, skip_rows=0, dtypes="string")
        frame = sheet.to_polars()
        absolute = [c.absolute_index for c in sheet.available_columns()]
    except Unreadable:
        raise
    except Exception as e:  # fastexcel/calamine raise their own types for damaged files
        raise Unreadable(
            f"无法打开这个 Excel 文件（文件可能已损坏，或不是真正的 {path.suffix} 文件）"
        ) from e
    if frame.height == 0 or frame.width == 0:
        raise Unreadable(f"工作表“{sheet_name}”是空的")
    frame = frame.rename({old: f"c{i}" for i, old in enumerate(frame.columns)})
    frame = frame.with_columns(row=pl.int_range(1, frame.height + 1, dtype=pl.Int64))
    if path.suffix.lower() == ".xlsx":
        numeric = _XlsxNumericCells(path, sheet_name, absolute)
    else:
        numeric = _XlsNumericCells(path, sheet_name, absolute)
    return Grid(frame, sheet_name, numeric)


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class _XlsxNumericCells:
    """Which cells of one column are stored as numbers, read from the sheet's XML.

    In SpreadsheetML a number cell is a `<c>` with no `t` attribute (or `t="n"`) holding a
    `<v>`; text is `t="s"`, `t="str"` or `t="inlineStr"`. Scanning one column's cells is a
    fraction of the cost of parsing the sheet again.
    """

    _NS = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    }

    def __init__(self, path: Path, sheet_name: str, absolute: list[int]):
        self.path, self.sheet_name, self.absolute = path, sheet_name, absolute
        self._xml: bytes | None = None

    def _sheet_xml(self) -> bytes:
        if self._xml is None:
            with zipfile.ZipFile(self.path) as z:
                workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
                rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
                rel_id = next(
                    s.get(f"{{{self._NS['r']}}}id")
                    for s in workbook.iter(f"{{{self._NS['m']}}}sheet")
                    if s.get("name") == self.sheet_name
                )
                target = next(
                    r.get("Target")
                    for r in rels.iter(f"{{{self._NS['rel']}}}Relationship")
                    if r.get("Id") == rel_id
                )
                target = target.lstrip("/")
                member = target if target.startswith("xl/") else f"xl/{target}"
                self._xml = z.read(member)
        return self._xml

    def __call__(self, column: int) -> set[int]:
        letters = _column_letters(self.absolute[column]).encode()
        xml = self._sheet_xml()
        if b'<c r="' in xml:
            # The usual writers (Excel, WPS, xlsxwriter, openpyxl) put `r` first and `s`, `t`
            # after it: a literal-prefixed pattern finds a column's number cells quickly.
            number_cell = re.compile(rb'<c r="' + letters + rb'(\d+)"(?: s="\d+")?(?: t="n")?>')
            return {int(m.group(1)) for m in number_cell.finditer(xml)}
        any_cell = re.compile(rb"<(?:\w+:)?c\b([^>]*?\br=\"" + letters + rb"(\d+)\"[^>]*?)(/?)>")
        rows = set()
        for m in any_cell.finditer(xml):
            attributes, row, empty = m.group(1), m.group(2), m.group(3)
            kind = re.search(rb"\bt=\"(\w+)\"", attributes)
            if not empty and (kind is None or kind.group(1) == b"n"):
                rows.add(int(row))
        return rows


class _XlsNumericCells:
    """Which cells of one column are numbers, for the old binary .xls (read with its types)."""

    def __init__(self, path: Path, sheet_name: str, absolute: list[int]):
        self.path, self.sheet_name, self.absolute = path, sheet_name, absolute

    def __call__(self, column: int) -> set[int]:
        import python_calamine

        book = python_calamine.CalamineWorkbook.from_path(str(self.path))
        rows = book.get_sheet_by_name(self.sheet_name).to_python(skip_empty_area=False)
        col = self.absolute[column]
        return {
            i + 1
            for i, r in enumerate(rows)
            if col < len(r) and isinstance(r[col], float | int) and not isinstance(r[col], bool)
        }
