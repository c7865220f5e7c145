"""The four generated sources as the contract (spec/extracts.md) declares them.

Written independently of the loader's declarations: the generator needs to know each
column's canonical header, its aliases, its type and whether it is required (✱) so it can
write every spelling the contract allows and break exactly one rule per bad cell.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column types (as in docs/contract-readings.md).
TEXT, NAME, ID, TOWN, VILLAGE, CODE, DATE, MONTH, MONEY, INTEGER, YES_NO = (
    "text",
    "name",
    "id_number",
    "town",
    "village",
    "code",
    "date",
    "month",
    "money",
    "integer",
    "yes_no",
)

ID_ALIASES = ("身份证号", "身份证号码", "公民身份号码", "证件号码")
TOWN_ALIASES = ("镇（街道）", "乡镇", "乡镇（街道）", "镇", "所属镇")
VILLAGE_ALIASES = ("行政村", "村", "村（社区）", "所在村")
HOUSEHOLD_KINDS = ("脱贫户", "监测户")


@dataclass(frozen=True)
class Column:
    name: str  # the contract's header
    type: str
    required: bool = False
    codes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other accepted headers (the name itself excluded)

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Source:
    key: str  # folder name under inbox/
    title: str  # the source's Chinese title (also the preferred sheet name)
    department: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _person(name_header: str = "姓名") -> tuple[Column, ...]:
    return (
        Column(name_header, NAME, True),
        Column("身份证号", ID, True, aliases=ID_ALIASES[1:]),
        Column("镇（街道）", TOWN, True, aliases=TOWN_ALIASES[1:]),
        Column("行政村", VILLAGE, True, aliases=VILLAGE_ALIASES[1:]),
    )


# Code lists the population draws from as well.
MONITOR_CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
RISK_TYPES = (
    "因病",
    "因残",
    "因学",
    "因灾",
    "因意外事故",
    "因务工就业不稳",
    "因产业项目失败",
    "因住房安全",
    "因饮水安全",
    "其他",
)

ROSTER = Source(
    "roster",
    "防返贫监测对象和脱贫人口信息表",
    "县乡村振兴局",
    (
        Column("户编号", TEXT, True),
        *_person(),
        Column(
            "与户主关系", CODE, True, ("户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他")
        ),
        Column("户类型", CODE, True, HOUSEHOLD_KINDS),
        Column("监测对象类别", CODE, False, MONITOR_CATEGORIES),
        Column("主要风险类型", CODE, False, RISK_TYPES),
        Column("风险发现日期", DATE),
        Column("识别认定日期", DATE),
        Column("系统录入日期", DATE),
        Column("风险消除状态", CODE, False, ("未消除", "已消除")),
        Column("风险消除日期", DATE),
        Column("劳动能力", CODE, True, ("有劳动能力", "弱劳动能力", "无劳动能力")),
        Column("是否易地搬迁", YES_NO, True),
        Column("务工状态", CODE, False, ("务工", "未务工")),
        Column("上年家庭人均纯收入", MONEY),
    ),
)

EMPLOYMENT = Source(
    "employment",
    "脱贫人口务工台账",
    "县人社局",
    (
        *_person(),
        Column("户类型", CODE, True, HOUSEHOLD_KINDS),
        Column(
            "就业形式",
            CODE,
            True,
            ("省外务工", "省内县外务工", "县内务工", "公益性岗位", "自主创业", "灵活就业"),
        ),
        Column("务工地点", TEXT),
        Column("务工单位", TEXT),
        Column("务工起始月份", MONTH, True),
        Column("月收入", MONEY),
        Column("跨省交通补助", MONEY),
        Column("报送日期", DATE),
    ),
)

TRAINING = Source(
    "training",
    "脱贫劳动力技能培训台账",
    "县人社局",
    (
        *_person(),
        Column("户类型", CODE, True, HOUSEHOLD_KINDS),
        Column("培训项目", TEXT, True),
        Column("培训工种", TEXT, True),
        Column("培训方式", CODE, True, ("订单式", "定向式", "其他")),
        Column("开班日期", DATE, True),
        Column("结业日期", DATE, True),
        Column("是否结业", YES_NO, True),
        Column("是否取证", YES_NO),
    ),
)

LOANS = Source(
    "loans",
    "脱贫人口小额信贷台账",
    "县乡村振兴局",
    (
        Column("贷款合同号", TEXT, True),
        *_person("借款人姓名"),
        Column("户类型", CODE, True, HOUSEHOLD_KINDS),
        Column("放款银行", TEXT, True),
        Column("放款日期", DATE, True),
        Column("到期日期", DATE, True),
        Column("贷款金额", MONEY, True),
        Column("贷款余额", MONEY, True),
        Column("逾期金额", MONEY, True),
        Column("逾期天数", INTEGER, True),
        Column("贴息金额", MONEY),
        Column("是否风险补偿", YES_NO, True),
    ),
)

SOURCES: dict[str, Source] = {s.key: s for s in (ROSTER, EMPLOYMENT, TRAINING, LOANS)}

# Every source of the contract: a folder for "no source" must not be one of these.
CONTRACT_SOURCES = (
    "roster",
    "income",
    "employment",
    "public_jobs",
    "training",
    "insurance",
    "medical_claims",
    "assistance",
    "housing_monitor",
    "housing_renovation",
    "water_points",
    "water_tests",
    "water_survey",
    "loans",
    "projects",
    "indicators",
)
