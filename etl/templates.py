"""Blank Excel templates for the departments: one per declared source, nothing per source.

`python -m etl templates DIR` writes `DIR/<source>/<title>（模板）.xlsx`; the dashboard's data
page offers the same bytes (`template_bytes`). Everything comes from the declarations
(etl/sources.toml), the gazetteer and the contract's words (etl/contract_docs.py), and a
template is a file the loader reads as it is (docs/contract-readings.md, "Templates"):

- the data sheet is named after the title (the sheet the loader prefers), two title rows,
  then one header row: every declared column's name (money with its declared unit) and the
  period column (统计月份, or 统计期 for quarterly and yearly sources), last;
- below the header, `BLANK_ROWS` formatted rows: text for IDs, codes, months and free text
  (Excel cannot turn an 18-digit ID into a number), yyyy-mm-dd for dates; drop-down lists
  for code, yes/no, township and village columns (the village list follows the row's
  township), an input hint on every column;
- required columns in red bold with a comment 必填; the header frozen;
- a 填表说明 sheet: the rules, then one line per column;
- a hidden 选项 sheet holding the lists too long to write inline and the villages.

The output is byte-stable: the same declarations give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from etl import contract_docs as words
from etl.declarations import Column, Source, sources
from etl.gazetteer import COUNTY_WORD, gazetteer
from etl.progress import Progress

TITLE_ROWS = 2  # the loader tolerates up to 5 above the header
HEADER_ROW = TITLE_ROWS  # 0-based: the sheet's row 3
FIRST_DATA_ROW = HEADER_ROW + 1
BLANK_ROWS = 2_000
LAST_DATA_ROW = FIRST_DATA_ROW + BLANK_ROWS - 1
INSTRUCTIONS_SHEET = "填表说明"
OPTIONS_SHEET = "选项"
VILLAGE_NAME_PREFIX = "村_"  # defined name of a township's villages: 村_土桥镇
INLINE_LIST_LIMIT = 255  # Excel's limit on a list written into the validation itself
FIXED_TIME = dt.datetime(2024, 1, 1)
REQUIRED_COLOUR = "#C00000"
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT, DATE = "@", "yyyy-mm-dd"
NUMBER_FORMATS = {
    "text": TEXT,
    "id_number": TEXT,
    "name": TEXT,
    "town": TEXT,
    "village": TEXT,
    "date": DATE,
    "month": TEXT,
    "money": "#,##0.00",
    "integer": "0",
    "number": "General",
    "yes_no": TEXT,
    "code": TEXT,
    "year": "0",
}
# Columns whose format protects what is typed (Excel would turn a long digit string into a
# number, `2024-06` into a date): the format is written into each blank row as well as the
# column, so every tool that opens the file sees it. Other formats are the column's only.
PROTECTED = {"text", "id_number", "month", "date", "period"}
MIN_WIDTHS = {"id_number": 22, "date": 12, "month": 12, "money": 14, "text": 14, "village": 14}


def file_name(source: Source) -> str:
    """`防返贫监测对象和脱贫人口信息表（模板）.xlsx`: the title names the file, with no period."""
    return f"{source.title}（模板）.xlsx"


def template_path(directory: Path, source: Source) -> Path:
    return directory / source.name / file_name(source)


def template_bytes(name: str) -> bytes:
    """The template of the source called `name`, as .xlsx bytes."""
    source = sources()[name]
    buffer = io.BytesIO()
    _Template(source, buffer).write()
    return buffer.getvalue()


def write_templates(directory: Path, progress: Progress | None = None) -> list[Path]:
    """Every declared source's template under `directory`; returns the paths written."""
    declared = sources()
    progress = progress or Progress(len(declared), "模板")
    written = []
    for source in declared.values():
        path = template_path(directory, source)
        progress.step(path.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(template_bytes(source.name))
        written.append(path)
        progress.done(f"{path.relative_to(directory).as_posix()}：{len(source.columns)} 列")
    progress.close()
    return written


# -- One template ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """A column of the data sheet: a declared column, or the period column (column None)."""

    header: str
    column: Column | None
    required: bool
    type: str


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, limit: int) -> str:
    """`text` cut to Excel's limit (UTF-16 units) for validation titles and messages."""
    if _utf16_len(text) <= limit:
        return text
    while _utf16_len(text) > limit - 1:
        text = text[:-1]
    return text + "…"


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class _Template:
    def __init__(self, source: Source, target):
        if len(source.title) > 31:
            raise ValueError(f"{source.name}: a sheet name holds at most 31 characters")
        self.source = source
        self.book = xlsxwriter.Workbook(target, {"in_memory": True})
        self.book.set_properties(
            {
                "title": f"{source.title}（模板）",
                "subject": "旬邑县乡村振兴数据平台报送模板",
                "author": "旬邑县乡村振兴数据平台",
                "created": FIXED_TIME,
            }
        )
        self.fields = [
            _Field(words.header_text(c), c, c.required, c.type) for c in source.columns
        ] + [_Field(words.period_header(source), None, False, "period")]
        self.formats = {}
        self.options = None  # the hidden 选项 sheet, when a list needs it
        self.option_columns = 0
        self.villages_named = False

    # Formats are shared per (kind, number format) so the workbook's style table stays small.
    def _format(self, key: str, **properties):
        if key not in self.formats:
            self.formats[key] = self.book.add_format(properties)
        return self.formats[key]

    def _body_format(self, field: _Field):
        number = NUMBER_FORMATS.get(field.type, TEXT)
        if field.type == "money" and field.column.unit == "万元":
            number = "#,##0.00##"
        return self._format(f"body:{number}", num_format=number, valign="vcenter")

    def write(self) -> None:
        data = self.book.add_worksheet(self.source.title)
        guide = self.book.add_worksheet(INSTRUCTIONS_SHEET)
        if any(self._needs_options(f) for f in self.fields):
            self.options = self.book.add_worksheet(OPTIONS_SHEET)
            self.options.hide()
        self._write_data_sheet(data)
        self._write_guide(guide)
        data.activate()
        self.book.close()

    # -- The data sheet ------------------------------------------------------------------

    def _write_data_sheet(self, ws) -> None:
        last_col = len(self.fields) - 1
        title = self._format("title", bold=True, font_size=14, align="left", valign="vcenter")
        note = self._format("note", font_color="#595959", align="left", valign="vcenter")
        noun, period = words.period_noun(self.source), words.period_header(self.source)
        ws.set_row(0, 26)
        ws.merge_range(0, 0, 0, last_col, f"旬邑县{self.source.title}", title)
        ws.merge_range(
            1,
            0,
            1,
            last_col,
            f"红色列名为必填项。文件名中没有写明{noun}时，请在“{period}”列每行填{noun}"
            f"（如 {words.period_example(self.source)}）。填写说明见“{INSTRUCTIONS_SHEET}”工作表。",
            note,
        )
        ws.set_row(HEADER_ROW, 36)
        header = {"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter"}
        header |= {"border": 1, "bg_color": "#F2F2F2"}
        required = self._format("header:required", font_color=REQUIRED_COLOUR, **header)
        optional = self._format("header:optional", **header)
        for index, field in enumerate(self.fields):
            body = self._body_format(field)
            ws.set_column(index, index, self._width(field), body)
            ws.write_string(
                HEADER_ROW, index, field.header, required if field.required else optional
            )
            if field.required:
                ws.write_comment(HEADER_ROW, index, "必填", {"author": "模板"})
            elif field.column is None:
                ws.write_comment(
                    HEADER_ROW, index, "文件名中没有统计期时必填，每行相同", {"author": "模板"}
                )
            if field.type in PROTECTED:
                for row in range(FIRST_DATA_ROW, LAST_DATA_ROW + 1):
                    ws.write_blank(row, index, None, body)
            self._validate(ws, index, field)
        ws.freeze_panes(FIRST_DATA_ROW, 0)

    def _width(self, field: _Field) -> int:
        width = max(_display_width(field.header) + 4, MIN_WIDTHS.get(field.type, 10))
        if field.column is not None and field.column.values:
            width = max(width, max(_display_width(v) for v in field.column.values) + 4)
        return min(width, 30)

    # -- Drop-downs and hints --------------------------------------------------------------

    def _choices(self, field: _Field) -> list[str] | None:
        if field.type in ("code", "yes_no"):
            return list(field.column.values) if field.type == "code" else ["是", "否"]
        if field.type == "town":
            towns = [t.name for t in gazetteer().towns.values()]
            return towns + [COUNTY_WORD] if field.column.county_allowed else towns
        return None

    def _needs_options(self, field: _Field) -> bool:
        if field.type == "village":
            return True
        choices = self._choices(field)
        return choices is not None and _utf16_len(",".join(choices)) > INLINE_LIST_LIMIT

    def _option_list(self, title: str, values: list[str]) -> str:
        """Write `values` as a column of the hidden options sheet; its absolute range."""
        col = self.option_columns
        self.option_columns += 1
        self.options.write_string(0, col, title)
        for i, value in enumerate(values, start=1):
            self.options.write_string(i, col, value)
        letters = xl_col_to_name(col)
        return f"{_quoted(OPTIONS_SHEET)}!${letters}$2:${letters}${len(values) + 1}"

    def _village_lists(self) -> None:
        """One defined name per township (村_土桥镇) over its villages, for the dependent list."""
        if self.villages_named:
            return
        g = gazetteer()
        for town in g.towns.values():
            names = [v.name for v in g.villages_of(town.code)]
            reference = self._option_list(town.name, names)
            if self.book.define_name(f"{VILLAGE_NAME_PREFIX}{town.name}", f"={reference}"):
                raise ValueError(f"cannot define the village list of {town.name}")
        self.villages_named = True

    def _validate(self, ws, index: int, field: _Field) -> None:
        hint = self._hint(field)
        options = {
            "input_title": _fit(field.header, 32),
            "input_message": _fit(hint, 255),
        }
        choices = self._choices(field)
        if choices is not None:
            inline = _utf16_len(",".join(choices)) <= INLINE_LIST_LIMIT
            source = choices if inline else "=" + self._option_list(field.header, choices)
            options |= {
                "validate": "list",
                "source": source,
                "error_type": "stop",
                "error_title": "请从下拉列表中选择",
                "error_message": _fit(
                    f"“{field.header}”只能填：{'、'.join(choices)}"
                    if inline
                    else f"“{field.header}”只能填下拉列表中的值",
                    255,
                ),
            }
        elif field.type == "village":
            self._village_lists()
            town = next((i for i, f in enumerate(self.fields) if f.type == "town"), None)
            if town is None:
                options["validate"] = "any"
            else:
                cell = f"${xl_col_to_name(town)}{FIRST_DATA_ROW + 1}"
                options |= {
                    # Information only: the loader also reads codes and names without 村.
                    "validate": "list",
                    "source": f'=INDIRECT("{VILLAGE_NAME_PREFIX}"&{cell})',
                    "error_type": "information",
                    "error_title": "请核对行政村",
                    "error_message": "不在所填镇（街道）的行政村名单中，请核对（也可填12位村代码）",
                }
        elif field.type in ("integer", "year"):
            low = field.column.min if field.type == "integer" else 1900
            options |= {"validate": "integer", "error_type": "stop", "error_title": "应为整数"}
            if field.type == "year":
                options |= {"criteria": "between", "minimum": 1900, "maximum": 2100}
                options["error_message"] = "应为四位年份，如 2024"
            elif low is not None:
                options |= {"criteria": ">=", "value": low}
                options["error_message"] = f"应为不小于 {low} 的整数"
            else:
                options |= {"criteria": "between", "minimum": -(10**9), "maximum": 10**9}
                options["error_message"] = "应为整数"
        else:
            options["validate"] = "any"
        if ws.data_validation(FIRST_DATA_ROW, index, LAST_DATA_ROW, index, options):
            raise ValueError(f"{self.source.name}: the validation of {field.header} was refused")

    def _hint(self, field: _Field) -> str:
        if field.column is None:
            noun = words.period_noun(self.source)
            return f"填{noun}，{words.period_cell_rule(self.source)}。文件名已写明{noun}时可不填。"
        need = "必填" if field.required else "选填"
        if field.type in ("code", "yes_no", "town"):
            rule = "从下拉列表中选择"
        elif field.type == "village":
            rule = "先填镇（街道），再从下拉列表中选择该镇（街道）的行政村"
        else:
            rule = words.forms(field.column)
        return f"{words.type_label(field.column)}，{need}。{rule}"

    # -- The instructions sheet -------------------------------------------------------------

    def _write_guide(self, ws) -> None:
        s = self.source
        title = self._format("guide:title", bold=True, font_size=14)
        line = self._format("guide:line", text_wrap=True, valign="top")
        head = self._format(
            "guide:head", bold=True, border=1, bg_color="#F2F2F2", text_wrap=True, valign="top"
        )
        cell = self._format("guide:cell", border=1, text_wrap=True, valign="top")
        red = self._format(
            "guide:red",
            border=1,
            text_wrap=True,
            valign="top",
            bold=True,
            font_color=REQUIRED_COLOUR,
        )
        ws.set_column(0, 0, 24)
        ws.set_column(1, 1, 16)
        ws.set_column(2, 2, 8)
        ws.set_column(3, 3, 72)
        ws.set_column(4, 4, 36)
        ws.write_string(0, 0, f"《{s.title}》填表说明", title)
        row = 2
        for n, text in enumerate(self._rules(), start=1):
            ws.merge_range(row, 0, row, 4, f"{n}. {text}", line)
            ws.set_row(row, 15 * max(1, -(-_display_width(text) // 150)) + 6)
            row += 1
        row += 1
        headers = [
            "列名（表头）",
            "类型",
            "必填",
            "可选值 / 填写要求",
            "可用别名（这些写法也能识别）",
        ]
        for col, text in enumerate(headers):
            ws.write_string(row, col, text, head)
        ws.freeze_panes(row + 1, 0)
        for field in self.fields:
            row += 1
            if field.column is None:
                noun = words.period_noun(s)
                values = [
                    field.header,
                    noun,
                    "文件名中没有统计期时必填",
                    f"{noun}，{words.period_cell_rule(s)}。文件名已写明{noun}时可不填。",
                    "、".join(h for h in ("统计月份", "统计期") if h != field.header),
                ]
            else:
                c = field.column
                if c.type in ("code", "yes_no"):
                    rule = f"可选值：{words.values_text(c)}"
                elif c.type == "town":
                    towns = "、".join(t.name for t in gazetteer().towns.values())
                    rule = f"{words.forms(c)}。全县各镇（街道）：{towns}"
                else:
                    rule = words.forms(c)
                values = [
                    field.header,
                    words.type_label(c),
                    "必填" if c.required else "",
                    rule,
                    words.aliases_text(c),
                ]
            for col, text in enumerate(values):
                fmt = red if (col == 0 and field.required) else cell
                ws.write_string(row, col, text, fmt)

    def _rules(self) -> list[str]:
        s = self.source
        period, noun = words.period_header(s), words.period_noun(s)
        rules = [
            f"报送单位：{s.department}；{words.FREQUENCY_WORDS[s.frequency]}；"
            f"{words.KIND_WORDS[s.kind]}：{words.KIND_MEANING[s.kind]}。",
            f"在“{s.title}”工作表第 {FIRST_DATA_ROW + 1} 行起逐行填写，一行一条记录。"
            f"不要修改第 {HEADER_ROW + 1} 行的列名，也不要删除列；列的先后可以调整。"
            "多加的列不会入库（加载记录中会注明已忽略）。",
            "红色加粗的列名是必填项（表头单元格有批注“必填”），必填项为空的行不会入库；"
            "黑色列名为选填。",
            f"统计期：文件名中写明{noun}（{words.period_name_forms(s)}），"
            f"例如“{words.example_file_name(s)}”；文件名中没有时，请在“{period}”列每行填"
            f"{noun}，{words.period_cell_rule(s)}。文件名和该列都没有统计期、"
            "或该列各行不一致时，整个文件会被退回。",
            "合计、总计、小计行，以及以“填报人”“审核人”“负责人”开头的签字行，会被自动跳过、"
            "不入库，可以保留；空行也没有关系。",
        ]
        if any(c.type == "id_number" for c in s.columns):
            rules.append(
                "身份证号必须保持文本格式（本模板已把该列设为文本）。从其他表格复制时请用"
                "“选择性粘贴 → 数值”，不要连格式一起粘贴；身份证号一旦被 Excel 存成数字，"
                "末几位就丢了，这一行不会入库。"
            )
        if any(c.type in ("code", "yes_no", "town") for c in s.columns):
            rules.append(
                "带下拉箭头的列请从下拉列表中选择"
                + (
                    "；“行政村”的下拉列表随本行所填的“镇（街道）”变化"
                    if any(c.type == "village" for c in s.columns)
                    else ""
                )
                + "。"
            )
        kinds = {c.type for c in s.columns}
        if kinds & {"date", "month", "money"}:
            parts = []
            if "date" in kinds:
                parts.append("日期填 2024-06-03 或 2024/6/3")
            if "month" in kinds:
                parts.append("月份填 2024-06")
            if "money" in kinds:
                parts.append("金额只填数字，单位见列名")
            rules.append("；".join(parts) + "。")
        for c in s.columns:
            if c.type == "town" and c.county_allowed:
                rules.append(f"“{c.name}”可填“{COUNTY_WORD}”：不属于某一个镇（街道）的全县性事项。")
        nil = words.nil_report_text(s)
        if nil:
            rules.append(nil)
        rules += [
            "同一台账同一期只报一个文件；更正时重报整个文件，会整体替换该期数据。",
            "不符合规则的单元格所在的行不会入库，看板“数据”页会列出文件、行号、列名和原因，"
            "更正后重报即可。",
        ]
        return rules
