"""Bad cells: one broken rule each, with the reason the loader must give.

``docs/contract-readings.md`` fixes which reason a bad cell gets (for an ID: the first of
missing_required, id_stored_as_number, id_format, id_checksum). Every bad value here is
built so that exactly the intended reason is the first that applies, and the rest of the
row stays clean: a row the truth calls bad for one reason must not fail for another.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import idcard
from .cells import Cell
from .gazetteer import Gazetteer, Township
from .sources import (
    CODE,
    DATE,
    ID,
    INTEGER,
    MONEY,
    MONTH,
    NAME,
    NUMBER,
    TOWN,
    VILLAGE,
    YEAR,
    YES_NO,
    Column,
)

REASONS = (
    "missing_required",
    "id_stored_as_number",
    "id_checksum",
    "id_format",
    "bad_name",
    "unknown_town",
    "village_not_in_town",
    "bad_date",
    "bad_month",
    "bad_money",
    "bad_integer",
    "bad_number",
    "bad_yes_no",
    "not_in_code_list",
)

# How often each reason turns up among a file's bad cells (clerks' habits: empty cells,
# mistyped IDs and copy-pasted rows from the wrong township are the commonest).
REASON_WEIGHTS = {
    "missing_required": 20,
    "id_stored_as_number": 6,
    "id_checksum": 15,
    "id_format": 9,
    "bad_name": 6,
    "unknown_town": 4,
    "village_not_in_town": 8,
    "bad_date": 8,
    "bad_month": 6,
    "bad_money": 6,
    "bad_integer": 5,
    "bad_number": 5,
    "bad_yes_no": 5,
    "not_in_code_list": 8,
}

# Townships that no longer exist (merged in 2011) or typed with a wrong character.
UNKNOWN_TOWNS = ("原底乡", "石门乡", "排厦乡", "赤道乡", "土侨镇", "张红镇", "职由镇")

WRONG_CODES = {
    "与户主关系": ("本人", "儿子", "女儿", "妻子", "之子", "孙子"),
    "户类型": ("贫困户", "一般户", "低保户", "脱贫监测户"),
    "监测对象类别": ("边缘户", "不稳定户", "突发困难户"),
    "主要风险类型": ("因病致贫", "大病", "残疾", "缺劳力"),
    "风险消除状态": ("已解除", "消除", "未解除"),
    "劳动能力": ("普通劳动力", "技能劳动力", "丧失劳动力", "无劳动力"),
    "务工状态": ("外出", "在外务工", "是"),
    "就业形式": ("外出务工", "打零工", "务农", "省外"),
    "培训方式": ("线上培训", "集中培训", "订单"),
    "岗位类别": ("公益岗", "保洁员", "护路员"),
    "主管部门": ("人社", "林业站", "镇政府"),
    "人员类别": ("脱贫人口", "低保户", "贫困户"),
    "参保状态": ("正常", "已缴费", "停保"),
    "资助类别": ("低保", "特困", "脱贫户", "全额资助"),
    "就诊类型": ("门诊", "慢病", "住院治疗"),
    "救助类型": ("最低生活保障", "五保", "残疾补贴"),
    "供养方式": ("集中", "分散", "居家"),
    "救助状态": ("正常", "停发", "在册"),
    "对象类型": ("贫困户", "低保", "特困户"),
    "安全等级": ("C", "危房", "安全"),
    "处置情况": ("已处理", "待整改", "改造中"),
    "鉴定等级": ("C", "D", "危房"),
    "改造方式": ("维修", "重建", "新建"),
    "工程类型": ("集中供水", "自备井", "单村供水"),
    "检测类别": ("常规检测", "全分析", "21项"),
    "检测结果": ("达标", "不达标", "正常"),
    "项目类别": ("产业", "基础设施建设", "其它"),
    "项目状态": ("已开工", "完工", "筹备中"),
    "指标编码": ("A9-TOILET", "A3-FARM", "厕所改造"),
}
BAD_YES_NO = ("有", "待定", "未知", "是的", "不是")


@dataclass(frozen=True)
class BadCell:
    column: str  # canonical column name
    reason: str
    cell: Cell


def applicable(reason: str, column: Column, value: object) -> bool:
    """Whether ``reason`` can be planted in this column for this clean value."""
    t = column.type
    if reason == "missing_required":
        # An empty township would leave open whether its village is looked up: never.
        return column.required and t != TOWN
    if reason == "id_stored_as_number":
        return t == ID and not value.endswith("X")  # an X cannot become a number
    if reason in ("id_checksum", "id_format"):
        return t == ID
    kinds = {
        "bad_name": (NAME,),
        "unknown_town": (TOWN,),
        "village_not_in_town": (VILLAGE,),
        "bad_date": (DATE,),
        "bad_month": (MONTH,),
        "bad_money": (MONEY,),
        "bad_integer": (INTEGER, YEAR),  # a year that is not one is bad_integer too
        "bad_number": (NUMBER,),
        "bad_yes_no": (YES_NO,),
        "not_in_code_list": (CODE,),
    }
    # A bad value goes where the clerk had something to write.
    return t in kinds[reason] and value is not None


def bad_cell(
    reason: str,
    column: Column,
    value: object,
    town: Township,
    gaz: Gazetteer,
    workbook: bool,
    rng: random.Random,
    variant: str = "",
) -> Cell:
    """The cell a clerk wrote instead of ``value``, breaking exactly ``reason``."""
    if reason == "missing_required":
        return None
    if reason == "id_stored_as_number":
        # Excel kept a float: 18 digits no longer fit. A CSV saved from it shows the
        # General format's scientific notation.
        return float(int(value)) if workbook else f"{float(int(value)):.5E}"
    if reason == "id_checksum":
        return idcard.wrong_check_digit(value, rng)
    if reason == "id_format":
        variant = variant or rng.choice(("short", "long", "letter", "birth"))
        if variant == "short":  # a digit dropped: 17 characters
            cut = rng.randrange(6, 17)
            return value[:cut] + value[cut + 1 :]
        if variant == "long":  # a digit typed twice: 19 characters
            cut = rng.randrange(6, 17)
            return value[:cut] + value[cut] + value[cut:]
        if variant == "letter":  # the letter O typed for a zero
            digits = [i for i in range(17) if value[i] == "0"] or [3]
            i = rng.choice(digits)
            return value[:i] + "O" + value[i + 1 :]
        return idcard.impossible_birth_date(value, rng)
    if reason == "bad_name":
        variant = variant or rng.choice(("one", "long"))
        if variant == "one":  # only the surname
            return value[0]
        return value + "（已外出务工，联系电话待补充，待核实）"  # a note typed into the cell
    if reason == "unknown_town":
        return rng.choice(UNKNOWN_TOWNS)
    if reason == "village_not_in_town":
        # A row copied from another township's sheet: a real village, not this town's.
        return rng.choice(gaz.foreign_villages(town)).name
    if reason == "bad_date":
        d = value
        return rng.choice(
            (
                f"{d.year}-02-30",
                f"{d.year}/{d.month}/32",
                f"{d.year}年13月{d.day}日",
                f"{d.month}月{d.day}日",  # no year
                "待补录",
            )
        )
    if reason == "bad_month":
        return rng.choice((f"{value.year}-13", "六月份", f"{value.year}年13月", "待定"))
    if reason == "bad_money":
        whole = int(value)
        return rng.choice(("三千五", f"{whole}-{whole + 500}", f"约{whole}元", "待核实", "5千"))
    if reason == "bad_integer":
        return variant or rng.choice(("三", "2.5", "-1"))
    if reason == "bad_number":
        whole = int(value)
        return rng.choice((f"约{whole}", "三十", f"{whole}-{whole + 5}", "待统计"))
    if reason == "bad_yes_no":
        return rng.choice(BAD_YES_NO)
    if reason == "not_in_code_list":
        return rng.choice(WRONG_CODES[column.name])
    raise ValueError(reason)
