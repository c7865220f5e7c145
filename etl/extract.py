"""From a clerk's file to the source's columns: header found, period read, rows sorted out.

The result still holds text: typing each cell is the rules' job (etl/rules.py). What this
module decides (docs/contract-readings.md, "Header" and "Rows"):
- where the header is (title rows above it; one row or two with merged group cells);
- which file column is which declared column (aliases, full-width, line breaks, units);
- the period (file name, else the 统计月份 / 统计期 column);
- which rows are blank (not counted), summary or signature rows (skipped), or data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl import settings
from etl.declarations import (
    PERIOD_HEADERS,
    ROW_NUMBER_HEADER,
    Column,
    Source,
    header_unit,
    normalise_header,
)
from etl.periods import period_for
from etl.workbook import Grid, Unreadable, check_size, csv_grids, read_grid

HEADER_SEARCH_ROWS = 7  # up to 5 title rows, then a header of one or two rows
SKIP_PREFIXES = ("合计", "总计", "小计", "填报人", "审核人", "负责人")
PERIOD_FIELD = "_period"
ROW_NUMBER_FIELD = "_serial"


class FileRejected(Exception):
    """The whole file is turned away: a reason code of the contract and a Chinese message."""

    def __init__(self, reason_code: str, message: str, period: str | None = None):
        super().__init__(message)
        self.reason_code, self.message, self.period = reason_code, message, period


@dataclass
class HeaderColumn:
    field: str
    index: int  # grid column
    text: str  # the header cell exactly as the file spells it


@dataclass
class Extract:
    """A file's data rows, as text, under the source's field names."""

    source: Source
    period: str
    columns: dict[str, HeaderColumn]  # declared field → where it is in the file
    data: pl.DataFrame  # `row` + one text column per declared field present
    rows_read: int
    rows_skipped: int
    warnings: list[str] = field(default_factory=list)
    grid: Grid | None = None
    # The rest of a file read in batches (a CSV), as extracts of the same columns and period.
    following: Callable[[], Iterator[Extract]] | None = field(default=None, repr=False)

    def parts(self) -> Iterator[Extract]:
        """The whole file, part by part: this extract, then the batches after it (once)."""
        yield self
        if self.following is not None:
            yield from self.following()

    def unit_factor(self, column: Column) -> float:
        """Multiply a money cell by this to get the declared unit (万元 header on a 元 column…)."""
        stated = (
            header_unit(self.columns[column.field].text) if column.field in self.columns else None
        )
        if stated is None or stated == column.unit:
            return 1.0
        return 10_000.0 if stated == "万元" else 1 / 10_000.0


def _header_lookup(source: Source) -> dict[str, str]:
    lookup = {}
    for column in source.columns:
        for h in column.headers:
            lookup.setdefault(h, column.field)
    for h in PERIOD_HEADERS:
        lookup.setdefault(normalise_header(h), PERIOD_FIELD)
    lookup.setdefault(normalise_header(ROW_NUMBER_HEADER), ROW_NUMBER_FIELD)
    return lookup


def _map_header(cells: list[str | None], lookup: dict[str, str]):
    """Which declared fields a header row names: {field: HeaderColumn}, and the unknown cells."""
    found: dict[str, HeaderColumn] = {}
    unknown, repeated = [], []
    for index, text in enumerate(cells):
        if text is None:
            continue
        fld = lookup.get(normalise_header(text))
        if fld is None:
            unknown.append(text)
        elif fld in found:
            repeated.append(text)
        else:
            found[fld] = HeaderColumn(fld, index, text)
    return found, unknown, repeated


def _score(found: dict[str, HeaderColumn]) -> int:
    return sum(1 for f in found if not f.startswith("_"))


def find_header(grid: Grid, source: Source):
    """The header's last grid index and its columns; see the module docstring."""
    lookup = _header_lookup(source)
    cols = [f"c{i}" for i in range(grid.width)]
    top = grid.cells.head(HEADER_SEARCH_ROWS + 20)
    rows = [list(r) for r in top.select(cols).iter_rows()]
    non_blank = [i for i, r in enumerate(rows) if any(v is not None for v in r)][
        :HEADER_SEARCH_ROWS
    ]
    best = None  # (score, -index, last_index, mapping)
    for i in non_blank:
        single = _map_header(rows[i], lookup)
        candidates = [(i, single)]
        if i + 1 < len(rows):
            combined = [
                low if low is not None else up for up, low in zip(rows[i], rows[i + 1], strict=True)
            ]
            candidates.append((i + 1, _map_header(combined, lookup)))
        for last, mapping in candidates:
            key = (_score(mapping[0]), -i, -(last - i))
            if best is None or key > best[0]:
                best = (key, last, mapping)
    if best is None or best[0][0] == 0:
        return None
    return best[1], best[2]


def _blank_and_skip(data: pl.DataFrame, columns: list[str], serial: str | None) -> pl.DataFrame:
    """Flag blank rows (nothing but a 序号) and summary / signature rows.

    A summary row's label may stand in the 序号 column (`合计`) or after a serial number
    (`12 | 小计 | …`): the first non-empty cell that is not a bare serial number decides.
    """
    prefix = "^\\s*(?:" + "|".join(SKIP_PREFIXES) + ")"
    blank, skip = pl.lit(True), pl.lit(False)
    for c in reversed(columns):  # fold from the right: the leftmost non-empty cell decides
        content = pl.col(c).str.contains(r"\S").fill_null(False)
        if c == serial:
            content = content & ~pl.col(c).str.contains(r"^\s*\d+(\.0+)?\s*$").fill_null(False)
        starts = pl.col(c).str.contains(prefix).fill_null(False)
        skip = pl.when(content).then(starts).otherwise(skip)
        blank = blank & ~content
    return data.with_columns(_blank=blank, _skip=skip)


def read_extract(
    path: Path, source: Source, file_name: str, batch_rows: int | None = None
) -> Extract:
    """Read `path` as an extract of `source`, or raise FileRejected saying why.

    A workbook is read whole. A CSV is read `batch_rows` records at a time (default
    settings.csv_batch_rows()): the extract holds the first batch's rows, and its `parts()`
    give the whole file batch by batch — each judged exactly as the whole file would be."""
    try:
        if path.suffix.lower() == ".csv":
            check_size(path)
            batch_rows = batch_rows or settings.csv_batch_rows()
            grids = csv_grids(path, batch_rows)
            grid = next(grids)
        else:
            grid, grids = read_grid(path, source.title), iter(())
    except Unreadable as e:
        raise FileRejected("unreadable", str(e)) from e

    header = find_header(grid, source)
    name_period, name_problem = period_for(source.frequency, Path(file_name).stem)
    if header is None:
        missing = "、".join(c.name for c in source.required)
        raise FileRejected(
            "missing_column",
            f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中没有一个是“{source.title}”的列名；缺少必填列：{missing}",
            name_period,
        )
    header_last, (found, unknown, repeated) = header
    serial = found.get(ROW_NUMBER_FIELD)
    serial_column = f"c{serial.index}" if serial else None
    body = _body(grid.cells.slice(header_last + 1), serial_column)

    period = name_period
    if period is None:
        cells = _period_cells(body, found)
        if PERIOD_FIELD in found:  # the rest of a CSV read for its period cells, then again
            batches = 1
            for more in _guarded(grids):
                cells |= _period_cells(_body(more.cells, serial_column), found)
                batches += 1
            if batches > 1:
                grids = _guarded(csv_grids(path, batch_rows), skip=1)
        period = _period_from_column(cells, found, source, name_problem)

    missing = [c.name for c in source.required if c.field not in found]
    if missing:
        raise FileRejected("missing_column", "缺少必填列：" + "、".join(missing), period)

    declared = {f: h for f, h in found.items() if not f.startswith("_")}
    warnings = []
    if unknown:
        warnings.append("已忽略未知列：" + "、".join(u.replace("\n", "") for u in unknown))
    if repeated:
        warnings.append(
            "重复的列只取第一列，已忽略：" + "、".join(r.replace("\n", "") for r in repeated)
        )

    def part(body: pl.DataFrame, grid: Grid | None) -> Extract:
        data = body.filter(~pl.col("_skip")).select(
            "row",
            *(
                (
                    pl.col(f"c{h.index}")
                    if f"c{h.index}" in body.columns
                    else pl.lit(None, pl.String)
                ).alias(f)
                for f, h in declared.items()
            ),
        )
        return Extract(
            source=source,
            period=period,
            columns=declared,
            data=data,
            rows_read=body.height,
            rows_skipped=int(body["_skip"].sum()),
            warnings=warnings,
            grid=grid,
        )

    def following() -> Iterator[Extract]:
        for more in _guarded(grids):
            yield part(_body(more.cells, serial_column), None)

    first = part(body, grid)
    first.following = following
    return first


def _guarded(grids: Iterator[Grid], skip: int = 0) -> Iterator[Grid]:
    """`grids` with a file found unreadable part-way through raised as FileRejected."""
    try:
        for i, grid in enumerate(grids):
            if i >= skip:
                yield grid
    except Unreadable as e:
        raise FileRejected("unreadable", str(e)) from e


def _body(cells: pl.DataFrame, serial_column: str | None) -> pl.DataFrame:
    """The rows below the header, blank rows dropped, summary rows flagged `_skip`."""
    columns = [c for c in cells.columns if c != "row"]
    return _blank_and_skip(cells, columns, serial_column).filter(~pl.col("_blank"))


def _period_cells(body: pl.DataFrame, found: dict[str, HeaderColumn]) -> set[str]:
    """The distinct cells of the period column (统计月份) in the data rows."""
    if PERIOD_FIELD not in found or f"c{found[PERIOD_FIELD].index}" not in body.columns:
        return set()
    column = f"c{found[PERIOD_FIELD].index}"
    return set(body.filter(~pl.col("_skip"))[column].drop_nulls().unique().to_list())


def _period_from_column(cells: set[str], found, source, name_problem) -> str:
    from etl.rules import month_of  # the month rule reads every month form a cell may hold

    if PERIOD_FIELD not in found:
        raise FileRejected(
            "no_period",
            f"无法确定统计期：文件名{name_problem}，表中也没有“统计月份”列",
        )
    column = found[PERIOD_FIELD]
    periods = set()
    for cell in cells:
        period, _ = period_for(source.frequency, cell)
        if period is None:
            month = month_of(cell)
            if month is not None:
                period, _ = period_for(source.frequency, month)
        periods.add(period)
    if len(periods) != 1 or None in periods:
        shown = "、".join(sorted(str(c) for c in cells)[:5]) or "（空）"
        raise FileRejected(
            "no_period",
            f"无法确定统计期：文件名{name_problem}，“{column.text}”列的值不是唯一的月份（{shown}）",
        )
    return periods.pop()
