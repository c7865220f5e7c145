"""A loaded row reduced to what the checks and indicators read: one named tuple per source.

The truth (``expected.py``) is computed from the rows that *load* — each loaded file's
rows minus its quarantined ones — never from the simulated world, so that quarantine and
rejected files have the consequences the warehouse will see. The worker that writes a file
reduces each loaded row to a fact (``fact``); a test re-reads every file with its own
reader and builds the same facts from what it finds (``from_values``), which proves the
truth is the truth of the files.

A fact holds the row's sheet row number and the values as the loader stores them:
township and village codes (全县 is the county code), money as ``Decimal`` in the
column's declared unit, dates as ``datetime.date``, months as ``'YYYY-MM'``, yes/no as
``bool``, integers and years as ``int``, numbers as ``Decimal``, text as ``str``, an empty
cell as ``None``.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from decimal import Decimal

from .gazetteer import Township, Village
from .records import Record
from .sources import MONTH, SOURCES

_PERSON = (("姓名", "name"), ("身份证号", "id"), ("镇（街道）", "town"), ("行政村", "village"))
_HEAD = (("户主姓名", "name"), ("身份证号", "id"), ("镇（街道）", "town"), ("行政村", "village"))

# source -> ((column, attribute), ...): the columns the truth reads, by attribute name.
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "roster": (
        ("户编号", "household"),
        *_PERSON,
        ("与户主关系", "relation"),
        ("户类型", "kind"),
        ("监测对象类别", "category"),
        ("风险发现日期", "found"),
        ("识别认定日期", "identified"),
        ("系统录入日期", "entered"),
        ("风险消除状态", "risk_status"),
        ("风险消除日期", "cleared"),
        ("劳动能力", "ability"),
        ("是否易地搬迁", "relocated"),
        ("务工状态", "work"),
        ("上年家庭人均纯收入", "income_prev"),
    ),
    "income": (
        ("户编号", "household"),
        *_HEAD,
        ("家庭人口数", "size"),
        ("工资性收入", "wage"),
        ("经营性收入", "business"),
        ("财产性收入", "property"),
        ("转移性收入", "transfer"),
        ("生产经营性支出", "cost"),
    ),
    "employment": (
        *_PERSON,
        ("户类型", "kind"),
        ("就业形式", "form"),
        ("务工起始月份", "started"),
        ("跨省交通补助", "subsidy"),
    ),
    "public_jobs": (
        *_PERSON,
        ("岗位类别", "post"),
        ("人员类别", "category"),
        ("上岗日期", "start"),
        ("离岗日期", "end"),
        ("月补贴", "allowance"),
    ),
    "training": (
        *_PERSON,
        ("户类型", "kind"),
        ("培训项目", "programme"),
        ("开班日期", "start"),
        ("结业日期", "end"),
        ("是否结业", "completed"),
    ),
    "insurance": (
        *_PERSON,
        ("参保年度", "year"),
        ("参保状态", "status"),
        ("资助类别", "category"),
        ("资助金额", "amount"),
    ),
    "medical_claims": (
        ("结算单号", "claim"),
        *_PERSON,
        ("就诊类型", "visit"),
        ("结算日期", "settled"),
        ("医疗总费用", "total"),
        ("基本医保", "basic"),
        ("大病保险", "serious"),
        ("医疗救助", "aid"),
        ("其他保障", "other"),
        ("个人自付", "self_pay"),
    ),
    "assistance": (
        *_PERSON,
        ("救助类型", "type"),
        ("救助状态", "status"),
        ("月救助金额", "amount"),
        ("起始月份", "start"),
    ),
    "housing_monitor": (
        *_HEAD,
        ("对象类型", "object"),
        ("安全等级", "grade"),
        ("处置情况", "disposal"),
        ("备注", "remark"),
    ),
    "housing_renovation": (
        *_HEAD,
        ("对象类型", "object"),
        ("鉴定等级", "grade"),
        ("开工日期", "started"),
        ("竣工日期", "completed"),
        ("验收日期", "accepted"),
        ("补助兑付日期", "paid"),
        ("补助资金", "subsidy"),
    ),
    "water_points": (
        ("检测点编号", "point"),
        ("镇（街道）", "town"),
        ("行政村", "village"),
        ("工程类型", "scheme"),
        ("是否启用", "active"),
    ),
    "water_tests": (
        ("检测点编号", "point"),
        ("检测日期", "tested"),
        ("检测类别", "test"),
        ("检测结果", "result"),
        ("不合格指标", "failed_items"),
    ),
    "water_survey": (
        ("镇（街道）", "town"),
        ("行政村", "village"),
        ("排查批次", "round"),
        ("应排查户数", "due"),
        ("实排查户数", "done"),
        ("发现问题数", "found"),
        ("已整改数", "fixed"),
    ),
    "loans": (
        ("贷款合同号", "contract"),
        ("借款人姓名", "name"),
        ("身份证号", "id"),
        ("镇（街道）", "town"),
        ("行政村", "village"),
        ("户类型", "kind"),
        ("放款日期", "issued"),
        ("到期日期", "due"),
        ("贷款金额", "amount"),
        ("贷款余额", "balance"),
        ("逾期金额", "overdue"),
        ("逾期天数", "overdue_days"),
        ("是否风险补偿", "compensated"),
    ),
    "projects": (
        ("项目编号", "project"),
        ("镇（街道）", "town"),
        ("行政村", "village"),
        ("项目类别", "category"),
        ("衔接资金", "funds"),
        ("累计支出", "spent"),
        ("报账金额", "claimed"),
        ("开工日期", "started"),
        ("完工日期", "finished"),
        ("项目状态", "status"),
    ),
    "indicators": (
        ("指标编码", "code"),
        ("镇（街道）", "town"),
        ("本月完成", "month_value"),
        ("累计完成", "cumulative"),
        ("备注", "remark"),
    ),
}
assert set(FIELDS) == set(SOURCES), "every source needs its facts"


def _class_name(source: str) -> str:
    return "".join(part.title() for part in source.split("_")) + "Fact"


# One named tuple class per source (module-level, so facts pickle between processes).
FACTS = {}
for _source, _fields in FIELDS.items():
    _cls = namedtuple(_class_name(_source), ["row", *(a for _c, a in _fields)])
    _cls.__module__ = __name__
    globals()[_cls.__name__] = _cls
    FACTS[_source] = _cls
_MONTH_COLUMNS = {
    source: {c.name for c in SOURCES[source].columns if c.type == MONTH} for source in SOURCES
}


def _stored(value: object, month: bool) -> object:
    if isinstance(value, Township | Village):
        return value.code
    if month and isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    return value


def fact(source: str, record: Record, row: int) -> tuple:
    """The loaded row's fact (the record's values as the warehouse stores them)."""
    values = record.values
    months = _MONTH_COLUMNS[source]
    return FACTS[source](row, *(_stored(values.get(c), c in months) for c, _a in FIELDS[source]))


def from_values(source: str, row: int, values: dict[str, object]) -> tuple:
    """A fact from a row read back from a file: ``values`` by Chinese column name, already
    typed as the module docstring says (absent or empty columns are ``None``)."""
    return FACTS[source](row, *(values.get(c) for c, _a in FIELDS[source]))


def money(value: Decimal | None) -> Decimal:
    """An optional amount, empty as zero."""
    return value if value is not None else Decimal(0)
