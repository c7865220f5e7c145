"""Lay one month's ledger out as a clerk's sheet, and record what the loader must find.

Given a ``Layout`` and the ledger's clean rows, ``compose`` builds the grid of cells —
title rows, a one- or two-row header, data rows in accepted-but-messy forms, blank rows,
township subtotals, a total and signature lines — and plants the layout's bad cells. It
returns the grid and, for every ledger row, the sheet row number it landed on and its bad
cells (column as spelled in the header, reason): the truth for ``truth.json``.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field

from .cells import FORMS, Cell, Renderer
from .faults import REASON_WEIGHTS, REASONS, BadCell, applicable, bad_cell
from .gazetteer import Gazetteer
from .layouts import GROUPS, TOWN_SORTED, Layout
from .names import clerk_name
from .records import Record
from .sources import MONEY, SOURCES, TOWN, VILLAGE, YES_NO, Column

YUAN_FORMS = ("yuan", "comma_yuan")  # money written with a 元 suffix
DEVIATING = ("id_number", "date", "month", "money", "yes_no", "code", "town", "village", "name")


@dataclass
class Grid:
    """One worksheet: ``rows[r][c]`` is the cell at Excel row r+1, column c+1."""

    name: str
    rows: list[list[Cell]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    header_rows: tuple[int, ...] = ()
    title_rows: tuple[int, ...] = ()
    widths: list[int] = field(default_factory=list)


@dataclass
class Composed:
    sheets: list[Grid]
    row_numbers: array  # ledger row i -> its sheet row number (1-based)
    bad: dict[int, list[tuple[str, str]]]  # ledger row i -> [(column as written, reason)]
    rows_read: int  # non-blank rows below the header
    rows_skipped: int  # summary and signature rows
    forced_done: list[tuple]  # forced faults and forms actually planted
    body: tuple[int, int] = (0, 0)  # the data sheet's rows [start, end) below the header


@dataclass
class _Slot:
    kind: str  # seq | col | extra | period
    column: Column | None = None
    label: str = ""  # the header text naming the column, exactly as written
    upper: str | None = None  # two-row headers: the group label above


# --------------------------------------------------------------------------- header


def _header_text(layout: Layout, col: Column) -> str:
    word = layout.aliases.get(col.name, col.name)
    unit = ""
    if col.type == MONEY:
        if col.name in layout.wan_yuan:
            unit = "（万元）"
        else:  # the declared unit, said or not
            unit = {"none": "", "full": "（{}）", "half": "({})"}[layout.money_unit].format(
                col.unit
            )
    deco = layout.decorations.get(col.name)
    if deco == "ideographic" and len(word) == 2:
        word = word[0] + "\u3000" + word[1]
    elif deco == "break":
        word = word[: len(word) // 2] + "\n" + word[len(word) // 2 :]
    text = word + unit
    if layout.star and col.required:
        text = "*" + text
    if deco == "space":
        text = f" {text} "
    return text


def _slots(layout: Layout, rng: random.Random) -> list[_Slot]:
    source = SOURCES[layout.source]
    body = [
        _Slot("col", c, _header_text(layout, c))
        for c in source.columns
        if c.name not in layout.omitted and c.name != layout.drop_column
    ]
    extras = [_Slot("extra", label=e) for e in layout.extras]
    if layout.shuffled:
        body = body + extras
        rng.shuffle(body)
    else:
        phone = [s for s in extras if s.label == "联系电话"]
        rest = [s for s in extras if s.label != "联系电话"]
        after_village = next(
            (i + 1 for i, s in enumerate(body) if s.column.type == VILLAGE), len(body)
        )
        body = body[:after_village] + phone + body[after_village:] + rest
    slots = ([_Slot("seq", label="序号")] if layout.seq_column else []) + body
    if layout.period_column:
        # Never in the first column: summary rows put their label there, and every
        # non-empty 统计月份 cell must name the period.
        slots.insert(1 if layout.seq_column else len(slots), _Slot("period", label="统计月份"))
    if layout.two_row:
        group, members = GROUPS[layout.source]
        inside = [s for s in slots if s.kind == "col" and s.column.name in members]
        upper_named = sum(1 for s in slots if s.kind == "col" and s not in inside)
        # The header finder takes the row naming the most columns: the upper row (the
        # merged-down columns) must name more than the group's lower cells.
        if inside and upper_named > len(inside):
            for s in inside:
                s.upper = group
    return slots


# --------------------------------------------------------------------------- titles


def _titles(layout: Layout, rng: random.Random) -> list[str]:
    source = SOURCES[layout.source]
    y, m = layout.year, layout.month
    day = rng.randint(20, 25)
    pool = [
        f"填报单位：{source.department}（盖章）        填报日期：{y}年{m}月{day}日",
        f"统计时间：{y}年{m}月1日至{y}年{m}月底",
        "说明：本表由各镇（街道）汇总后报送，身份证号须填写18位，金额单位为元。",
        "数据来源：全国防返贫监测信息系统" if layout.source == "roster" else "单位：人、元",
        f"制表：{source.department}",
    ]
    main = f"旬邑县{y}年{m}月{source.title}"
    return ([main] + pool)[: layout.title_rows]


# --------------------------------------------------------------------------- faults and forms


def _choose_faults(layout, slots, records, rng, gaz) -> tuple[dict[int, list[BadCell]], list]:
    columns = [s.column for s in slots if s.kind == "col"]
    faults: dict[int, list[BadCell]] = {}
    done = []

    def options(record: Record) -> dict[str, list[Column]]:
        found: dict[str, list[Column]] = {}
        for c in columns:
            for reason in REASONS:
                if applicable(reason, c, record.values[c.name]):
                    found.setdefault(reason, []).append(c)
        return found

    def plant(i: int, reason: str, variant: str = "", avoid: tuple[str, ...] = ()) -> bool:
        record = records[i]
        cols = [c for c in options(record).get(reason, []) if c.name not in avoid]
        if not cols:
            return False
        col = rng.choice(cols)
        town = record.values.get("镇（街道）")
        cell = bad_cell(
            reason, col, record.values[col.name], town, gaz, layout.workbook, rng, variant
        )
        faults.setdefault(i, []).append(BadCell(col.name, reason, cell))
        return True

    def second_reason(i: int) -> None:
        """Another bad cell in the same row, in a column that does not interact with the
        first (an unknown township leaves its village unchecked)."""
        taken = {b.column for b in faults[i]}
        if taken & {"镇（街道）", "行政村"}:
            taken |= {"镇（街道）", "行政村"}
        avail = {
            r: cs for r, cs in options(records[i]).items() if any(c.name not in taken for c in cs)
        }
        if avail:
            reason = rng.choices(list(avail), [REASON_WEIGHTS[r] for r in avail])[0]
            plant(i, reason, avoid=tuple(taken))

    for i, record in enumerate(records):  # rows that must carry a bad cell (defects.py)
        if record.fault and not plant(i, record.fault):
            raise RuntimeError(f"{layout.file_name}: cannot plant {record.fault}")
    order = [i for i in range(len(records)) if not records[i].protected]
    rng.shuffle(order)
    for item in layout.forced_faults:
        reason, variant = item
        for i in order:
            if i in faults:
                continue
            if reason == "pair":
                avail = options(records[i])
                if len(avail) >= 2 and plant(i, rng.choice(sorted(avail)), ""):
                    second_reason(i)
                    if len(faults[i]) == 2:
                        done.append(item)
                        break
                    del faults[i]
                continue
            if plant(i, reason, variant):
                done.append(item)
                break
    for i in range(len(records)):
        if rng.random() >= layout.fault_rate or i in faults or records[i].protected:
            continue
        avail = options(records[i])
        reason = rng.choices(list(avail), [REASON_WEIGHTS[r] for r in avail])[0]
        plant(i, reason)
        if rng.random() < 0.1:
            second_reason(i)
    return faults, done


def _choose_forms(
    layout, slots, records, faults, rng, gaz
) -> tuple[dict[tuple[int, str], str], list]:
    """Cells that must show a given accepted spelling somewhere in the county-year."""
    forced: dict[tuple[int, str], str] = {}
    done = []
    columns = [s.column for s in slots if s.kind == "col"]
    order = [i for i in range(len(records)) if i not in faults]
    rng.shuffle(order)
    for item in layout.forced_forms:
        ctype, form, which = item
        cols = [c for c in columns if c.type == ctype]
        if form in YUAN_FORMS:
            cols = [c for c in cols if c.unit == "元"]
        hit = False
        for i in order:
            values = records[i].values
            for c in cols:
                v = values[c.name]
                if (i, c.name) in forced or not Renderer.applies(ctype, form, v, gaz):
                    continue
                if ctype == TOWN and which and v.name != which:
                    continue
                if ctype == VILLAGE and which and v.name.endswith("村") != (which == "drop"):
                    continue
                if ctype == YES_NO and v != (which == "yes"):
                    continue
                forced[(i, c.name)] = form
                done.append(item)
                hit = True
                break
            if hit:
                break
    return forced, done


# --------------------------------------------------------------------------- compose


def compose(
    layout: Layout,
    records: list[Record],
    gaz: Gazetteer,
    rng: random.Random,
    columns_rng: random.Random | None = None,
) -> Composed:
    """The file's sheets. ``columns_rng`` (default ``rng``) orders the columns: the shards of
    a sharded county-year share it, so that their parts of a file line up."""
    return _SheetBuilder(layout, records, gaz, rng, columns_rng).build()


class _SheetBuilder:
    """Builds the data sheet top to bottom: titles, header, data rows (with blank and
    subtotal rows between them), total and signatures."""

    def __init__(self, layout: Layout, records: list[Record], gaz: Gazetteer, rng, columns_rng):
        self.layout, self.records, self.gaz, self.rng = layout, records, gaz, rng
        self.slots = _slots(layout, columns_rng or rng)
        self.ncols = len(self.slots)
        self.render = Renderer(gaz, layout.workbook, layout.date_format, layout.month_format)
        self.faults, faults_done = _choose_faults(layout, self.slots, records, rng, gaz)
        self.forced, forms_done = _choose_forms(layout, self.slots, records, self.faults, rng, gaz)
        self.forced_done = faults_done + forms_done
        self.rows: list[list[Cell]] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.row_numbers = array("I", [0] * len(records))
        self.skipped = 0
        self.seq = 0

    def build(self) -> Composed:
        title_rows = self._titles()
        header_rows = self._header()
        start = len(self.rows)
        self._data()
        body = (start, len(self.rows))
        self._footer()
        layout = self.layout
        label_of = {s.column.name: s.label for s in self.slots if s.kind == "col"}
        bad = {
            i: [(label_of[b.column], b.reason) for b in cells] for i, cells in self.faults.items()
        }
        widths = [max(6, min(30, len(s.label) * 2 + 2)) for s in self.slots]
        sheets = [Grid(layout.sheet_name, self.rows, self.merges, header_rows, title_rows, widths)]
        if layout.note_sheet_first:
            sheets.insert(0, _note_sheet(layout))
        if layout.summary_sheet:
            sheets.append(_summary_sheet(self.records))
        return Composed(
            sheets=sheets,
            row_numbers=self.row_numbers,
            bad=bad,
            rows_read=len(self.records) + self.skipped,
            rows_skipped=self.skipped,
            forced_done=self.forced_done,
            body=body,
        )

    def _empty(self) -> list[Cell]:
        return [None] * self.ncols

    def _number(self, v) -> Cell:
        return v if self.layout.workbook else str(v)

    def _titles(self) -> tuple[int, ...]:
        if self.layout.leading_blank_row:
            self.rows.append([])
        title_rows = []
        for text in _titles(self.layout, self.rng):
            title_rows.append(len(self.rows))
            self.rows.append([text] + [None] * (self.ncols - 1))
        if self.layout.workbook and title_rows:  # the main title spans the table
            self.merges.append((title_rows[0], 0, title_rows[0], self.ncols - 1))
        return tuple(title_rows)

    def _header(self) -> tuple[int, ...]:
        top, slots, ncols = len(self.rows), self.slots, self.ncols
        if not any(s.upper for s in slots):
            self.rows.append([s.label for s in slots])
            return (top,)
        upper, lower = self._empty(), self._empty()
        c = 0
        while c < ncols:
            s = slots[c]
            if s.upper:  # a group cell over consecutive columns named in the lower row
                end = c
                while end + 1 < ncols and slots[end + 1].upper == s.upper:
                    end += 1
                upper[c] = s.upper
                self.merges.append((top, c, top, end))
                for k in range(c, end + 1):
                    lower[k] = slots[k].label
                c = end + 1
            else:  # named in the upper cell, merged down over both rows
                upper[c] = s.label
                self.merges.append((top, c, top + 1, c))
                c += 1
        self.rows += [upper, lower]
        return (top, top + 1)

    def _data(self) -> None:
        layout, rng, records = self.layout, self.rng, self.records
        n = len(records)
        fillers: dict[int, list[str]] = {}  # blank rows to insert before ledger row i
        for _ in range(layout.blank_rows):
            fillers.setdefault(rng.randint(0, n), []).append("blank")
        if layout.seq_only_blank:
            fillers.setdefault(rng.randint(1, max(1, n)), []).append("seq")
        if layout.space_blank:
            fillers.setdefault(rng.randint(0, n), []).append("space")
        subtotals = layout.subtotals and layout.source in TOWN_SORTED
        period_cell = rng.choice(
            (f"{layout.year}-{layout.month:02d}", f"{layout.year}年{layout.month}月")
        )
        main = {t: layout.forms.get(t, FORMS[t][0]) for t in FORMS}
        stray_forms = {t: [f for f in FORMS[t] if self.render.can(t, f)] for t in DEVIATING}
        block: list[int] = []  # ledger rows of the current township, for its 小计
        for i in range(n + 1):
            for kind in fillers.get(i, ()):
                self._blank(kind)
            town_ends = (
                subtotals
                and bool(block)
                and (
                    i == n
                    or records[i].values["镇（街道）"] is not records[block[0]].values["镇（街道）"]
                )
            )
            if town_ends:
                self._summary("小计", block)
                block = []
            if i == n:
                break
            block.append(i)
            self.row_numbers[i] = len(self.rows) + 1
            self.rows.append(self._data_row(i, main, stray_forms, period_cell))

    def _blank(self, kind: str) -> None:
        if kind == "seq" and self.layout.seq_column:  # a number left behind, nothing else
            self.seq += 1
            row = self._empty()
            row[0] = self._number(self.seq)
        elif kind == "space":
            row = [" " if k < 3 else None for k in range(self.ncols)]
        else:
            row = self._empty()
        self.rows.append(row)

    def _data_row(self, i: int, main: dict, stray_forms: dict, period_cell: str) -> list[Cell]:
        layout, rng, gaz = self.layout, self.rng, self.gaz
        values = self.records[i].values
        bad = {b.column: b.cell for b in self.faults.get(i, ())}
        row: list[Cell] = []
        for s in self.slots:
            if s.kind == "col":
                name, t = s.column.name, s.column.type
                if name in bad:
                    row.append(bad[name])
                    continue
                form = self.forced.get((i, name))
                if form is None:
                    form = main.get(t, "plain")
                    if t in stray_forms and layout.deviation and rng.random() < layout.deviation:
                        choice = rng.choice(stray_forms[t])  # the clerk's hand strays
                        if Renderer.applies(t, choice, values[name], gaz):
                            form = choice
                if form in YUAN_FORMS and s.column.unit != "元":
                    form = "number"  # a 万元 column is written as a plain number
                row.append(self.render.render(t, values[name], form, name in layout.wan_yuan))
            elif s.kind == "seq":
                self.seq += 1
                row.append(self._number(self.seq))
            elif s.kind == "period":
                row.append(period_cell)
            elif s.label == "联系电话":
                row.append(
                    f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
                    if rng.random() < 0.7
                    else None
                )
            else:  # 备注
                row.append(
                    (rng.choice(("新识别", "外出务工", "已核实", "")) or None)
                    if rng.random() < 0.1
                    else None
                )
        return row

    def _summary(self, label: str, members: list[int]) -> None:
        """A 小计/合计 row: a head count under the names, sums under the money columns."""
        row = self._empty()
        for k, s in enumerate(self.slots):
            if s.kind != "col":
                continue
            if s.column.type == "name":
                row[k] = f"{len(members)}人"
            elif s.column.type == MONEY:
                total = sum(self.records[i].values[s.column.name] or 0 for i in members)
                if s.column.name in self.layout.wan_yuan:
                    total = total / 10000
                row[k] = self._number(float(total))
        row[0] = label  # the label comes first, whatever the column
        self.rows.append(row)
        self.skipped += 1

    def _footer(self) -> None:
        layout, rng = self.layout, self.rng
        if layout.total:
            self._summary(
                layout.total if rng.random() < 0.7 else f"{layout.total}：",
                list(range(len(self.records))),
            )
        if not layout.signatures:
            return
        people = [
            f"填报人：{clerk_name(rng)}",
            f"审核人：{clerk_name(rng)}",
            f"负责人：{clerk_name(rng)}",
        ]
        if layout.signatures == "line":
            row = self._empty()
            free = [k for k, s in enumerate(self.slots) if s.kind != "period"]
            for k, text in enumerate(people):
                row[free[k * (len(free) // 3)]] = text
            self.rows.append(row)
            self.skipped += 1
            return
        # Not in the 序号 column: a row with only that cell filled counts as blank.
        at = 1 if layout.seq_column else 0
        for text in people:
            row = self._empty()
            row[at] = text
            self.rows.append(row)
            self.skipped += 1


def _note_sheet(layout: Layout) -> Grid:
    lines = [
        "填表说明",
        "1. 本表每月报送一次，请于当月25日前报送。",
        "2. 身份证号请以文本格式填写18位，不得以数字格式保存。",
        "3. 金额单位为元，保留两位小数。",
        f"4. 数据表见工作表“{SOURCES[layout.source].title}”。",
    ]
    return Grid("填表说明", [[line] for line in lines], widths=[60])


def _summary_sheet(records: list[Record]) -> Grid:
    counts: dict[str, int] = {}
    for r in records:
        town = r.values.get("镇（街道）")
        name = town.name if town is not None else "合计"
        counts[name] = counts.get(name, 0) + 1
    rows: list[list[Cell]] = [["镇（街道）", "行数"]]
    rows += [[name, count] for name, count in counts.items()]
    return Grid("汇总", rows, header_rows=(0,), widths=[14, 8])
