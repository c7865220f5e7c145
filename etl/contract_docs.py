"""The written contract for the departments, in Chinese, generated from the declarations.

`python -m etl.contract_docs > docs/extracts.md` regenerates docs/extracts.md; a test fails
when the file and `render()` differ. The words for column types, accepted forms and periods
live here once: the Excel templates (etl/templates.py) use the same words, so the contract,
the templates and the loader (docs/contract-readings.md) say the same thing.
"""

from __future__ import annotations

import sys

from etl.declarations import PERIOD_HEADERS, Column, Source, sources
from etl.gazetteer import COUNTY_WORD

REGENERATE = "python -m etl.contract_docs > docs/extracts.md"

FREQUENCY_WORDS = {"monthly": "月报", "quarterly": "季报", "yearly": "年报"}
KIND_WORDS = {"snapshot": "期末全量", "events": "当期发生"}
KIND_MEANING = {
    "snapshot": "每期报送截至期末的全部名单（不是只报变化的部分）",
    "events": "只报本期内发生的事项（本期没有发生就报一个只有表头的文件）",
}

TYPE_WORDS = {
    "text": "文本",
    "id_number": "身份证号",
    "name": "姓名",
    "town": "镇（街道）",
    "village": "行政村",
    "date": "日期",
    "month": "月份",
    "money": "金额",
    "integer": "整数",
    "number": "数值",
    "yes_no": "是/否",
    "code": "代码",
    "year": "年份",
}

# What a cell of each type may hold (docs/contract-readings.md, "Cells").
FORMS = {
    "text": "任意文字",
    "id_number": (
        "18 位：17 位数字加 1 位数字或 X，出生日期真实，校验位正确；小写 x、全角数字、空格、"
        "开头的 ' 会自动纠正；15 位老号码自动升为 18 位。必须存为文本：存成数字会丢失末几位，"
        "该行不入库"
    ),
    "name": "2～20 个字，中间的空格会被去掉",
    "town": "全县名录中的镇（街道）名称，也可写简称（如“土桥”“城关”）或 9 位代码",
    "village": "所填镇（街道）下的行政村名称（带不带“村”字均可）或 12 位代码",
    "date": (
        "Excel 日期，或 2024-06-03、2024/6/3、2024.6.3、2024年6月3日、20240603；"
        "年份在 1900～2100 之间"
    ),
    "month": "2024-06、2024/6、2024.6、2024年6月、202406，或任一日期（取其月份）",
    "money": "数字，可带千分位逗号、“元”字和正负号",
    "integer": "整数（如 3）",
    "number": "任意数字，可带千分位逗号",
    "yes_no": "是 / 否（也认 Y/N、1/0、√/×、true/false）",
    "code": "只能填可选值之一",
    "year": "四位年份（1900～2100），如 2024",
}

PERIOD_EXAMPLES = {"monthly": "2024-06", "quarterly": "2024-Q2", "yearly": "2024-01"}
PERIOD_NOUNS = {"monthly": "统计月份", "quarterly": "统计季度", "yearly": "统计年度"}


def type_label(column: Column) -> str:
    """The column's type in plain Chinese: 金额（万元）, 整数（≥ 0）, 身份证号, …"""
    word = TYPE_WORDS[column.type]
    if column.type == "money":
        return f"{word}（{column.unit}）"
    if column.type == "integer" and column.min is not None:
        return f"{word}（≥ {column.min}）"
    return word


def header_text(column: Column) -> str:
    """The header a template writes: the declared name, a money column with its unit."""
    return f"{column.name}（{column.unit}）" if column.type == "money" else column.name


def forms(column: Column) -> str:
    """What a cell of `column` may hold, in plain Chinese."""
    text = FORMS[column.type]
    if column.type == "town" and column.county_allowed:
        text += f"；全县性的事项填“{COUNTY_WORD}”"
    if column.type == "money":
        other = "元" if column.unit == "万元" else "万元"
        text += (
            f"；单位为{column.unit}（表头不写单位即为{column.unit}；"
            f"表头写“（{other}）”时按{other}换算）"
        )
    if column.type == "integer" and column.min is not None:
        text += f"，不小于 {column.min}"
    return text


def period_header(source: Source) -> str:
    """The column a template names its period in: 统计月份 (monthly), 统计期 (else)."""
    return PERIOD_HEADERS[0] if source.frequency == "monthly" else PERIOD_HEADERS[1]


def period_example(source: Source) -> str:
    return PERIOD_EXAMPLES[source.frequency]


def period_noun(source: Source) -> str:
    return PERIOD_NOUNS[source.frequency]


def period_cell_rule(source: Source) -> str:
    """What the 统计月份 / 统计期 cells of a file hold (after the noun: 统计月份，如 …)."""
    if source.frequency == "quarterly":
        return "如 2024-Q2（也可写该季度内任一月份，如 2024-06），各行相同"
    if source.frequency == "yearly":
        return "如 2024-01（也可写 2024），各行相同"
    return "如 2024-06（也可写 2024年6月、202406），各行相同"


def period_name_forms(source: Source) -> str:
    """How a file name may write the period of `source`."""
    if source.frequency == "quarterly":
        return (
            "2024-Q2、2024Q2、2024年第二季度、2024年第2季度，"
            "或该季度内任一月份，如 2024-06 即第二季度"
        )
    if source.frequency == "yearly":
        return "2024年、2024，或该年任一月份，统计期记为该年 1 月（2024-01）"
    return "2024-06、202406、2024年6月或2024年06月；只写季度不行"


def example_file_name(source: Source) -> str:
    stem = {"monthly": "2024年6月", "quarterly": "2024年第二季度", "yearly": "2024年"}
    return f"{source.title}_{stem[source.frequency]}.xlsx"


def key_text(source: Source) -> str:
    """U01's key in Chinese: the columns that together must not repeat within a period."""
    if not source.key:
        return "无（本台账不查重复）"
    return " + ".join(source.column(f).name for f in source.key)


def nil_report_text(source: Source) -> str | None:
    """How a township with nothing to report says so, when the source allows it."""
    nil = source.nil_report
    if nil is None:
        return None
    town = next((c.name for c in source.columns if c.type == "town"), "镇（街道）")
    empty = "、".join(f"“{source.column(f).name}”" for f in nil.empty_fields)
    marker = source.column(nil.marker_field).name
    return (
        f"本期没有可报送对象的镇（街道）报一行“零报告”：填“{town}”，{empty}留空"
        f"（或填“{nil.marker}”），“{marker}”填“{nil.marker}”，其他列可空。"
        "这一行表示该镇（街道）本期已报送、没有对象，不会被当作错误行。"
    )


def values_text(column: Column) -> str:
    if column.type == "code":
        return "、".join(column.values)
    if column.type == "yes_no":
        return "是、否"
    if column.type == "town":
        county = f"，或“{COUNTY_WORD}”" if column.county_allowed else ""
        return f"全县各镇（街道）{county}"
    if column.type == "village":
        return "所填镇（街道）下的行政村"
    return ""


def aliases_text(column: Column) -> str:
    return "、".join(column.aliases)


# -- docs/extracts.md ----------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") if text else "—"


PREAMBLE = (
    f"""\
<!-- 本文件由 `{REGENERATE}` 根据 etl/sources.toml 生成，请勿手工修改：改声明后重新生成。 -->

# 各部门报送台账填报规范

本规范写明各部门每期报送哪些台账、每个台账有哪些列、每列怎么填。它由平台的台账声明
（`etl/sources.toml`）生成，平台加载文件时按的就是这些规则（判读细节见
`docs/contract-readings.md`）。每个台账的空白 Excel 模板：运行 `python -m etl templates 目录`，
或在看板“数据”页的“报送模板下载”中下载。

## 通用规则

### 报送与统计期

- 每个台账每期报送一个文件，格式为 .xlsx、.xls 或 .csv（UTF-8 或 GBK/GB18030 编码）。
  文件放在 `inbox/<文件夹>/` 下，文件夹名见下表。
- 统计期写在文件名中：月报写 `2024-06`、`202406`、`2024年6月` 或 `2024年06月`；季报写
  `2024-Q2`、`2024Q2`、`2024年第二季度` 或 `2024年第2季度`（写月份的，按该月所在季度）；年报写
  `2024年`、`2024` 或该年任一月份，统计期记为该年 1 月（`2024-01`）。`20240603`、`2024-06-25`
  这样的日期不算统计期；文件名中写了两个不同的统计期，文件会被退回。
- 文件名中没有统计期时，按表中的“统计月份”（或“统计期”）列：该列各行须为同一期（月份，
  季报可填 `2024-Q2`），否则整个文件退回。文件名已写明统计期时，这一列不看。
- 同一台账同一期只报一个文件；更正时重报整个文件，整体替换该期数据。完全相同的文件重报不改变任何数据。

### 表格样式

- 读取名为台账名称的工作表（如“脱贫人口务工台账”），没有则读第一个工作表。
- 表头上方可以有最多 5 行标题、说明（如“旬邑县2024年6月脱贫人口务工台账”“填报单位：…”）。
  表头可以是一行，也可以是两行（上行合并单元格分组，下行写列名）。
- 列的先后不限。列名可带空格、换行、全角字符、开头的 `*` 或 `✱`（必填标记）和结尾的
  `（元）` / `（万元）` 单位；下表“可用别名”中的写法也能识别。
- 不认识的列会被忽略，并在加载记录中注明；“序号”列忽略。
- 空行不计。第一个非空单元格以“合计”“总计”“小计”或“填报人”“审核人”“负责人”开头的行
  是合计行、签字行，自动跳过，不入库。
- 缺少必填（✱）列的文件整个退回，并写明缺哪几列。

### 单元格

| 类型 | 可接受的写法 |
|---|---|
"""
    + "".join(f"| {TYPE_WORDS[t]} | {FORMS[t]} |\n" for t in TYPE_WORDS)
    + """
- 金额的单位以本规范为准（一般为元，个别列为万元，见各表“类型”一列）；表头写了另一种单位的，
  按表头的单位换算。
- 必填（✱）的单元格为空，或单元格不符合其类型、不在可选值内、镇（街道）或行政村在名录中
  找不到（行政村只在本行的镇（街道）内查找），这一行不入库（隔离），看板“数据”页会列出
  文件、行号、列名、原值和原因；其他行照常入库。
- 涉及两个单元格、两行或两个文件的问题（重复、日期先后、金额合计不符等）不妨碍入库，
  由数据核查列出。
"""
)


def render() -> str:
    """docs/extracts.md: the common rules, then every declared source."""
    declared = sources()
    parts = [PREAMBLE, "\n## 台账一览\n\n| 文件夹 | 台账 | 报送部门 | 报送周期 | 报送内容 |\n"]
    parts.append("|---|---|---|---|---|\n")
    for s in declared.values():
        parts.append(
            f"| `{s.name}` | {s.title} | {s.department} | "
            f"{FREQUENCY_WORDS[s.frequency]} | {KIND_WORDS[s.kind]} |\n"
        )
    for s in declared.values():
        parts.append(_render_source(s))
    return "".join(parts)


def _render_source(source: Source) -> str:
    lines = [
        f"\n## {source.title}（`{source.name}`）\n",
        f"- 报送部门：{source.department}",
        f"- 报送周期：{FREQUENCY_WORDS[source.frequency]}，统计期如 `{period_example(source)}`",
        f"- 统计期写法：文件名中写明{period_noun(source)}（{period_name_forms(source)}）；"
        f"文件名中没有时，在“{period_header(source)}”列每行填{period_noun(source)}，"
        f"{period_cell_rule(source)}",
        f"- 报送内容：{KIND_WORDS[source.kind]}，{KIND_MEANING[source.kind]}",
        f"- 唯一键（U01）：{key_text(source)}",
        f"- 文件夹：`inbox/{source.name}/`；模板：`{source.name}/{source.title}（模板）.xlsx`",
    ]
    nil = nil_report_text(source)
    if nil:
        lines.append(f"- 零报告：{nil}")
    lines += [
        "",
        "| 列名 | 类型 | 必填 | 可选值 | 可用别名 |",
        "|---|---|---|---|---|",
    ]
    for c in source.columns:
        lines.append(
            f"| {c.name} | {type_label(c)} | {'✱' if c.required else ''} | "
            f"{_cell(values_text(c))} | {_cell(aliases_text(c))} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stdout.write(render())
