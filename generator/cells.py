"""How a clean value is written into a cell, in every form the contract accepts.

A *form* is one accepted spelling: an ID with a lower-case x or full-width digits, a date
as an Excel date cell, a serial number, ``2024/6/3`` or ``2024年6月3日``, money with
thousands separators or a 元 suffix, yes/no as ``√``/``×``... Each file picks a main form per
column type and strays from it now and then, as clerks do; ``compose.py`` also forces every
form into at least one file so the loader meets each of them.

Cells are plain Python values that the writers know how to store: ``str`` (a text cell),
``int``/``float`` (a number cell), ``DateCell`` (a date cell with its display format),
``None`` (empty). Forms that need a number or date cell exist in workbooks only; in a CSV
everything is text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from . import idcard
from .gazetteer import COUNTY, Gazetteer, Township, Village
from .sources import (
    CODE,
    DATE,
    ID,
    INTEGER,
    MONEY,
    MONTH,
    NAME,
    NUMBER,
    TEXT,
    TOWN,
    VILLAGE,
    YEAR,
    YES_NO,
)


class DateCell(NamedTuple):
    value: dt.date
    num_format: str


Cell = str | int | float | DateCell | None

EXCEL_EPOCH = dt.date(1899, 12, 30)
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

FORMS: dict[str, tuple[str, ...]] = {
    ID: ("plain", "lower_x", "fullwidth", "spaces", "apostrophe", "old15_text", "old15_number"),
    DATE: (
        "cell",
        "serial_number",
        "serial_text",
        "iso",
        "slash",
        "dot",
        "cn",
        "compact_text",
        "compact_number",
        "datetime_text",
    ),
    MONTH: ("dash", "slash", "dot", "cn", "compact", "cell", "date_text"),
    MONEY: ("number", "comma", "yuan", "comma_yuan"),
    YES_NO: ("cn", "yn", "yn_lower", "digit", "tick", "tf"),
    CODE: ("plain", "spaces", "ideographic"),
    TOWN: ("full", "short", "code", "spaces"),
    VILLAGE: ("exact", "alternate", "code"),
    NAME: ("plain", "inner_space", "surround"),
    INTEGER: ("number",),
    NUMBER: ("number",),
    YEAR: ("number",),
    TEXT: ("plain",),
}
# Forms that need a typed cell: impossible in a CSV.
WORKBOOK_ONLY = {
    (ID, "old15_number"),
    (DATE, "cell"),
    (DATE, "serial_number"),
    (DATE, "compact_number"),
    (MONTH, "cell"),
}
YES_NO_PAIRS = {
    "cn": ("是", "否"),
    "yn": ("Y", "N"),
    "yn_lower": ("y", "n"),
    "digit": ("1", "0"),
    "tick": ("√", "×"),
    "tf": ("true", "false"),
}
DATE_CELL_FORMATS = ("yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"')
MONTH_CELL_FORMATS = ("yyyy-mm", 'yyyy"年"m"月"')


def excel_serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


def money_text(value: Decimal) -> str:
    text = f"{value:.2f}"
    return text[:-3] if text.endswith(".00") else text


def _thousands(value: Decimal) -> str:
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") and value == value.to_integral() else text


class Renderer:
    """Renders clean values for one file: knows whether cells can be typed (workbook)
    and which date formats the file's date cells display."""

    def __init__(self, gazetteer: Gazetteer, workbook: bool, date_format: str, month_format: str):
        self.gaz = gazetteer
        self.workbook = workbook
        self.date_format = date_format
        self.month_format = month_format

    def can(self, ctype: str, form: str) -> bool:
        return self.workbook or (ctype, form) not in WORKBOOK_ONLY

    @staticmethod
    def applies(ctype: str, form: str, value: object, gaz: Gazetteer) -> bool:
        """Whether ``form`` can spell ``value`` (a lower-case x needs an X, a 15-digit ID a
        birth in the 1900s, a village respelling a 村 without a namesake)."""
        if value is None:
            return False
        if ctype == ID:
            if form == "lower_x":
                return value.endswith("X")
            if form.startswith("old15"):
                return idcard.old_15(value) is not None
        if ctype == VILLAGE and form == "alternate":
            return gaz.alternate_spelling(value) is not None
        if ctype == TOWN and value is COUNTY:
            return form in ("full", "spaces")  # 全县 has no short form and no code
        return True

    def render(self, ctype: str, value: object, form: str, wan: bool = False) -> Cell:
        if value is None:
            return None
        if not self.can(ctype, form):
            form = FORMS[ctype][0] if ctype != DATE else "iso"
        return getattr(self, "_" + ctype)(value, form, wan) if ctype != TEXT else value

    # Each method below renders one column type; unknown forms fall back to the plainest.

    def _id_number(self, v: str, form: str, _wan: bool) -> Cell:
        if form == "lower_x" and v.endswith("X"):
            return v[:-1] + "x"
        if form == "fullwidth":
            return v.translate(FULLWIDTH)
        if form == "spaces":
            return f"{v[:6]} {v[6:14]} {v[14:]}"
        if form == "apostrophe":
            return "'" + v
        old = idcard.old_15(v)
        if form == "old15_text" and old:
            return old
        if form == "old15_number" and old:
            return int(old)
        return v

    def _date(self, d: dt.date, form: str, _wan: bool) -> Cell:
        if form == "cell":
            return DateCell(d, self.date_format)
        if form == "serial_number":
            return excel_serial(d)
        if form == "serial_text":
            return str(excel_serial(d))
        if form == "slash":
            return f"{d.year}/{d.month}/{d.day}"
        if form == "dot":
            return f"{d.year}.{d.month}.{d.day}"
        if form == "cn":
            return f"{d.year}年{d.month}月{d.day}日"
        if form == "compact_text":
            return f"{d:%Y%m%d}"
        if form == "compact_number":
            return int(f"{d:%Y%m%d}")
        if form == "datetime_text":
            return f"{d:%Y-%m-%d} 00:00:00"
        return f"{d:%Y-%m-%d}"

    def _month(self, d: dt.date, form: str, _wan: bool) -> Cell:
        if form == "slash":
            return f"{d.year}/{d.month}"
        if form == "dot":
            return f"{d.year}.{d.month}"
        if form == "cn":
            return f"{d.year}年{d.month}月"
        if form == "compact":
            return f"{d:%Y%m}"
        if form == "cell":
            return DateCell(d, self.month_format)
        if form == "date_text":
            return f"{d:%Y-%m-%d}"
        return f"{d:%Y-%m}"

    def _money(self, v: Decimal, form: str, wan: bool) -> Cell:
        if wan:  # a （万元） column: the clerk divided by 10,000
            amount = v / 10000
            text = format(amount.normalize(), "f")
            return float(text) if self.workbook else text
        if form == "comma":
            return _thousands(v)
        if form == "yuan":
            return money_text(v) + "元"
        if form == "comma_yuan":
            return _thousands(v) + "元"
        if self.workbook:
            return int(v) if v == v.to_integral() else float(v)
        return money_text(v)

    def _integer(self, v: int, _form: str, _wan: bool) -> Cell:
        return v if self.workbook else str(v)

    _year = _integer

    def _number(self, v: Decimal, _form: str, _wan: bool) -> Cell:
        if self.workbook:
            return int(v) if v == v.to_integral() else float(v)
        return format(v.normalize(), "f") if v != v.to_integral() else str(int(v))

    def _yes_no(self, v: bool, form: str, _wan: bool) -> Cell:
        yes, no = YES_NO_PAIRS.get(form, YES_NO_PAIRS["cn"])
        return yes if v else no

    def _code(self, v: str, form: str, _wan: bool) -> Cell:
        if form == "spaces":
            return f" {v} "
        if form == "ideographic":
            return f"\u3000{v}"
        return v

    def _town(self, t: Township, form: str, _wan: bool) -> Cell:
        if t is COUNTY:
            return f" {t.name} " if form == "spaces" else t.name
        if form == "short":
            return t.short
        if form == "code":
            return t.code
        if form == "spaces":
            return f" {t.name} "
        return t.name

    def _village(self, v: Village, form: str, _wan: bool) -> Cell:
        if form == "alternate":
            return self.gaz.alternate_spelling(v) or v.name
        if form == "code":
            return v.code
        return v.name

    def _name(self, v: str, form: str, _wan: bool) -> Cell:
        if form == "inner_space":
            return f"{v[0]} {v[1:]}"
        if form == "surround":
            return f" {v} "
        return v
