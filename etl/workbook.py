"""Reading a clerk's file into a grid of text cells, row numbers kept.

Every cell is read as text, never typed by guessing (a column guessed numeric from its
first rows silently empties its later text cells). A workbook's cell *type* is consulted
only where a rule needs it: an ID number stored as a number cell has lost its last digits.

The grid's `row` column holds the row number the clerk sees: the sheet's own 1-based row
number (blank rows count), or the CSV's physical line number.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import fastexcel
import polars as pl

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
    if path.stat().st_size == 0:
        raise Unreadable("文件是空的（0 字节）")
    if suffix == ".csv":
        return _read_csv(path)
    return _read_workbook(path, preferred_sheet)


# -- CSV ------------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM dropped) when the bytes are UTF-8, else GB18030 (Excel's CSV on Chinese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise Unreadable("CSV 文件的编码无法识别（应为 UTF-8 或 GBK/GB18030）") from e


def _read_csv(path: Path) -> Grid:
    text = decode_csv(path.read_bytes())
    if "\x00" in text:
        raise Unreadable("这不是文本格式的 CSV 文件")
    reader = csv.reader(io.StringIO(text, newline=""))
    records, line_numbers = [], []
    last_line = 0
    try:
        for record in reader:
            # A record starts on the line after the previous one ended (quoted cells may
            # span lines), so this is the line the clerk sees it start on.
            line_numbers.append(last_line + 1)
            records.append(record)
            last_line = reader.line_num
    except csv.Error as e:
        raise Unreadable(f"CSV 文件格式有误（第 {last_line + 1} 行）：{e}") from e
    width = max((len(r) for r in records), default=0)
    if width == 0:
        raise Unreadable("文件中没有任何内容")
    for record in records:  # short rows (titles, summaries) are padded to the widest
        if len(record) < width:
            record.extend([""] * (width - len(record)))
    names = [f"c{i}" for i in range(width)]
    cells = pl.DataFrame(records, schema={n: pl.String for n in names}, orient="row")
    cells = cells.with_columns(
        [pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in names]
        + [pl.Series("row", line_numbers, dtype=pl.Int64)]
    )
    return Grid(cells)


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
