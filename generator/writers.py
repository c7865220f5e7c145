"""Write composed sheets to .xlsx (xlsxwriter), .xls (xlwt) or .csv, byte-stable.

xlsxwriter runs in its normal mode (shared strings keep files small) with a fixed creation
time; its zip entries carry a fixed date. xlwt writes no time stamps. A CSV is what Excel
saves: CRLF lines, every row padded to the sheet's width, text in the file's encoding.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import xlsxwriter
import xlwt

from .cells import DateCell
from .compose import Grid

FIXED_TIME = dt.datetime(2024, 1, 1, 8, 0, 0)


def write_xlsx(path: Path, sheets: list[Grid]) -> None:
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"created": FIXED_TIME, "author": "旬邑县", "title": sheets[0].name})
    title_fmt = wb.add_format(
        {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
    )
    header_fmt = wb.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    date_fmts: dict[str, object] = {}
    for grid in sheets:
        ws = wb.add_worksheet(grid.name)
        for c, width in enumerate(grid.widths):
            ws.set_column(c, c, width)
        special = set(grid.header_rows) | set(grid.title_rows)
        merged: set[tuple[int, int]] = set()
        for r1, c1, r2, c2 in grid.merges:
            fmt = title_fmt if r1 in grid.title_rows else header_fmt
            ws.merge_range(r1, c1, r2, c2, grid.rows[r1][c1], fmt)
            merged |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        write_string, write_number, write_datetime = (
            ws.write_string,
            ws.write_number,
            ws.write_datetime,
        )
        for r, row in enumerate(grid.rows):
            fmt = header_fmt if r in grid.header_rows else None
            for c, v in enumerate(row):
                if v is None or (r in special and (r, c) in merged):
                    continue
                if isinstance(v, str):
                    write_string(r, c, v, fmt)
                elif isinstance(v, DateCell):
                    f = date_fmts.get(v.num_format)
                    if f is None:
                        f = date_fmts[v.num_format] = wb.add_format({"num_format": v.num_format})
                    write_datetime(r, c, dt.datetime(v.value.year, v.value.month, v.value.day), f)
                else:
                    write_number(r, c, v, fmt)
    wb.close()


def write_xls(path: Path, sheets: list[Grid]) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    header_style = xlwt.easyxf(
        "font: bold on; align: wrap on, vert centre, horiz center; borders: left thin, right thin, top thin, bottom thin"
    )
    title_style = xlwt.easyxf("font: bold on, height 280; align: horiz center")
    plain = xlwt.Style.default_style
    date_styles: dict[str, xlwt.XFStyle] = {}
    for grid in sheets:
        ws = wb.add_sheet(grid.name)
        for c, width in enumerate(grid.widths):
            ws.col(c).width = 256 * width
        merged: set[tuple[int, int]] = set()
        for r1, c1, r2, c2 in grid.merges:
            style = title_style if r1 in grid.title_rows else header_style
            ws.write_merge(r1, r2, c1, c2, grid.rows[r1][c1], style)
            merged |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, row in enumerate(grid.rows):
            style = header_style if r in grid.header_rows else plain
            for c, v in enumerate(row):
                if v is None or (r, c) in merged:
                    continue
                if isinstance(v, DateCell):
                    fmt = v.num_format
                    ds = date_styles.get(fmt)
                    if ds is None:
                        ds = date_styles[fmt] = xlwt.easyxf(num_format_str=fmt)
                    ws.write(r, c, v.value, ds)
                else:
                    ws.write(r, c, v, style)
    wb.save(str(path))


def csv_bytes(grid: Grid, encoding: str) -> bytes:
    return b"".join(csv_parts(grid, encoding, (len(grid.rows), len(grid.rows))))


def csv_parts(grid: Grid, encoding: str, body: tuple[int, int]) -> tuple[bytes, bytes, bytes]:
    """The CSV's bytes in three parts: the rows before ``body`` ([start, end) of the grid's
    rows), the body, the rows after it. Only the first part carries a byte-order mark."""
    width = max((len(r) for r in grid.rows), default=0)
    later = "utf-8" if encoding == "utf-8-sig" else encoding

    def text(rows) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        for row in rows:
            cells = ["" if v is None else v for v in row]
            if any(not isinstance(v, str) for v in cells):
                raise TypeError("a CSV holds text only")
            writer.writerow(cells + [""] * (width - len(cells)))
        return buf.getvalue()

    start, end = body
    return (
        text(grid.rows[:start]).encode(encoding),
        text(grid.rows[start:end]).encode(later),
        text(grid.rows[end:]).encode(later),
    )


def write_csv(path: Path, grid: Grid, encoding: str) -> None:
    path.write_bytes(csv_bytes(grid, encoding))
