"""How each month's file of each source looks: format, name, title rows, header spellings,
column order, summary rows, forms of the cells, and the faults it must carry.

Two layers: every file first gets a random style typical of its department (the
monitoring system's export is tidy, the 人社 clerks' ledgers are not); then the ``Case``
table (``_cases``) makes sure every case the loader must handle appears at least once per
county-year, whatever the scale, in a file that is not rejected (a rejected file's rows are
never read), and ``FORCED_FAULTS`` / ``FORCED_FORMS`` do the same for bad cells and for
every accepted spelling of a cell.

The months whose files are rejected are fixed by design (``REJECTED``), so the truth about
which ledger is missing in which month stays easy to explain.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .cells import DATE_CELL_FORMATS, MONTH_CELL_FORMATS
from .schedule import PERIOD_FORMS, file_periods, period_text
from .sources import ID_ALIASES, MONEY, SOURCES, TOWN_ALIASES, VILLAGE_ALIASES

WORKBOOK = ("xlsx", "xls")
XLS_MAX_ROWS = 65_000
# An .xlsx sheet holds 1,048,576 rows; a ledger near that (title, header, subtotal and
# signature rows added) is sent as CSV, as a clerk's export would be.
XLSX_MAX_ROWS = 1_048_576 - 1_000
FILE_FORMATS = ("mixed", "csv")  # `--format`: the usual mix, or CSV wherever a file can be
CSV_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gb18030")  # GB18030 twice as likely
# Cases only a workbook can show: not asked of a county-year written as CSV.
WORKBOOK_CASES = {
    ".xls (xlwt)",
    "leading blank row above the title",
    "two-row header",
    "a merged group over the payers (报销情况)",
    "two-row header in a 人社 ledger",
    "header with a line break",
    "data sheet named after the title, behind a note sheet",
    "second sheet after the data",
}

# (source, calendar month) -> how its monthly file(s) are rejected. duplicate_period: two
# files. The housing bureau's July file names no month: that month the county has no
# housing-safety report at all (X18 fails for every township).
REJECTED = {
    ("training", 4): "no_period",
    ("loans", 5): "missing_column",
    ("housing_monitor", 7): "no_period",
    ("employment", 8): "duplicate_period",
    ("loans", 11): "unreadable",
}
# The plan's first month: the ledgers were reconciled with each other before the campaign
# (集中比对). The files showing March (the first quarter's income and the year's list of
# testing points included) carry no bad cell and nothing is planted in them (``defects``):
# every check passes in March.
RECONCILED_MONTH = 3
# The column a bank's export leaves out: banks do not know the household's type.
MISSING_COLUMN = "户类型"

GROUPS = {  # two-row headers: a group cell over these columns (contiguous, standard order)
    "roster": (
        "监测信息",
        (
            "监测对象类别",
            "主要风险类型",
            "风险发现日期",
            "识别认定日期",
            "系统录入日期",
            "风险消除状态",
            "风险消除日期",
        ),
    ),
    "employment": ("务工情况", ("就业形式", "务工地点", "务工单位", "务工起始月份", "月收入")),
    "training": ("培训情况", ("培训项目", "培训工种", "培训方式", "开班日期", "结业日期")),
    "loans": ("贷款信息", ("放款日期", "到期日期", "贷款金额", "贷款余额")),
    "medical_claims": ("报销情况", ("基本医保", "大病保险", "医疗救助", "其他保障")),
    "income": ("收入情况", ("工资性收入", "经营性收入", "财产性收入", "转移性收入")),
    "housing_renovation": ("改造进度", ("开工日期", "竣工日期", "验收日期", "补助兑付日期")),
}
# Optional columns a clerk may leave out without changing what any check or indicator sees.
OMITTABLE = {
    "employment": ("务工地点", "务工单位"),
    "training": ("是否取证",),
    "loans": ("贴息金额",),
    "income": ("医疗", "教育", "采集日期"),
    "insurance": ("参保日期",),
    "medical_claims": ("医疗机构",),
    "assistance": ("供养方式",),
    "housing_monitor": ("问题描述", "鉴定日期"),
}
WAN_YUAN = ("贷款金额", "贷款余额")  # banks report these in 万元
EXTRAS = ("联系电话", "备注")
# Sources whose rows come in township blocks (a 小计 may close each block).
TOWN_SORTED = (
    "roster",
    "employment",
    "loans",
    "public_jobs",
    "insurance",
    "assistance",
    "housing_monitor",
    "housing_renovation",
    "income",
)
# System exports (the monitoring system, the medical-insurance system): tidier than the
# clerks' own ledgers.
SYSTEM_EXPORTS = ("roster", "income", "insurance", "medical_claims")
FORMAT_WEIGHTS = {
    "roster": (("xlsx", 70), ("csv", 30)),
    "employment": (("xlsx", 65), ("csv", 25), ("xls", 10)),
    "training": (("xlsx", 50), ("csv", 25), ("xls", 25)),
    "loans": (("xlsx", 50), ("csv", 40), ("xls", 10)),
    "insurance": (("xlsx", 60), ("csv", 40)),
    "medical_claims": (("xlsx", 50), ("csv", 50)),
}
DEFAULT_FORMATS = (("xlsx", 60), ("csv", 25), ("xls", 15))
FAULT_RATES = {
    "roster": 0.001,  # system exports: few bad cells
    "income": 0.001,
    "insurance": 0.001,
    "medical_claims": 0.001,
    "employment": 0.004,
    "training": 0.006,
    "loans": 0.003,
}
DEFAULT_FAULT_RATE = 0.003

NAME_TEMPLATES = {
    "roster": (
        "旬邑县防返贫监测对象和脱贫人口信息表{p}",
        "{p}防返贫监测对象和脱贫人口信息（系统导出）",
        "脱贫人口信息表_{p}",
        "全县监测对象及脱贫人口明细{p}",
    ),
    "employment": (
        "旬邑县{p}脱贫人口务工台账",
        "脱贫人口务工台账（{p}）",
        "{p}务工台账-县人社局",
        "务工监测台账{p}",
    ),
    "training": ("旬邑县{p}脱贫劳动力技能培训台账", "技能培训台账{p}", "{p}培训花名册"),
    "loans": ("旬邑县脱贫人口小额信贷台账{p}", "小额信贷明细{p}（农商行）", "{p}小额信贷台账"),
    "income": ("旬邑县{p}收支监测信息", "收支监测信息（{p}）", "{p}收支监测数据-系统导出"),
    "public_jobs": ("旬邑县{p}乡村公益性岗位台账", "公益性岗位人员台账{p}", "{p}公益岗台账"),
    "insurance": ("旬邑县城乡居民医保参保及资助台账{p}", "{p}参保资助明细（医保局）"),
    "medical_claims": ("医疗费用结算明细{p}", "{p}医保结算明细（系统导出）"),
    "assistance": ("旬邑县社会救助对象台账{p}", "{p}救助对象花名册（民政局）", "社会救助台账_{p}"),
    "housing_monitor": ("{p}农村低收入群体住房安全动态监测表", "住房安全动态监测{p}"),
    "housing_renovation": ("旬邑县{p}农村危房改造台账", "危房改造进度台账{p}"),
    "water_points": ("旬邑县{p}水质检测点及供水工程名录", "水质检测点名录（{p}）"),
    "water_tests": ("{p}农村供水水质检测台账", "水质检测结果{p}"),
    "water_survey": ("旬邑县{p}饮水安全敲门入户排查台账", "饮水安全大排查{p}"),
    "projects": ("旬邑县财政衔接资金项目台账{p}", "{p}衔接资金项目进度表"),
    "indicators": ("{p}重点指标填报表", "重点指标完成情况{p}"),
}
# Names without a period: the file carries a 统计月份 column instead (or is rejected).
UNDATED_NAMES = {
    key: f"{source.title}（{'系统导出' if key in ('roster', 'income') else '汇总'}）"
    for key, source in SOURCES.items()
}


@dataclass
class Layout:
    source: str
    index: int  # the month (0 = March) whose state the file shows (schedule.FilePeriod)
    year: int
    period: str = ""  # 2024-06 | 2024-Q2 | 2024-01
    kind: str = "month"  # month | quarter | year
    month: int = 3  # the calendar month the period ends in
    fmt: str = "xlsx"  # xlsx | xls | csv
    encoding: str | None = None  # csv: utf-8 | utf-8-sig | gb18030
    name_template: str = ""
    period_form: str | None = "cn"  # None: no period in the name
    name_suffix: str = ""  # e.g. a submission date after the period
    period_column: bool = False  # a 统计月份 column
    title_rows: int = 1
    leading_blank_row: bool = False
    aliases: dict[str, str] = field(default_factory=dict)  # canonical -> header word
    decorations: dict[str, str] = field(default_factory=dict)  # canonical -> decoration
    money_unit: str = "none"  # none | full （元） | half (元)
    star: bool = False  # a leading * on required headers (system template)
    shuffled: bool = False
    omitted: tuple[str, ...] = ()
    seq_column: bool = True
    extras: tuple[str, ...] = ()
    two_row: bool = False
    subtotals: bool = False
    total: str | None = None  # 合计 | 总计
    signatures: str | None = None  # line | rows
    blank_rows: int = 0
    seq_only_blank: bool = False
    space_blank: bool = False
    sheet_name: str = "Sheet1"
    note_sheet_first: bool = False
    summary_sheet: bool = False
    wan_yuan: tuple[str, ...] = ()
    forms: dict[str, str] = field(default_factory=dict)  # column type -> main form
    deviation: float = 0.0  # share of cells in another accepted form
    date_format: str = DATE_CELL_FORMATS[0]
    month_format: str = MONTH_CELL_FORMATS[0]
    fault_rate: float = 0.0
    forced_faults: list[tuple] = field(default_factory=list)  # (reason, variant) or ("pair",)
    forced_forms: list[tuple] = field(default_factory=list)  # (type, form, town name | None)
    # Rejected files
    rejection: str | None = None  # the reason the loader must give
    drop_column: str | None = None
    corrupt: bool = False
    copy: str = ""  # "" or a marker distinguishing the two duplicate files

    @property
    def workbook(self) -> bool:
        return self.fmt in WORKBOOK

    @property
    def file_name(self) -> str:
        """Path below inbox/."""
        if self.period_form is None:
            stem = UNDATED_NAMES[self.source]
        else:
            stem = self.name_template.format(p=period_text(self.year, self.month, self.period_form))
        return f"{self.source}/{stem}{self.name_suffix}.{self.fmt}"

    @property
    def loaded(self) -> bool:
        return self.rejection is None


# --------------------------------------------------------------------------- random styles

_DATE_MAIN = {  # main date form by format family
    "workbook": ("cell", "cell", "cell", "iso", "slash", "cn", "serial_number", "compact_text"),
    "csv": ("iso", "iso", "slash", "dot", "cn", "compact_text"),
}
_MONTH_MAIN = {
    "workbook": ("dash", "cn", "cell", "compact", "slash"),
    "csv": ("dash", "cn", "compact", "slash", "dot"),
}


def _random_style(layout: Layout, rng: random.Random, rows: int) -> None:
    src = layout.source
    clerkish = src not in SYSTEM_EXPORTS
    fmt_weights = FORMAT_WEIGHTS.get(src, DEFAULT_FORMATS)
    fmts = [
        f
        for f, _ in fmt_weights
        if not (f == "xls" and rows > XLS_MAX_ROWS) and not (f == "xlsx" and rows > XLSX_MAX_ROWS)
    ]
    weights = [w for f, w in fmt_weights if f in fmts]
    layout.fmt = rng.choices(fmts, weights)[0]
    if layout.fmt == "csv":
        layout.encoding = rng.choice(CSV_ENCODINGS)
    layout.name_template = rng.choice(NAME_TEMPLATES[src])
    layout.period_form = rng.choice(PERIOD_FORMS[layout.kind])
    layout.title_rows = rng.choice((0, 1, 1, 2, 3, 4) if clerkish else (0, 1, 1, 2))
    layout.aliases = {
        "身份证号": rng.choice(ID_ALIASES),
        "镇（街道）": rng.choice(TOWN_ALIASES),
        "行政村": rng.choice(VILLAGE_ALIASES),
    }
    layout.money_unit = rng.choice(("none", "full", "half"))
    layout.star = src == "roster" and rng.random() < 0.3
    layout.shuffled = rng.random() < (0.25 if clerkish else 0.1)
    layout.seq_column = rng.random() < 0.9
    layout.extras = tuple(e for e in _extras(src) if rng.random() < (0.4 if clerkish else 0.15))
    omittable = OMITTABLE.get(src, ())
    layout.omitted = tuple(c for c in omittable if rng.random() < 0.2)
    layout.two_row = (
        layout.workbook and src in GROUPS and not layout.shuffled and rng.random() < 0.3
    )
    layout.subtotals = src in TOWN_SORTED and clerkish and rng.random() < 0.5
    layout.total = rng.choice((None, "合计", "合计", "总计")) if clerkish else None
    layout.signatures = rng.choice((None, "line", "rows")) if clerkish else None
    layout.blank_rows = rng.choice((0, 0, 1, 2, 3)) if clerkish else rng.choice((0, 0, 0, 1))
    layout.sheet_name = rng.choice((SOURCES[src].title, "Sheet1", f"{layout.month}月"))
    layout.summary_sheet = clerkish and layout.workbook and rng.random() < 0.2
    if src == "loans" and rng.random() < 0.3:
        layout.wan_yuan = WAN_YUAN
    family = "workbook" if layout.workbook else "csv"
    layout.forms = {
        "date": rng.choice(_DATE_MAIN[family]),
        "month": rng.choice(_MONTH_MAIN[family]),
        "money": "number" if rng.random() < 0.8 else rng.choice(("comma", "yuan")),
        "yes_no": rng.choice(("cn", "cn", "cn", "yn", "digit", "tick")),
        "town": "full" if rng.random() < 0.75 else "short",
    }
    layout.date_format = rng.choice(DATE_CELL_FORMATS)
    layout.month_format = rng.choice(MONTH_CELL_FORMATS)
    layout.deviation = 0.01 if clerkish else 0.002
    layout.fault_rate = FAULT_RATES.get(src, DEFAULT_FAULT_RATE)


def _extras(source: str) -> tuple[str, ...]:
    """The unknown columns a clerk may add (never one the source declares)."""
    return tuple(e for e in EXTRAS if not SOURCES[source].has(e))


def _decorate(layout: Layout, rng: random.Random) -> None:
    """Clerk-typed header cells: a full-width space inside, spaces around, a line break."""
    if layout.source == "roster" and layout.star:
        return
    candidates = [c.name for c in SOURCES[layout.source].columns if c.name not in layout.omitted]
    for name in rng.sample(candidates, k=min(len(candidates), rng.choice((0, 0, 1, 2, 3)))):
        kinds = ["space"]
        if len(layout.aliases.get(name, name)) == 2:
            kinds.append("ideographic")
        if layout.workbook and len(layout.aliases.get(name, name)) >= 4:
            kinds.append("break")
        layout.decorations[name] = rng.choice(kinds)


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Case:
    """A layout case the loader must meet at least once per county-year."""

    name: str
    has: Callable[[Layout], bool]  # does this file show the case?
    can: Callable[[Layout], bool]  # can it be made to, without losing another case?
    apply: Callable[[Layout], None]


def _set(**changes) -> Callable[[Layout], None]:
    def apply(lo: Layout) -> None:
        for k, v in changes.items():
            setattr(lo, k, v)

    return apply


def _decoration(column: str, deco: str) -> Callable[[Layout], None]:
    def apply(lo: Layout) -> None:
        lo.decorations[column] = deco

    return apply


def _add_extra(extra: str) -> Callable[[Layout], None]:
    def apply(lo: Layout) -> None:
        lo.extras = tuple(e for e in EXTRAS if e in lo.extras or e == extra)

    return apply


def _has_column(lo: Layout, name: str) -> bool:
    return SOURCES[lo.source].has(name) and name not in lo.omitted


def _has_yuan_money(source: str) -> bool:
    return any(c.type == MONEY and c.unit == "元" for c in SOURCES[source].columns)


def _workbook(lo: Layout) -> bool:
    return lo.workbook


def _cases(layouts: list[Layout], rows: dict) -> list[Case]:
    """Every case, in the order they are placed (formats first: they constrain the rest).
    ``can`` never takes the only file showing an earlier case away from it."""

    def shared(pred: Callable[[Layout], bool]) -> Callable[[Layout], bool]:
        # True for a file showing ``pred`` only if another loaded file shows it too.
        return lambda lo: not pred(lo) or sum(pred(x) for x in layouts if x.loaded) > 1

    def fmt_is(fmt, enc=None):
        return lambda lo: lo.fmt == fmt and (enc is None or lo.encoding == enc)

    csv_only = _csv_only(layouts)
    if csv_only:  # every file is CSV already: a case of an encoding takes another's file
        csv_ok = lambda lo: lo.fmt == "csv" and shared(fmt_is("csv", lo.encoding))(lo)  # noqa: E731
    else:
        csv_ok = lambda lo: lo.fmt == "xlsx" and shared(fmt_is("xlsx"))(lo)  # noqa: E731
    money = lambda lo: _has_yuan_money(lo.source)  # noqa: E731
    period_forms = [
        Case(
            f"period form {f} in a file name",
            lambda lo, f=f: lo.period_form == f,
            lambda lo, kind=kind: (
                lo.kind == kind
                and lo.period_form is not None
                and shared(lambda x, p=lo.period_form: x.period_form == p)(lo)
            ),
            _set(period_form=f),
        )
        for kind in ("month", "quarter")
        for f in PERIOD_FORMS[kind]
    ]
    cases = [
        Case(
            ".xls (xlwt)",
            fmt_is("xls"),
            lambda lo: lo.fmt == "xlsx" and rows[(lo.source, lo.index)] <= XLS_MAX_ROWS,
            _set(fmt="xls"),
        ),
        *(
            Case(f"CSV in {enc}", fmt_is("csv", enc), csv_ok, _set(fmt="csv", encoding=enc))
            for enc in ("utf-8", "utf-8-sig", "gb18030")
        ),
        Case(
            "leading blank row above the title",
            lambda lo: lo.leading_blank_row,
            lambda lo: lo.workbook and lo.title_rows > 0,
            _set(leading_blank_row=True),
        ),
        Case(
            "two-row header",
            lambda lo: lo.two_row,
            lambda lo: lo.workbook and lo.source in GROUPS,
            _set(two_row=True, shuffled=False),
        ),
        Case(
            "a merged group over the payers (报销情况)",
            lambda lo: lo.two_row and lo.source == "medical_claims",
            lambda lo: lo.workbook and lo.source == "medical_claims",
            _set(two_row=True, shuffled=False),
        ),
        Case(
            "two-row header in a 人社 ledger",
            lambda lo: lo.two_row and lo.source == "employment",
            lambda lo: lo.workbook and lo.source == "employment",
            _set(two_row=True, shuffled=False),
        ),
        Case(
            "shuffled columns",
            lambda lo: lo.shuffled,
            lambda lo: not lo.two_row,
            _set(shuffled=True),
        ),
        Case(
            "* marks required headers",
            lambda lo: lo.star,
            lambda lo: lo.source == "roster",
            _set(star=True),
        ),
        Case(
            "（元） unit",
            lambda lo: money(lo) and lo.money_unit == "full",
            money,
            _set(money_unit="full"),
        ),
        Case(
            "(元) unit",
            lambda lo: money(lo) and lo.money_unit == "half",
            lambda lo: money(lo) and lo.money_unit != "full",
            _set(money_unit="half"),
        ),
        Case(
            "（万元） columns",
            lambda lo: bool(lo.wan_yuan),
            lambda lo: lo.source == "loans",
            _set(wan_yuan=WAN_YUAN),
        ),
        Case(
            "header with surrounding spaces",
            lambda lo: "space" in lo.decorations.values(),
            lambda lo: not lo.star and _has_column(lo, "户类型"),
            _decoration("户类型", "space"),
        ),
        Case(
            "header with a full-width space",
            lambda lo: "ideographic" in lo.decorations.values(),
            lambda lo: not lo.star and _has_column(lo, "姓名") and "姓名" not in lo.aliases,
            _decoration("姓名", "ideographic"),
        ),
        Case(
            "header with a line break",
            lambda lo: "break" in lo.decorations.values(),
            lambda lo: lo.workbook and not lo.star and _has_column(lo, "身份证号"),
            _decoration("身份证号", "break"),
        ),
        Case("序号 column", lambda lo: lo.seq_column, lambda lo: True, _set(seq_column=True)),
        Case(
            "no 序号 column",
            lambda lo: not lo.seq_column,
            lambda lo: not lo.seq_only_blank and shared(lambda x: x.seq_column)(lo),
            _set(seq_column=False),
        ),
        *(
            Case(
                f"extra column {e}",
                lambda lo, e=e: e in lo.extras,
                lambda lo, e=e: e in _extras(lo.source),
                _add_extra(e),
            )
            for e in EXTRAS
        ),
        Case(
            "optional column left out",
            lambda lo: bool(lo.omitted),
            lambda lo: lo.source in OMITTABLE,
            lambda lo: setattr(lo, "omitted", OMITTABLE[lo.source][:1]),
        ),
        Case("blank rows", lambda lo: lo.blank_rows > 0, lambda lo: True, _set(blank_rows=2)),
        Case(
            "row holding only a 序号",
            lambda lo: lo.seq_only_blank,
            lambda lo: lo.seq_column,
            _set(seq_only_blank=True),
        ),
        Case("row of spaces", lambda lo: lo.space_blank, lambda lo: True, _set(space_blank=True)),
        Case(
            "township 小计 rows",
            lambda lo: lo.subtotals,
            lambda lo: lo.source in TOWN_SORTED,
            _set(subtotals=True),
        ),
        Case(
            "合计 row",
            lambda lo: lo.total == "合计",
            lambda lo: lo.total is None,
            _set(total="合计"),
        ),
        Case(
            "总计 row",
            lambda lo: lo.total == "总计",
            lambda lo: lo.total is None,
            _set(total="总计"),
        ),
        Case(
            "signatures on one row",
            lambda lo: lo.signatures == "line",
            lambda lo: lo.signatures is None,
            _set(signatures="line"),
        ),
        Case(
            "填报人/审核人/负责人 rows",
            lambda lo: lo.signatures == "rows",
            lambda lo: lo.signatures is None,
            _set(signatures="rows"),
        ),
        Case(
            "data sheet named after the title, behind a note sheet",
            lambda lo: lo.note_sheet_first,
            _workbook,
            lambda lo: _set(note_sheet_first=True, sheet_name=SOURCES[lo.source].title)(lo),
        ),
        Case(
            "second sheet after the data",
            lambda lo: lo.summary_sheet,
            lambda lo: lo.workbook and not lo.note_sheet_first,
            _set(summary_sheet=True),
        ),
        Case(
            "no period in the name, a 统计月份 column",
            lambda lo: lo.period_form is None,
            lambda lo: lo.source in ("roster", "loans"),
            _set(period_form=None, period_column=True),
        ),
        *period_forms,
        Case(
            "a date besides the period in the name",
            lambda lo: "-25" in lo.name_suffix,
            lambda lo: lo.kind == "month" and lo.period_form == "cn" and not lo.name_suffix,
            lambda lo: setattr(lo, "name_suffix", f"（{lo.year}-{lo.month:02d}-25报送）"),
        ),
        Case(
            "a digit run besides the period in the name",
            lambda lo: lo.name_suffix.startswith("_"),
            lambda lo: lo.kind == "month" and lo.period_form == "compact" and not lo.name_suffix,
            lambda lo: setattr(lo, "name_suffix", f"_{lo.year}{lo.month:02d}20"),
        ),
        *(
            Case(
                f"title rows: {n}",
                lambda lo, n=n: lo.title_rows == n,
                lambda lo, n=n: (
                    shared(lambda x, t=lo.title_rows: x.title_rows == t)(lo)
                    and not (n == 0 and lo.leading_blank_row)
                ),
                _set(title_rows=n),
            )
            for n in range(6)
        ),
    ]
    return [c for c in cases if c.name not in WORKBOOK_CASES] if csv_only else cases


def _csv_only(layouts: list[Layout]) -> bool:
    """Is the county-year written as CSV (`--format csv`): no loaded file a workbook?"""
    return not any(lo.workbook for lo in layouts if lo.loaded)


def _cover_layout_cases(layouts: list[Layout], rng: random.Random, rows: dict) -> None:
    loaded = [lo for lo in layouts if lo.loaded]
    for case in _cases(layouts, rows):
        if any(case.has(lo) for lo in loaded):
            continue
        fits = [lo for lo in loaded if case.can(lo)]
        if not fits:
            raise RuntimeError(f"no file can show: {case.name}")
        case.apply(rng.choice(fits))
        _fit_format(layouts)


def _fit_format(layouts: list[Layout]) -> None:
    """Drop what a CSV cannot hold (merged cells, sheets, typed cells, line breaks in a
    header, which would shift every line number)."""
    for lo in layouts:
        if lo.workbook:
            lo.encoding = None
            continue
        lo.two_row = lo.leading_blank_row = lo.note_sheet_first = lo.summary_sheet = False
        lo.decorations = {k: v for k, v in lo.decorations.items() if v != "break"}
        for kind, main in (("date", "iso"), ("month", "dash")):
            if lo.forms.get(kind) in ("cell", "serial_number"):
                lo.forms[kind] = main


def missing_cases(layouts: list[Layout], rows: dict) -> list[str]:
    """The layout cases no loaded file shows (empty when the plan is complete)."""
    loaded = [lo for lo in layouts if lo.loaded]
    return [c.name for c in _cases(layouts, rows) if not any(c.has(lo) for lo in loaded)]


def _cover_aliases(layouts: list[Layout], rng: random.Random) -> None:
    """Every alias of 身份证号, 镇（街道） and 行政村 in at least one loaded file."""
    loaded = [lo for lo in layouts if lo.loaded]
    for column, aliases in (
        ("身份证号", ID_ALIASES),
        ("镇（街道）", TOWN_ALIASES),
        ("行政村", VILLAGE_ALIASES),
    ):
        order = [lo for lo in loaded if _has_column(lo, column)]
        rng.shuffle(order)
        for alias, lo in zip(aliases, order, strict=False):
            lo.aliases[column] = alias


# --------------------------------------------------------------------------- forced content

# Every reason at least once, each in a monthly file; the ID stored as a number both as
# a workbook number cell and as CSV scientific notation; all three bad 逾期天数; a row
# with two bad cells. (reason, variant, sources, format family or None)
FORCED_FAULTS = (
    ("missing_required", "", ("roster", "employment"), None),
    ("missing_required", "", ("loans",), None),
    ("id_stored_as_number", "", ("employment", "roster"), "workbook"),
    ("id_stored_as_number", "", ("employment", "roster", "loans"), "csv"),
    ("id_checksum", "", ("roster",), None),
    ("id_checksum", "", ("employment",), None),
    ("id_format", "short", ("employment",), None),
    ("id_format", "letter", ("roster",), None),
    ("id_format", "birth", ("training", "employment"), None),
    ("bad_name", "one", ("employment",), None),
    ("bad_name", "long", ("roster",), None),
    ("unknown_town", "", ("training", "employment"), None),
    ("unknown_town", "", ("roster",), None),
    ("village_not_in_town", "", ("employment",), None),
    ("village_not_in_town", "", ("loans", "roster"), None),
    ("bad_date", "", ("loans",), None),
    ("bad_date", "", ("training", "employment"), None),
    ("bad_month", "", ("employment",), None),
    ("bad_money", "", ("loans",), None),
    ("bad_money", "", ("employment",), None),
    ("bad_integer", "三", ("loans",), None),
    ("bad_integer", "2.5", ("loans",), None),
    ("bad_integer", "-1", ("loans",), None),
    ("bad_yes_no", "", ("training",), None),
    ("bad_yes_no", "", ("roster", "loans"), None),
    ("not_in_code_list", "", ("roster",), None),
    ("not_in_code_list", "", ("employment", "training"), None),
    ("pair", "", ("employment", "roster"), None),
    ("bad_number", "", ("indicators",), None),
    ("unknown_town", "", ("indicators", "projects"), None),
    ("bad_money", "", ("projects",), None),
    ("bad_integer", "-1", ("water_survey",), None),
    ("bad_integer", "", ("insurance",), None),  # a 参保年度 that is not a year
    ("missing_required", "", ("assistance", "insurance"), None),
)

# Every accepted spelling at least once: (type, form, which) — which: the township whose
# short form to show, the village respelling (drop or add 村), the yes/no value, or None.
FORCED_FORMS = (
    ("id_number", "lower_x", None),
    ("id_number", "fullwidth", None),
    ("id_number", "spaces", None),
    ("id_number", "apostrophe", None),
    ("id_number", "old15_text", None),
    ("id_number", "old15_number", None),
    *(
        ("date", f, None)
        for f in (
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
        )
    ),
    *(("month", f, None) for f in ("dash", "slash", "dot", "cn", "compact", "cell", "date_text")),
    *(("money", f, None) for f in ("number", "comma", "yuan", "comma_yuan")),
    *(
        ("yes_no", f, v)
        for f in ("cn", "yn", "yn_lower", "digit", "tick", "tf")
        for v in ("yes", "no")
    ),
    ("code", "spaces", None),
    ("code", "ideographic", None),
    ("town", "short", "土桥镇"),
    ("town", "short", "城关街道"),
    ("town", "code", None),
    ("town", "spaces", None),
    ("village", "alternate", "drop"),
    ("village", "alternate", "add"),
    ("village", "code", None),
    ("name", "inner_space", None),
    ("name", "surround", None),
)
REASON_TYPES = {  # the column type each reason needs (missing_required: any required one)
    "missing_required": "id_number",
    "id_stored_as_number": "id_number",
    "id_checksum": "id_number",
    "id_format": "id_number",
    "bad_name": "name",
    "unknown_town": "town",
    "village_not_in_town": "village",
    "bad_date": "date",
    "bad_month": "month",
    "bad_money": "money",
    "bad_integer": "integer",
    "bad_number": "number",
    "bad_yes_no": "yes_no",
    "not_in_code_list": "code",
}


def _reconciled(lo: Layout) -> bool:
    """A file showing March (``RECONCILED_MONTH``): the year's water points included."""
    return lo.index == 0


def _types(lo: Layout) -> set[str]:
    """The column types the file shows (an omitted optional column shows none)."""
    types = {
        c.type
        for c in SOURCES[lo.source].columns
        if c.name not in lo.omitted and c.name != lo.drop_column
    }
    if "year" in types:
        types.add("integer")  # a year that is not one is bad_integer
    return types


def _place_forced(layouts: list[Layout], rng: random.Random, rows: dict) -> None:
    loaded = [lo for lo in layouts if lo.loaded]
    faultable = [lo for lo in loaded if not _reconciled(lo)]
    csv_only = _csv_only(layouts)
    for reason, variant, sources, family in FORCED_FAULTS:
        if csv_only and family == "workbook":
            continue
        able = [
            lo
            for lo in faultable
            if (reason == "pair" or REASON_TYPES[reason] in _types(lo))
            and (family is None or (family == "workbook") == lo.workbook)
        ]
        # Leave most of a file's rows clean; at tiny scales take whatever has room.
        roomy = [lo for lo in able if rows[(lo.source, lo.index)] > 4 * (len(lo.forced_faults) + 2)]
        fits = roomy or [
            lo for lo in able if rows[(lo.source, lo.index)] > len(lo.forced_faults) + 2
        ]
        if not fits:
            raise RuntimeError(f"no file has room for a {reason} fault")
        for source in sources:  # the sources where the fault is most typical come first
            preferred = [lo for lo in fits if lo.source == source]
            if preferred:
                fits = preferred
                break
        rng.choice(fits).forced_faults.append((reason, variant))
    for ctype, form, which in FORCED_FORMS:
        workbook_only = (ctype, form) in {
            ("id_number", "old15_number"),
            ("date", "cell"),
            ("date", "serial_number"),
            ("date", "compact_number"),
            ("month", "cell"),
        }
        if csv_only and workbook_only:
            continue
        yuan = form in ("yuan", "comma_yuan")  # needs a column declared in 元
        fits = [
            lo
            for lo in loaded
            if ctype in _types(lo)
            and (lo.workbook or not workbook_only)
            and (not yuan or _has_yuan_money(lo.source))
            and rows[(lo.source, lo.index)] >= 40
        ]
        if not fits:  # tiny scales: any file with the column will do
            fits = [
                lo
                for lo in loaded
                if ctype in _types(lo)
                and (lo.workbook or not workbook_only)
                and (not yuan or _has_yuan_money(lo.source))
            ]
        # Forms of IDs, names and places need many rows to find a fitting one.
        fits.sort(key=lambda lo: -rows[(lo.source, lo.index)])
        rng.choice(fits[: max(3, len(fits) // 3)]).forced_forms.append((ctype, form, which))


# --------------------------------------------------------------------------- the plan


def plan_layouts(
    year: int, seed: int, rows: dict[tuple[str, int], int], file_format: str = "mixed"
) -> list[Layout]:
    """One layout per (source, period), two for a duplicated month; ``rows`` gives each
    ledger's row count so formats and forced cases go where they fit. ``file_format`` "csv"
    writes every file as CSV but the deliberately unreadable workbook."""
    rng = random.Random(f"xunyi/{seed}/{year}/layouts")
    layouts: list[Layout] = []
    for source in SOURCES:
        for fp in file_periods(source, year):
            lo = Layout(source, fp.index, year, period=fp.period, kind=fp.kind, month=fp.month)
            _random_style(lo, rng, rows[(source, fp.index)])
            if file_format == "csv" and lo.fmt != "csv":
                lo.fmt, lo.encoding = "csv", rng.choice(CSV_ENCODINGS)
            _decorate(lo, rng)
            if fp.kind == "month":
                lo.rejection = REJECTED.get((source, lo.month))
            if _reconciled(lo):
                lo.fault_rate = 0.0
            layouts.append(lo)
    for lo in list(layouts):
        if lo.rejection == "duplicate_period":
            # The clerk sends a corrected file next to the first one, under another name.
            twin = dataclasses.replace(
                lo,
                aliases=dict(lo.aliases),
                decorations=dict(lo.decorations),
                forms=dict(lo.forms),
                forced_faults=[],
                forced_forms=[],
                copy="（更正）",
            )
            twin.fmt, twin.encoding, twin.two_row = "csv", "gb18030", False
            twin.name_template = NAME_TEMPLATES[lo.source][
                (NAME_TEMPLATES[lo.source].index(lo.name_template) + 1)
                % len(NAME_TEMPLATES[lo.source])
            ]
            twin.name_suffix = "（更正）"
            layouts.append(twin)
        elif lo.rejection == "no_period":
            lo.period_form, lo.period_column = None, False
        elif lo.rejection == "missing_column":
            lo.drop_column = MISSING_COLUMN
        elif lo.rejection == "unreadable":
            lo.corrupt, lo.fmt, lo.encoding = True, "xlsx", None
    _fit_format(layouts)
    _cover_layout_cases(layouts, rng, rows)
    _cover_aliases(layouts, rng)
    for lo in layouts:
        if lo.two_row and lo.shuffled:
            lo.shuffled = False
    missing = missing_cases(layouts, rows)
    if missing:
        raise RuntimeError(f"layout cases not shown: {missing}")
    _place_forced(layouts, rng, rows)
    names = [lo.file_name for lo in layouts]
    if len(set(names)) != len(names):
        raise RuntimeError("two files share a name")
    return layouts


def money_columns(source: str) -> list[str]:
    return [c.name for c in SOURCES[source].columns if c.type == MONEY]
