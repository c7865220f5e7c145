"""The sixteen sources as the contract (spec/extracts.md) declares them.

Written independently of the loader's declarations (``etl/sources.toml``) on purpose: the
generator needs each column's canonical header, its aliases, its type, its unit and whether
it is required (✱) so it can write every spelling the contract allows and break exactly one
rule per bad cell — and a second, independent reading of the contract is what lets the
end-to-end test catch a mistake in either.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column types (as in docs/contract-readings.md).
TEXT, NAME, ID, TOWN, VILLAGE, CODE, DATE, MONTH, MONEY, INTEGER, YES_NO, NUMBER, YEAR = (
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
    "number",
    "year",
)

ID_ALIASES = ("身份证号", "身份证号码", "公民身份号码", "证件号码")
TOWN_ALIASES = ("镇（街道）", "乡镇", "乡镇（街道）", "镇", "所属镇")
VILLAGE_ALIASES = ("行政村", "村", "村（社区）", "所在村")
HOUSEHOLD_KINDS = ("脱贫户", "监测户")
COUNTY_WORD = "全县"  # a township cell that means the whole county (projects, indicators)


@dataclass(frozen=True)
class Column:
    name: str  # the contract's header
    type: str
    required: bool = False
    codes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other accepted headers (the name itself excluded)
    unit: str = "元"  # money: the declared unit (元 or 万元)
    minimum: int | None = None  # integers
    county_allowed: bool = False  # a township column that may say 全县

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Source:
    key: str  # folder name under inbox/
    title: str  # the source's Chinese title (also the preferred sheet name)
    department: str
    columns: tuple[Column, ...]
    frequency: str = "monthly"  # monthly | quarterly | yearly

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)


def _person(name_header: str = "姓名", *aliases: str) -> tuple[Column, ...]:
    return (
        Column(name_header, NAME, True, aliases=aliases),
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
EMPLOYMENT_FORMS = ("省外务工", "省内县外务工", "县内务工", "公益性岗位", "自主创业", "灵活就业")
POST_KINDS = ("乡村公益岗", "护林员", "护河员", "光伏公益岗")
POST_DEPARTMENTS = ("人社局", "林业局", "水利局", "发改局")
POST_PERSON_KINDS = ("脱贫户", "监测户", "低保对象", "其他农村低收入人口")
INSURANCE_STATUSES = ("已参保", "未参保", "异地参保", "参军", "死亡", "服刑")
SUBSIDY_CATEGORIES = (
    "特困人员",
    "孤儿",
    "事实无人抚养儿童",
    "低保对象",
    "监测对象",
    "脱贫人口",
    "无",
)
VISIT_TYPES = ("住院", "门诊慢特病", "普通门诊")
ASSISTANCE_TYPES = ("低保", "特困供养", "临时救助", "困难残疾人生活补贴", "重度残疾人护理补贴")
HOUSING_OBJECTS = ("脱贫户", "监测户", "低保户", "分散供养特困户", "其他")
SAFETY_GRADES = ("A级", "B级", "C级", "D级", "未鉴定")
DISPOSALS = ("已整改", "整改中", "纳入危改", "无需处置")
RENOVATION_GRADES = ("C级", "D级", "无房户")
RENOVATION_METHODS = ("加固改造", "拆除重建", "置换", "其他")
SCHEME_TYPES = ("集中供水工程", "自备水源工程")
TEST_KINDS = ("21项常规检测", "32项全分析", "46项全分析")
TEST_RESULTS = ("合格", "不合格")
PROJECT_CATEGORIES = ("产业发展", "基础设施", "村集体经济", "人居环境", "就业帮扶", "其他")
PROJECT_STATUSES = ("未开工", "在建", "已完工")
# The indicators of spec/kpis.md marked "reported": the 指标编码 the indicators extract carries.
REPORTED_KPIS = (
    "A2-DROPOUT",
    "A2-CHRONIC-SIGN",
    "A2-WATER-PROJECTS",
    "A3-FARMLAND",
    "A3-ORCHARD-DEMO",
    "A3-ORCHARD-RENOV",
    "A3-SHARED-VILLAGE",
    "A3-SHARED-COURTYARD",
    "A3-COURTYARD",
    "A3-COLLECTIVE-100K",
    "A3-NEW-FARMS",
    "A3-NEW-COOPS",
    "A3-CITY-COOPS",
    "A3-CITY-FARMS",
    "A3-HQ-FARMERS",
    "A5-INSPECTIONS",
    "A8-BOC-FUNDS",
    "A8-BOC-TRAINING",
    "A8-ENT-PROJECTS",
    "A8-ENT-DONORS",
    "A9-DEMO-VILLAGES",
    "A9-TOILETS",
    "A9-QIANWAN",
    "A9-PLANS-KEY",
    "A9-PLANS-DEMO",
    "A10-GOVERNANCE",
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
        Column(
            "务工状态",
            CODE,
            False,
            ("务工", "未务工"),
            aliases=("系统务工监测", "务工状态（系统务工监测）"),
        ),
        Column("上年家庭人均纯收入", MONEY),
    ),
)

INCOME = Source(
    "income",
    "收支监测信息",
    "县乡村振兴局",
    (
        Column("户编号", TEXT, True),
        *_person("户主姓名", "姓名"),
        Column("家庭人口数", INTEGER, True, minimum=1),
        Column("工资性收入", MONEY, True),
        Column("经营性收入", MONEY),
        Column("财产性收入", MONEY),
        Column("转移性收入", MONEY),
        Column("生产经营性支出", MONEY, True),
        Column("医疗", MONEY, aliases=("医疗支出",)),
        Column("教育", MONEY, aliases=("教育支出",)),
        Column("采集日期", DATE),
    ),
    frequency="quarterly",
)

EMPLOYMENT = Source(
    "employment",
    "脱贫人口务工台账",
    "县人社局",
    (
        *_person(),
        Column("户类型", CODE, True, HOUSEHOLD_KINDS),
        Column("就业形式", CODE, True, EMPLOYMENT_FORMS),
        Column("务工地点", TEXT, aliases=("务工地点（省/市）",)),
        Column("务工单位", TEXT),
        Column("务工起始月份", MONTH, True),
        Column("月收入", MONEY),
        Column("跨省交通补助", MONEY),
        Column("报送日期", DATE),
    ),
)

PUBLIC_JOBS = Source(
    "public_jobs",
    "乡村公益性岗位台账",
    "县人社局",
    (
        *_person(),
        Column("岗位类别", CODE, True, POST_KINDS),
        Column("主管部门", CODE, True, POST_DEPARTMENTS),
        Column("人员类别", CODE, True, POST_PERSON_KINDS),
        Column("上岗日期", DATE, True),
        Column("离岗日期", DATE),
        Column("月补贴", MONEY, True),
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

INSURANCE = Source(
    "insurance",
    "城乡居民医保参保及资助台账",
    "县医保局",
    (
        *_person(),
        Column("参保年度", YEAR, True),
        Column("参保状态", CODE, True, INSURANCE_STATUSES),
        Column("资助类别", CODE, True, SUBSIDY_CATEGORIES),
        Column("资助金额", MONEY, True),
        Column("参保日期", DATE),
    ),
)

MEDICAL_CLAIMS = Source(
    "medical_claims",
    "医疗费用结算明细",
    "县医保局",
    (
        Column("结算单号", TEXT, True),
        *_person(),
        Column("就诊类型", CODE, True, VISIT_TYPES),
        Column("结算日期", DATE, True),
        Column("医疗机构", TEXT),
        Column("医疗总费用", MONEY, True),
        Column("基本医保", MONEY, True),
        Column("大病保险", MONEY, True),
        Column("医疗救助", MONEY, True),
        Column("其他保障", MONEY),
        Column("个人自付", MONEY, True),
    ),
)

ASSISTANCE = Source(
    "assistance",
    "社会救助对象台账",
    "县民政局",
    (
        *_person(),
        Column("救助类型", CODE, True, ASSISTANCE_TYPES),
        Column("供养方式", CODE, False, ("集中供养", "分散供养")),
        Column("救助状态", CODE, True, ("在保", "停保")),
        Column("月救助金额", MONEY, True),
        Column("起始月份", MONTH, True),
    ),
)

HOUSING_MONITOR = Source(
    "housing_monitor",
    "农村低收入群体住房安全动态监测表",
    "县住建局",
    (
        *_person("户主姓名", "姓名"),
        Column("对象类型", CODE, True, HOUSING_OBJECTS),
        Column("安全等级", CODE, True, SAFETY_GRADES),
        Column("问题描述", TEXT),
        Column("处置情况", CODE, True, DISPOSALS),
        Column("鉴定日期", DATE),
        Column("备注", TEXT),
    ),
)

HOUSING_RENOVATION = Source(
    "housing_renovation",
    "农村危房改造台账",
    "县住建局",
    (
        *_person("户主姓名", "姓名"),
        Column("对象类型", CODE, True, HOUSING_OBJECTS),
        Column("鉴定等级", CODE, True, RENOVATION_GRADES),
        Column("改造方式", CODE, True, RENOVATION_METHODS),
        Column("开工日期", DATE),
        Column("竣工日期", DATE),
        Column("验收日期", DATE),
        Column("补助兑付日期", DATE),
        Column("补助资金", MONEY, True),
    ),
)

WATER_POINTS = Source(
    "water_points",
    "水质检测点及供水工程名录",
    "县水利局",
    (
        Column("检测点编号", TEXT, True),
        Column("检测点名称", TEXT, True),
        Column("镇（街道）", TOWN, True, aliases=TOWN_ALIASES[1:]),
        Column("行政村", VILLAGE, True, aliases=VILLAGE_ALIASES[1:]),
        Column("供水工程名称", TEXT, True),
        Column("工程类型", CODE, True, SCHEME_TYPES),
        Column("是否启用", YES_NO, True),
    ),
    frequency="yearly",
)

WATER_TESTS = Source(
    "water_tests",
    "农村供水水质检测台账",
    "县水利局",
    (
        Column("检测点编号", TEXT, True),
        Column("检测日期", DATE, True),
        Column("检测类别", CODE, True, TEST_KINDS),
        Column("检测结果", CODE, True, TEST_RESULTS),
        Column("不合格指标", TEXT),
    ),
)

WATER_SURVEY = Source(
    "water_survey",
    "农村饮水安全敲门入户排查台账",
    "县水利局",
    (
        Column("镇（街道）", TOWN, True, aliases=TOWN_ALIASES[1:]),
        Column("行政村", VILLAGE, True, aliases=VILLAGE_ALIASES[1:]),
        Column("排查批次", MONTH, True),
        Column("应排查户数", INTEGER, True, minimum=0),
        Column("实排查户数", INTEGER, True, minimum=0),
        Column("发现问题数", INTEGER, True, minimum=0),
        Column("已整改数", INTEGER, True, minimum=0),
    ),
)

LOANS = Source(
    "loans",
    "脱贫人口小额信贷台账",
    "县乡村振兴局",
    (
        Column("贷款合同号", TEXT, True),
        *_person("借款人姓名", "姓名"),
        Column("户类型", CODE, True, HOUSEHOLD_KINDS),
        Column("放款银行", TEXT, True),
        Column("放款日期", DATE, True),
        Column("到期日期", DATE, True),
        Column("贷款金额", MONEY, True),
        Column("贷款余额", MONEY, True),
        Column("逾期金额", MONEY, True),
        Column("逾期天数", INTEGER, True, minimum=0),
        Column("贴息金额", MONEY),
        Column("是否风险补偿", YES_NO, True),
    ),
)

PROJECTS = Source(
    "projects",
    "财政衔接资金项目台账",
    "县乡村振兴局",
    (
        Column("项目编号", TEXT, True),
        Column("项目名称", TEXT, True),
        Column("实施单位", TEXT, True),
        Column("镇（街道）", TOWN, True, aliases=TOWN_ALIASES[1:], county_allowed=True),
        Column("行政村", VILLAGE, False, aliases=VILLAGE_ALIASES[1:]),
        Column("项目类别", CODE, True, PROJECT_CATEGORIES),
        Column("衔接资金", MONEY, True, unit="万元"),
        Column("累计支出", MONEY, True, unit="万元"),
        Column("报账金额", MONEY, unit="万元"),
        Column("开工日期", DATE),
        Column("完工日期", DATE),
        Column("项目状态", CODE, True, PROJECT_STATUSES),
    ),
)

INDICATORS = Source(
    "indicators",
    "重点指标填报表",
    "各牵头部门",
    (
        Column("指标编码", CODE, True, REPORTED_KPIS),
        Column("指标名称", TEXT, True),
        Column("镇（街道）", TOWN, True, aliases=TOWN_ALIASES[1:], county_allowed=True),
        Column("本月完成", NUMBER, True),
        Column("累计完成", NUMBER),
        Column("填报单位", TEXT, True),
        Column("备注", TEXT),
    ),
)

SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        ROSTER,
        INCOME,
        EMPLOYMENT,
        PUBLIC_JOBS,
        TRAINING,
        INSURANCE,
        MEDICAL_CLAIMS,
        ASSISTANCE,
        HOUSING_MONITOR,
        HOUSING_RENOVATION,
        WATER_POINTS,
        WATER_TESTS,
        WATER_SURVEY,
        LOANS,
        PROJECTS,
        INDICATORS,
    )
}

# Every source of the contract: a folder for "no source" must not be one of these.
CONTRACT_SOURCES = tuple(SOURCES)

# The person ledgers (X22): their name column.
NAME_COLUMNS = {
    key: next(c.name for c in s.columns if c.type == NAME)
    for key, s in SOURCES.items()
    if any(c.type == ID for c in s.columns)
}
