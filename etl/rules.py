"""Row rules: type every cell of an extract, or say in Chinese why it cannot be.

One rule per column type (docs/contract-readings.md, "Cells"). A rule takes the column's
cleaned text and gives back the typed values and, per cell, the reason code when the cell
breaks the rule (null when it passes). A row with any reason is quarantined with its file,
row number, column, raw value and reason; the other rows load.

Rules work on whole columns (polars), the common form first and the rarer forms only on
the cells the common form did not read: a county's month is ~600,000 cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from etl.declarations import Column, Source
from etl.extract import Extract
from etl.gazetteer import COUNTY_WORD, gazetteer

# The contract's reason codes, each with the sentence a clerk reads.
REASONS = {
    "missing_required": "必填项为空",
    "id_stored_as_number": "身份证号被存为数字，已丢失末位",
    "id_format": "身份证号格式不对（应为18位：17位数字加1位数字或X，出生日期须真实）",
    "id_checksum": "身份证号校验位不对（最后一位与前17位不符），请核对",
    "bad_name": "姓名应为2至20个字",
    "unknown_town": "镇（街道）在全县名录中找不到",
    "village_not_in_town": "该行政村不属于所填的镇（街道）",
    "bad_date": "日期无法识别（如 2024-06-03、2024/6/3、2024年6月3日）",
    "bad_month": "月份无法识别（如 2024-06、2024年6月）",
    "bad_money": "金额应为数字（可带千分位逗号或“元”）",
    "bad_number": "应为数字",
    "bad_integer": "应为整数",
    "bad_yes_no": "应填“是”或“否”",
    "not_in_code_list": "不在规定的选项内",
}

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
EXCEL_EPOCH_OFFSET = 25569  # Excel serial number of 1970-01-01
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31
YES = ("是", "y", "1", "1.0", "√", "true")
NO = ("否", "n", "0", "0.0", "×", "false")
NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"


def reason_text(code: str, column: Column) -> str:
    """The Chinese reason a clerk reads for `code` on `column`."""
    text = REASONS[code]
    if code == "not_in_code_list":
        return f"{text}（应为：{'、'.join(column.values[:12])}）"
    if code == "bad_integer":
        if column.type == "year":
            return "应为四位年份（如 2024）"
        if column.min is not None:
            return f"{text}，且不小于 {column.min}"
    return text


# -- Helpers over whole columns -------------------------------------------------------------


def _apply(series: pl.Series, expr: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """Evaluate an expression over one series (polars' expression engine, no Python loop)."""
    return pl.DataFrame({"s": series}).select(expr(pl.col("s")))[:, 0]


def _patch(
    base: pl.Series, todo: pl.Series, compute: Callable[[pl.Series], pl.Series], source: pl.Series
) -> pl.Series:
    """Fill the cells flagged in `todo` with `compute(source[those cells])`."""
    if not todo.any():
        return base
    idx = todo.arg_true()
    return base.scatter(idx, compute(source.gather(idx)))


_FULL_WIDTH = r"[\x{3000}\x{FF01}-\x{FF5E}]"


def clean(raw: pl.Series) -> pl.Series:
    """Trimmed text, full-width characters folded to ASCII (NFKC); null when empty."""
    folded = _patch(
        raw, raw.str.contains(_FULL_WIDTH).fill_null(False), lambda s: s.str.normalize("NFKC"), raw
    )
    stripped = folded.str.strip_chars()
    return _apply(stripped, lambda s: pl.when(s != "").then(s))


# -- Dates and months ---------------------------------------------------------------------


def _rare_date_forms(s: pl.Expr) -> pl.Expr:
    canon = s.str.replace(r"^(\d{4})(\d{2})(\d{2})$", "$1-$2-$3").str.replace(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?$",
        "$1-$2-$3",
    )
    parts = canon.str.extract_groups(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
    padded = pl.concat_str(
        [parts.struct[0], parts.struct[1].str.zfill(2), parts.struct[2].str.zfill(2)], separator="-"
    )
    serial = s.str.extract(r"^(\d{1,7})(?:\.0+)?$", 1).cast(pl.Int64)
    from_serial = pl.when(serial.is_between(1, MAX_EXCEL_SERIAL)).then(
        (serial - EXCEL_EPOCH_OFFSET).cast(pl.Int32).cast(pl.Date)
    )
    # An 8-digit number is a compact date (20240603), never a serial number.
    return padded.str.to_date("%Y-%m-%d", strict=False).fill_null(
        pl.when(~s.str.contains(r"^\d{8}$")).then(from_serial)
    )


def parse_dates(text: pl.Series) -> pl.Series:
    """Every date form of the contract → Date; null where none applies or the year is implausible."""
    value = text.str.to_date("%Y-%m-%d", strict=False)
    value = _patch(
        value, value.is_null() & text.is_not_null(), lambda s: _apply(s, _rare_date_forms), text
    )
    return _apply(value, lambda v: pl.when(v.dt.year().is_between(1900, 2100)).then(v))


_MONTH = r"^(\d{4})(?:[-/.]|年)?(\d{1,2})月?$"


def parse_months(text: pl.Series) -> pl.Series:
    """Every month form of the contract → 'YYYY-MM'; a full date gives its month."""

    def month_forms(s: pl.Expr) -> pl.Expr:
        parts = s.str.extract_groups(_MONTH)
        year = parts.struct[0].cast(pl.Int32, strict=False)
        month = parts.struct[1].cast(pl.Int32, strict=False)
        compact = s.str.contains(r"^\d{6}$")  # 202406: the month must be two digits
        ok = (
            year.is_between(1900, 2100)
            & month.is_between(1, 12)
            & (~compact | (parts.struct[1].str.len_chars() == 2))
        )
        return pl.when(ok).then(
            pl.concat_str([parts.struct[0], parts.struct[1].str.zfill(2)], separator="-")
        )

    value = _apply(text, month_forms)
    return _patch(
        value,
        value.is_null() & text.is_not_null(),
        lambda s: parse_dates(s).dt.to_string("%Y-%m"),
        text,
    )


def month_of(text: str) -> str | None:
    """The month a single cell names (a 统计月份 cell), or None."""
    return parse_months(clean(pl.Series([text], dtype=pl.String)))[0]


# -- ID numbers --------------------------------------------------------------------------------


def check_char(first17: pl.Expr) -> pl.Expr:
    """GB 11643's check character of 17 digits."""
    total = pl.sum_horizontal(
        first17.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(ID_WEIGHTS)
    )
    return pl.lit(ID_CHECK_CHARS).str.slice(total % 11, 1)


def type_id_numbers(text: pl.Series, numeric_cell: pl.Series, today: dt.date):
    """(value, reason) for an ID column: normalised, 15 → 18 upgraded, checked.

    `numeric_cell` flags cells a workbook stored as numbers: 18 digits do not survive that.
    Staged (each step materialised) so the cleaned ID is computed once, not per digit.
    """
    cleaned = _apply(
        text.str.replace_all(r"\s", ""),
        lambda s: pl.when(s != "").then(
            s.str.strip_prefix("'").str.strip_prefix("‘").str.to_uppercase()
        ),
    )
    staged = (
        pl.DataFrame({"c": cleaned, "n": numeric_cell})
        .with_columns(
            sci=pl.col("c").str.contains(r"^[+-]?\d+(\.\d+)?E[+-]?\d+$"),
            old=pl.col("c").str.contains(r"^\d{15}$"),
        )
        .with_columns(
            stored_as_number=(pl.col("n") & ~pl.col("old")) | pl.col("sci"),
            first17=pl.when(pl.col("old"))
            .then(pl.col("c").str.slice(0, 6) + "19" + pl.col("c").str.slice(6, 9))
            .otherwise(pl.col("c").str.slice(0, 17)),
            shape=pl.col("old") | pl.col("c").str.contains(r"^\d{17}[0-9X]$"),
        )
        .with_columns(
            birth=pl.col("first17").str.slice(6, 8).str.to_date("%Y%m%d", strict=False),
            check=pl.when(pl.col("shape")).then(check_char(pl.col("first17"))),
        )
    )
    birth_ok = pl.col("birth").is_between(dt.date(1900, 1, 1), today).fill_null(False)
    result = staged.select(
        value=pl.when(pl.col("old"))
        .then(pl.col("first17") + pl.col("check"))
        .otherwise(pl.col("c")),
        reason=pl.when(pl.col("c").is_null())
        .then(None)
        .when(pl.col("stored_as_number"))
        .then(pl.lit("id_stored_as_number"))
        .when(~pl.col("shape") | ~birth_ok)
        .then(pl.lit("id_format"))
        .when(~pl.col("old") & (pl.col("c").str.slice(17, 1) != pl.col("check")))
        .then(pl.lit("id_checksum")),
    )
    return result["value"], result["reason"]


# -- One column --------------------------------------------------------------------------------
#
# Most rules are polars expressions over the column's cleaned text, all evaluated in one
# pass over the file: (typed value, True where the cell breaks the rule). Dates, months and
# ID numbers are typed column by column (`STAGED`): their common form first, the rarer forms
# only on the cells the common form did not read.


def _text(s: pl.Expr, column: Column, extract: Extract):
    return s, pl.lit(False)


def _name(s, column, extract):
    name = s.str.replace_all(r"\s", "")
    return name, ~name.str.len_chars().is_between(2, 20)


def _town(s, column, extract):
    lookup = gazetteer().town_lookup
    if column.county_allowed:
        from etl.targets import plan

        lookup = {**lookup, COUNTY_WORD: plan()["plan"]["county_code"]}
    code = s.str.replace_all(r"\s", "").replace_strict(lookup, default=None, return_dtype=pl.String)
    return code, code.is_null()


def _village(s, column, extract):
    """A village of the row's township (`_town`, resolved first); not looked up without one."""
    key = pl.concat_str([pl.col(TOWN), s.str.replace_all(r"\s", "")], separator="|")
    code = key.replace_strict(gazetteer().village_lookup, default=None, return_dtype=pl.String)
    return code, code.is_null() & pl.col(TOWN).is_not_null()


def _money(s, column, extract):
    digits = s.str.replace_all(r"[,\s]", "").str.strip_suffix("元")
    factor = extract.unit_factor(column)
    value = (digits.cast(pl.Float64, strict=False) * factor).round(2 if column.unit == "元" else 6)
    return value, ~digits.str.contains(NUMBER)


def _integer(s, column, extract):
    value = s.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
    bad = ~s.str.contains(r"^[+-]?\d+(\.0+)?$") | value.is_null()
    if column.min is not None:
        bad = bad | (value < column.min).fill_null(False)
    return value, bad


def _number(s, column, extract):
    digits = s.str.replace_all(",", "")
    return digits.cast(pl.Float64, strict=False), ~digits.str.contains(NUMBER)


def _year(s, column, extract):
    value = s.str.replace(r"\.0+$", "").cast(pl.Int32, strict=False)
    return value, ~(s.str.contains(r"^\d{4}(\.0+)?$") & value.is_between(1900, 2100))


def _yes_no(s, column, extract):
    low = s.str.to_lowercase()
    value = pl.when(low.is_in(YES)).then(True).when(low.is_in(NO)).then(False)
    return value, value.is_null()


def _code(s, column, extract):
    return s, ~s.is_in(column.values)


RULES = {
    "text": _text,
    "name": _name,
    "town": _town,
    "village": _village,
    "money": _money,
    "integer": _integer,
    "number": _number,
    "year": _year,
    "yes_no": _yes_no,
    "code": _code,
}
REASON_OF = {
    "name": "bad_name",
    "town": "unknown_town",
    "village": "village_not_in_town",
    "money": "bad_money",
    "integer": "bad_integer",
    "number": "bad_number",
    "year": "bad_integer",
    "yes_no": "bad_yes_no",
    "code": "not_in_code_list",
    "date": "bad_date",
    "month": "bad_month",
}


def _staged(column: Column, text: pl.Series, numeric_cell: pl.Series, today: dt.date):
    """(value, reason code) Series for the column types typed one column at a time."""
    if column.type == "id_number":
        return type_id_numbers(text, numeric_cell, today)
    value = parse_dates(text) if column.type == "date" else parse_months(text)
    return value, _apply(
        value.is_null(), lambda bad: pl.when(bad).then(pl.lit(REASON_OF[column.type]))
    )


STAGED = {"date", "month", "id_number"}
POLARS_TYPES = {
    "text": pl.String,
    "id_number": pl.String,
    "name": pl.String,
    "town": pl.String,
    "village": pl.String,
    "date": pl.Date,
    "month": pl.String,
    "money": pl.Float64,
    "integer": pl.Int64,
    "number": pl.Float64,
    "yes_no": pl.Boolean,
    "code": pl.String,
    "year": pl.Int32,
}
TOWN = "_town"  # the resolved township column villages are looked up in


# -- A whole extract ---------------------------------------------------------------------------


@dataclass
class Typing:
    """An extract typed: the rows that load, and one quarantine row per bad cell."""

    loaded: pl.DataFrame  # `row_number` + every declared field, typed (absent optional → null)
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA: row_number, column_name, … town_code
    rows_quarantined: int


QUARANTINE_SCHEMA = (
    ("row_number", pl.Int64),
    ("column_name", pl.String),
    ("field", pl.String),
    ("raw_value", pl.String),
    ("reason_code", pl.String),
    ("reason", pl.String),
    ("town_code", pl.String),  # the row's township, where it could be read
)


def _clean_all(frame: pl.DataFrame, fields: list[str]) -> pl.DataFrame:
    """Every field's cleaned text (see `clean`), full-width folding only where needed."""
    wide = frame.select(pl.col(f).str.contains(_FULL_WIDTH).any().alias(f) for f in fields).row(0)
    exprs = []
    for f, has_wide in zip(fields, wide, strict=True):
        s = pl.col(f).str.normalize("NFKC") if has_wide else pl.col(f)
        s = s.str.strip_chars()
        exprs.append(pl.when(s != "").then(s).alias(f))
    return frame.select(exprs)


def type_extract(extract: Extract, today: dt.date | None = None) -> Typing:
    source: Source = extract.source
    today = today or dt.date.today()
    frame = extract.data
    n = frame.height
    present = [c for c in source.columns if c.field in extract.columns]
    texts = _clean_all(frame, [c.field for c in present])
    town = next((c for c in present if c.type == "town"), None)
    if town is not None:
        value, bad = _town(pl.col(town.field), town, extract)
        texts = texts.with_columns(value.alias(TOWN))
    else:
        texts = texts.with_columns(pl.lit(None, pl.String).alias(TOWN))

    # Simple types: one pass. Staged types: column by column.
    simple = [c for c in present if c.type not in STAGED]
    exprs = []
    for c in simple:
        value, bad = RULES[c.type](pl.col(c.field), c, extract)
        exprs += [
            value.cast(POLARS_TYPES[c.type]).alias(c.field),
            pl.when(bad).then(pl.lit(REASON_OF.get(c.type))).alias(f"{c.field}__reason"),
        ]
    typed = texts.select(exprs) if exprs else pl.DataFrame()
    columns = {c.field: typed[c.field] for c in simple}
    reasons = {c.field: typed[f"{c.field}__reason"] for c in simple}
    for c in present:
        if c.type in STAGED:
            numeric = pl.Series([False] * n, dtype=pl.Boolean)
            if c.type == "id_number" and extract.grid is not None:
                rows = extract.grid.numeric_rows(extract.columns[c.field].index)
                if rows:
                    numeric = frame["row"].is_in(sorted(rows))
            value, reason = _staged(c, texts[c.field], numeric, today)
            columns[c.field] = value.cast(POLARS_TYPES[c.type]).alias(c.field)
            reasons[c.field] = reason

    # The reason a cell gets: empty required → missing_required, else its rule's; a nil
    # report waives every rule but the township's.
    nil = nil_report_rows(extract)
    judged = (
        pl.DataFrame(
            {
                "_nil": nil,
                **{f"{c.field}__empty": texts[c.field].is_null() for c in present},
                **{f"{c.field}__reason": reasons[c.field] for c in present},
            }
        ).select(
            pl.when(pl.col("_nil") & (c.type != "town"))
            .then(None)
            .when(pl.col(f"{c.field}__empty"))
            .then(pl.lit("missing_required" if c.required else None, pl.String))
            .otherwise(pl.col(f"{c.field}__reason"))
            .alias(c.field)
            for c in present
        )
        if present
        else pl.DataFrame()
    )

    bad_row = (
        judged.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
        if present
        else pl.Series([False] * n)
    )
    parts = []
    for order, c in enumerate(present):  # declaration order within a row
        reason = judged[c.field]
        if reason.null_count() == n:
            continue
        texts_of = {code: reason_text(code, c) for code in REASONS}
        parts.append(
            pl.DataFrame(
                {"row_number": frame["row"], "raw_value": frame[c.field], "reason_code": reason}
            )
            .filter(pl.col("reason_code").is_not_null())
            .with_columns(
                column_name=pl.lit(extract.columns[c.field].text),
                field=pl.lit(c.field),
                reason=pl.col("reason_code").replace_strict(texts_of, return_dtype=pl.String),
                order=pl.lit(order),
            )
        )
    quarantine = (
        pl.concat(parts)
        .sort("row_number", "order")
        .select([name for name, _ in QUARANTINE_SCHEMA[:-1]])
        if parts
        else pl.DataFrame(schema=dict(QUARANTINE_SCHEMA[:-1]))
    )
    # The row's township where it could be read (its own column, else its village's code):
    # a 乡镇专员 sees the quarantined cells of the township's rows (dashboard scope).
    town = columns.get("town_code")
    if town is None and "village_code" in columns:
        town = columns["village_code"].str.slice(0, 9)
    towns = pl.DataFrame(
        {"row_number": frame["row"], "town_code": town if town is not None else [None] * n},
        schema={"row_number": pl.Int64, "town_code": pl.String},
    )
    quarantine = quarantine.join(towns, on="row_number", how="left", maintain_order="left")
    loaded = pl.DataFrame([frame["row"].alias("row_number"), *(columns[c.field] for c in present)])
    absent = [
        pl.lit(None, POLARS_TYPES[c.type]).alias(c.field)
        for c in source.columns
        if c.field not in columns
    ]
    if absent:
        loaded = loaded.with_columns(absent)
    if source.nil_report:
        # A nil report names no household: its 户主 and 身份证号 (empty or 无) load as NULL.
        loaded = loaded.with_columns(
            *(
                pl.when(nil).then(None).otherwise(pl.col(f)).alias(f)
                for f in source.nil_report.empty_fields
            ),
            is_nil_report=nil,
        )
    return Typing(
        loaded=loaded.filter(~bad_row), quarantine=quarantine, rows_quarantined=int(bad_row.sum())
    )


def nil_report_rows(extract: Extract) -> pl.Series:
    """Rows that say 'nothing to report' (the source's nil_report), else all False."""
    n = extract.data.height
    nil = extract.source.nil_report
    if nil is None or nil.marker_field not in extract.columns:
        return pl.Series([False] * n, dtype=pl.Boolean)
    is_nil = clean(extract.data[nil.marker_field]) == nil.marker
    for f in nil.empty_fields:
        if f in extract.columns:
            cell = clean(extract.data[f])
            is_nil = is_nil & (cell.is_null() | (cell == nil.marker))
    return is_nil.fill_null(False)
