"""Tests of the synthetic-data generator (``generator/``).

Besides determinism and isolation, these tests read every generated file back with
python-calamine and the csv module — never with project code — through a small reference
reader written here from ``docs/contract-readings.md`` (header detection, blank and summary
rows, cell rules with their first applicable reason). Whatever that reader finds wrong must
be exactly what ``truth.json`` says, file by file and cell by cell: no bad cell missing from
the truth, no truth entry pointing at a clean cell.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent
SCALE = 0.03

ALL_REASONS = {
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
}
FILE_REASONS = {"missing_column", "no_period", "duplicate_period", "unknown_source", "unreadable"}
CONTRACT_SOURCES = {
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
}
FORBIDDEN = ("etl", "expectations", "warehouse", "dashboard")


# --------------------------------------------------------------------------- fixtures


def _run(out: Path, seed: int) -> dict:
    import generator

    return generator.generate(out, year=2024, seed=seed, scale=SCALE, progress=lambda _m: None)


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("county")
    return out, _run(out, seed=1)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes_other_seed_differs(county, tmp_path):
    first, _ = county
    again = tmp_path / "again"
    _run(again, seed=1)
    a, b = _digest(first), _digest(again)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    other = tmp_path / "other"
    _run(other, seed=2)
    c = _digest(other)
    assert c["truth.json"] != a["truth.json"]
    shared = a.keys() & c.keys()
    assert any(a[k] != c[k] for k in shared if k.endswith((".xlsx", ".csv")))


def test_sharded_county_same_seed_same_bytes(sharded_county, tmp_path):
    """A county-year above its shard scale, simulated by forked processes in two shards and
    merged: the same seed gives the same bytes, truth.json included, whichever shard
    finishes first; the shards' people do not meet."""
    from conftest import generate_sharded

    first = sharded_county[0] / "county"
    again = tmp_path / "again"
    generate_sharded(again)
    a, b = _digest(first), _digest(again)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert not (again / ".shards").exists()
    assert {Path(k).suffix for k in a if k.startswith("inbox/")} == {".csv", ".xlsx", ".docx"}
    # every household key carries its shard's tag after the village code, and both shards
    # hold people of the roster
    roster = sorted((again / "inbox" / "roster").glob("*.csv"))[0]
    rows = list(csv.reader(roster.read_bytes().decode(_encoding(roster)).splitlines()))
    header = next(r for r in rows if "户编号" in r)
    column = header.index("户编号")
    keys = [r[column] for r in rows[rows.index(header) + 1 :] if re.fullmatch(r"\d{18}", r[column])]
    assert {k[12:14] for k in keys} == {"00", "01"}, keys[:5]


def _encoding(path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            path.read_bytes().decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError(path)


def test_truth_json_is_sorted_and_utf8(county):
    out, truth = county
    text = (out / "truth.json").read_text(encoding="utf-8")
    assert text == json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert truth["kpis"] == sorted(
        truth["kpis"],
        key=lambda k: (
            k["kpi_code"],
            k["period"],
            k["level"],
            k["town_code"] or "",
            k["village_code"] or "",
        ),
    )
    assert (truth["seed"], truth["year"], truth["scale"]) == (1, 2024, SCALE)
    assert truth["quarantine"] == sorted(
        truth["quarantine"],
        key=lambda q: (
            q["source"],
            q["period"],
            q["file_name"],
            q["row_number"],
            q["column_name"],
            q["reason_code"],
        ),
    )


# --------------------------------------------------------------------------- isolation


def test_generator_imports_nothing_of_the_reader():
    for path in sorted((ROOT / "generator").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
                assert name.split(".")[0] in {
                    "__future__",
                    "argparse",
                    "array",
                    "calendar",
                    "bisect",
                    "collections",
                    "concurrent",
                    "copy",
                    "functools",
                    "gc",
                    "hashlib",
                    "heapq",
                    "itertools",
                    "math",
                    "csv",
                    "dataclasses",
                    "datetime",
                    "decimal",
                    "io",
                    "json",
                    "multiprocessing",
                    "os",
                    "pathlib",
                    "pickle",
                    "random",
                    "shutil",
                    "sys",
                    "time",
                    "traceback",
                    "typing",
                    "zipfile",
                    "xlsxwriter",
                    "xlwt",
                }, f"{path.name} imports {name}: stdlib, xlsxwriter and xlwt only"


def test_generate_loads_no_reader_module(tmp_path):
    code = (
        "import sys, generator\n"
        f"generator.generate({str(tmp_path)!r}, scale=0.02, progress=lambda m: None)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cli_writes_inbox_and_truth(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "--out",
            str(tmp_path),
            "--scale",
            "0.02",
            "--seed",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == 3
    assert {p.name for p in (tmp_path / "inbox").iterdir()} >= {
        "roster",
        "employment",
        "training",
        "loans",
    }


# --------------------------------------------------------------------------- coverage


def test_truth_covers_every_reason(county):
    _, truth = county
    reasons = Counter(q["reason_code"] for q in truth["quarantine"])
    assert set(reasons) == ALL_REASONS
    assert {r["reason_code"] for r in truth["rejected_files"]} == FILE_REASONS
    # A row with two bad cells: two truth entries, one row.
    rows = Counter((q["file_name"], q["row_number"]) for q in truth["quarantine"])
    assert max(rows.values()) >= 2
    # Every reason in a ledger file of the year; none in the files showing March.
    for q in truth["quarantine"]:
        assert q["source"] in CONTRACT_SOURCES
        assert re.fullmatch(r"2024-(0[4-9]|1[0-2]|Q[2-4])", q["period"]), q
    dup = [r for r in truth["rejected_files"] if r["reason_code"] == "duplicate_period"]
    assert len(dup) == 2 and dup[0]["source"] == dup[1]["source"]
    unknown = [r for r in truth["rejected_files"] if r["reason_code"] == "unknown_source"]
    assert all(r["source"] not in CONTRACT_SOURCES for r in unknown)
    unreadable = {
        Path(r["file_name"]).suffix
        for r in truth["rejected_files"]
        if r["reason_code"] == "unreadable"
    }
    assert {".xlsx", ".docx"} <= unreadable


def test_truth_points_at_real_files(county):
    out, truth = county
    inbox = out / "inbox"
    for entry in truth["quarantine"] + truth["rejected_files"]:
        assert (inbox / entry["file_name"]).is_file(), entry
        assert entry["file_name"].split("/")[0] == entry["source"]
    rejected = {r["file_name"] for r in truth["rejected_files"]}
    assert not any(q["file_name"] in rejected for q in truth["quarantine"])


def test_formats_and_layouts_shown(county):
    out, _ = county
    inbox = out / "inbox"
    files = [p for p in inbox.rglob("*") if p.is_file()]
    suffixes = Counter(p.suffix for p in files)
    assert suffixes[".xlsx"] and suffixes[".xls"] and suffixes[".csv"]
    encodings = set()
    for p in files:
        if p.suffix == ".csv":
            data = p.read_bytes()
            if data.startswith(b"\xef\xbb\xbf"):
                encodings.add("utf-8-sig")
            else:
                try:
                    data.decode("utf-8")
                    encodings.add("utf-8")
                except UnicodeDecodeError:
                    encodings.add("gb18030")
    assert encodings == {"utf-8", "utf-8-sig", "gb18030"}
    names = " ".join(p.name for p in files)
    for pattern in (r"2024-\d\d(?!-)", r"(?<!\d)2024\d\d(?!\d)", r"2024年\d月", r"2024年\d\d月"):
        assert re.search(pattern, names), pattern


# --------------------------------------------------------------------------- reference reader
# Written from docs/contract-readings.md, independently of the generator and of etl/.

YES_NO = {"是", "否", "Y", "N", "y", "n", "1", "0", "√", "×", "true", "false"}


def _col(name, kind, required=False, codes=(), aliases=(), unit="元", minimum=None, county=False):
    return {
        "name": name,
        "type": kind,
        "required": required,
        "codes": set(codes),
        "headers": (name, *aliases),
        "unit": unit,  # money: the declared unit
        "minimum": minimum,  # integers
        "county": county,  # a township cell that may say 全县
    }


ID_ALIASES = ("身份证号码", "公民身份号码", "证件号码")
TOWN_ALIASES = ("乡镇", "乡镇（街道）", "镇", "所属镇")
VILLAGE_ALIASES = ("村", "村（社区）", "所在村")


def _person(name="姓名", *aliases):
    return [
        _col(name, "name", True, aliases=aliases),
        _col("身份证号", "id", True, aliases=ID_ALIASES),
        _col("镇（街道）", "town", True, aliases=TOWN_ALIASES),
        _col("行政村", "village", True, aliases=VILLAGE_ALIASES),
    ]


def _place(county=False, village_required=True):
    return [
        _col("镇（街道）", "town", True, aliases=TOWN_ALIASES, county=county),
        _col("行政村", "village", village_required, aliases=VILLAGE_ALIASES),
    ]


KINDS = ("脱贫户", "监测户")
HOUSING_OBJECTS = ("脱贫户", "监测户", "低保户", "分散供养特困户", "其他")
REPORTED = (
    "A2-DROPOUT A2-CHRONIC-SIGN A2-WATER-PROJECTS A3-FARMLAND A3-ORCHARD-DEMO A3-ORCHARD-RENOV "
    "A3-SHARED-VILLAGE A3-SHARED-COURTYARD A3-COURTYARD A3-COLLECTIVE-100K A3-NEW-FARMS "
    "A3-NEW-COOPS A3-CITY-COOPS A3-CITY-FARMS A3-HQ-FARMERS A5-INSPECTIONS A8-BOC-FUNDS "
    "A8-BOC-TRAINING A8-ENT-PROJECTS A8-ENT-DONORS A9-DEMO-VILLAGES A9-TOILETS A9-QIANWAN "
    "A9-PLANS-KEY A9-PLANS-DEMO A10-GOVERNANCE"
).split()
# source -> (title, columns, frequency): the contract (spec/extracts.md), read independently.
SOURCES = {
    "roster": (
        "防返贫监测对象和脱贫人口信息表",
        [
            _col("户编号", "text", True),
            *_person(),
            _col(
                "与户主关系",
                "code",
                True,
                ("户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他"),
            ),
            _col("户类型", "code", True, KINDS),
            _col("监测对象类别", "code", False, ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")),
            _col(
                "主要风险类型",
                "code",
                False,
                (
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
                ),
            ),
            _col("风险发现日期", "date"),
            _col("识别认定日期", "date"),
            _col("系统录入日期", "date"),
            _col("风险消除状态", "code", False, ("未消除", "已消除")),
            _col("风险消除日期", "date"),
            _col("劳动能力", "code", True, ("有劳动能力", "弱劳动能力", "无劳动能力")),
            _col("是否易地搬迁", "yes_no", True),
            _col(
                "务工状态",
                "code",
                False,
                ("务工", "未务工"),
                aliases=("系统务工监测", "务工状态（系统务工监测）"),
            ),
            _col("上年家庭人均纯收入", "money"),
        ],
        "monthly",
    ),
    "income": (
        "收支监测信息",
        [
            _col("户编号", "text", True),
            *_person("户主姓名", "姓名"),
            _col("家庭人口数", "integer", True, minimum=1),
            _col("工资性收入", "money", True),
            _col("经营性收入", "money"),
            _col("财产性收入", "money"),
            _col("转移性收入", "money"),
            _col("生产经营性支出", "money", True),
            _col("医疗", "money", aliases=("医疗支出",)),
            _col("教育", "money", aliases=("教育支出",)),
            _col("采集日期", "date"),
        ],
        "quarterly",
    ),
    "employment": (
        "脱贫人口务工台账",
        [
            *_person(),
            _col("户类型", "code", True, KINDS),
            _col(
                "就业形式",
                "code",
                True,
                ("省外务工", "省内县外务工", "县内务工", "公益性岗位", "自主创业", "灵活就业"),
            ),
            _col("务工地点", "text", aliases=("务工地点（省/市）", "务工地点(省/市)")),
            _col("务工单位", "text"),
            _col("务工起始月份", "month", True),
            _col("月收入", "money"),
            _col("跨省交通补助", "money"),
            _col("报送日期", "date"),
        ],
        "monthly",
    ),
    "public_jobs": (
        "乡村公益性岗位台账",
        [
            *_person(),
            _col("岗位类别", "code", True, ("乡村公益岗", "护林员", "护河员", "光伏公益岗")),
            _col("主管部门", "code", True, ("人社局", "林业局", "水利局", "发改局")),
            _col("人员类别", "code", True, ("脱贫户", "监测户", "低保对象", "其他农村低收入人口")),
            _col("上岗日期", "date", True),
            _col("离岗日期", "date"),
            _col("月补贴", "money", True),
        ],
        "monthly",
    ),
    "training": (
        "脱贫劳动力技能培训台账",
        [
            *_person(),
            _col("户类型", "code", True, KINDS),
            _col("培训项目", "text", True),
            _col("培训工种", "text", True),
            _col("培训方式", "code", True, ("订单式", "定向式", "其他")),
            _col("开班日期", "date", True),
            _col("结业日期", "date", True),
            _col("是否结业", "yes_no", True),
            _col("是否取证", "yes_no"),
        ],
        "monthly",
    ),
    "insurance": (
        "城乡居民医保参保及资助台账",
        [
            *_person(),
            _col("参保年度", "year", True),
            _col(
                "参保状态", "code", True, ("已参保", "未参保", "异地参保", "参军", "死亡", "服刑")
            ),
            _col(
                "资助类别",
                "code",
                True,
                ("特困人员", "孤儿", "事实无人抚养儿童", "低保对象", "监测对象", "脱贫人口", "无"),
            ),
            _col("资助金额", "money", True),
            _col("参保日期", "date"),
        ],
        "monthly",
    ),
    "medical_claims": (
        "医疗费用结算明细",
        [
            _col("结算单号", "text", True),
            *_person(),
            _col("就诊类型", "code", True, ("住院", "门诊慢特病", "普通门诊")),
            _col("结算日期", "date", True),
            _col("医疗机构", "text"),
            _col("医疗总费用", "money", True),
            _col("基本医保", "money", True),
            _col("大病保险", "money", True),
            _col("医疗救助", "money", True),
            _col("其他保障", "money"),
            _col("个人自付", "money", True),
        ],
        "monthly",
    ),
    "assistance": (
        "社会救助对象台账",
        [
            *_person(),
            _col(
                "救助类型",
                "code",
                True,
                ("低保", "特困供养", "临时救助", "困难残疾人生活补贴", "重度残疾人护理补贴"),
            ),
            _col("供养方式", "code", False, ("集中供养", "分散供养")),
            _col("救助状态", "code", True, ("在保", "停保")),
            _col("月救助金额", "money", True),
            _col("起始月份", "month", True),
        ],
        "monthly",
    ),
    "housing_monitor": (
        "农村低收入群体住房安全动态监测表",
        [
            *_person("户主姓名", "姓名"),
            _col("对象类型", "code", True, HOUSING_OBJECTS),
            _col("安全等级", "code", True, ("A级", "B级", "C级", "D级", "未鉴定")),
            _col("问题描述", "text"),
            _col("处置情况", "code", True, ("已整改", "整改中", "纳入危改", "无需处置")),
            _col("鉴定日期", "date"),
            _col("备注", "text"),
        ],
        "monthly",
    ),
    "housing_renovation": (
        "农村危房改造台账",
        [
            *_person("户主姓名", "姓名"),
            _col("对象类型", "code", True, HOUSING_OBJECTS),
            _col("鉴定等级", "code", True, ("C级", "D级", "无房户")),
            _col("改造方式", "code", True, ("加固改造", "拆除重建", "置换", "其他")),
            _col("开工日期", "date"),
            _col("竣工日期", "date"),
            _col("验收日期", "date"),
            _col("补助兑付日期", "date"),
            _col("补助资金", "money", True),
        ],
        "monthly",
    ),
    "water_points": (
        "水质检测点及供水工程名录",
        [
            _col("检测点编号", "text", True),
            _col("检测点名称", "text", True),
            *_place(),
            _col("供水工程名称", "text", True),
            _col("工程类型", "code", True, ("集中供水工程", "自备水源工程")),
            _col("是否启用", "yes_no", True),
        ],
        "yearly",
    ),
    "water_tests": (
        "农村供水水质检测台账",
        [
            _col("检测点编号", "text", True),
            _col("检测日期", "date", True),
            _col("检测类别", "code", True, ("21项常规检测", "32项全分析", "46项全分析")),
            _col("检测结果", "code", True, ("合格", "不合格")),
            _col("不合格指标", "text"),
        ],
        "monthly",
    ),
    "water_survey": (
        "农村饮水安全敲门入户排查台账",
        [
            *_place(),
            _col("排查批次", "month", True),
            _col("应排查户数", "integer", True, minimum=0),
            _col("实排查户数", "integer", True, minimum=0),
            _col("发现问题数", "integer", True, minimum=0),
            _col("已整改数", "integer", True, minimum=0),
        ],
        "monthly",
    ),
    "loans": (
        "脱贫人口小额信贷台账",
        [
            _col("贷款合同号", "text", True),
            *_person("借款人姓名", "姓名"),
            _col("户类型", "code", True, KINDS),
            _col("放款银行", "text", True),
            _col("放款日期", "date", True),
            _col("到期日期", "date", True),
            _col("贷款金额", "money", True),
            _col("贷款余额", "money", True),
            _col("逾期金额", "money", True),
            _col("逾期天数", "integer", True, minimum=0),
            _col("贴息金额", "money"),
            _col("是否风险补偿", "yes_no", True),
        ],
        "monthly",
    ),
    "projects": (
        "财政衔接资金项目台账",
        [
            _col("项目编号", "text", True),
            _col("项目名称", "text", True),
            _col("实施单位", "text", True),
            *_place(county=True, village_required=False),
            _col(
                "项目类别",
                "code",
                True,
                ("产业发展", "基础设施", "村集体经济", "人居环境", "就业帮扶", "其他"),
            ),
            _col("衔接资金", "money", True, unit="万元"),
            _col("累计支出", "money", True, unit="万元"),
            _col("报账金额", "money", unit="万元"),
            _col("开工日期", "date"),
            _col("完工日期", "date"),
            _col("项目状态", "code", True, ("未开工", "在建", "已完工")),
        ],
        "monthly",
    ),
    "indicators": (
        "重点指标填报表",
        [
            _col("指标编码", "code", True, REPORTED),
            _col("指标名称", "text", True),
            _col("镇（街道）", "town", True, aliases=TOWN_ALIASES, county=True),
            _col("本月完成", "number", True),
            _col("累计完成", "number"),
            _col("填报单位", "text", True),
            _col("备注", "text"),
        ],
        "monthly",
    ),
}
assert set(SOURCES) == CONTRACT_SOURCES
COUNTY_CODE = "610429"


def _gazetteer():
    towns, villages = {}, {}
    with open(ROOT / "etl" / "reference" / "gazetteer.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            towns[row["town_code"]] = row["town_name"]
            villages.setdefault(row["town_code"], []).append(
                (row["village_code"], row["village_name"])
            )
    lookup = {}
    for code, name in towns.items():
        short = re.sub(r"(街道|镇)$", "", name)
        for key in (name, short, code):
            lookup[key] = code
    return lookup, villages


TOWN_LOOKUP, VILLAGES = _gazetteer()


def _norm_header(text) -> str:
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"\s", "", text).lstrip("*✱")
    return re.sub(r"\((万元|元)\)$", "", text)


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def _text(v) -> str:
    return unicodedata.normalize("NFKC", v).strip() if isinstance(v, str) else v


def _real_date(y, m, d) -> bool:
    try:
        day = dt.date(int(y), int(m), int(d))
    except ValueError:
        return False
    return 1900 <= day.year <= 2100


def _check_id(v) -> str | None:
    if isinstance(v, float | int):
        digits = str(int(v))
        if len(digits) >= 16:
            return "id_stored_as_number"
        v = digits
    s = re.sub(r"\s", "", _text(v)).lstrip("'").upper()
    if re.fullmatch(r"\d(\.\d+)?E\+?\d+", s):
        return "id_stored_as_number"
    if re.fullmatch(r"\d{15}", s):
        body = s[:6] + "19" + s[6:]
        s = body + _check_digit(body)
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return "id_format"
    if (
        not _real_date(s[6:10], s[10:12], s[12:14])
        or dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14])) > dt.date.today()
    ):
        return "id_format"
    if _check_digit(s[:17]) != s[17]:
        return "id_checksum"
    return None


def _check_digit(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def _is_date(v) -> bool:
    if isinstance(v, dt.datetime):
        return v.time() == dt.time(0)
    if isinstance(v, dt.date):
        return True
    if isinstance(v, float | int):
        if v != int(v):
            return False
        v = str(int(v))
    s = _text(v)
    if re.fullmatch(r"\d{8}", s):
        return _real_date(s[:4], s[4:6], s[6:])
    if re.fullmatch(r"\d{1,7}", s):
        return 1 <= int(s) <= 2958465
    s = re.sub(r" 00:00:00$", "", s)
    for pattern in (
        r"(\d{4})-(\d{2})-(\d{2})",
        r"(\d{4})/(\d{1,2})/(\d{1,2})",
        r"(\d{4})\.(\d{1,2})\.(\d{1,2})",
        r"(\d{4})年(\d{1,2})月(\d{1,2})日",
    ):
        m = re.fullmatch(pattern, s)
        if m:
            return _real_date(*m.groups())
    return False


def _is_month(v) -> bool:
    if isinstance(v, str):
        s = _text(v)
        for pattern in (
            r"(\d{4})-(\d{2})",
            r"(\d{4})/(\d{1,2})",
            r"(\d{4})\.(\d{1,2})",
            r"(\d{4})年(\d{1,2})月",
            r"(\d{4})(\d{2})",
        ):
            m = re.fullmatch(pattern, s)
            if m:
                return 1900 <= int(m[1]) <= 2100 and 1 <= int(m[2]) <= 12
    return _is_date(v)


def _is_money(v) -> bool:
    if isinstance(v, float | int):
        return True
    s = _text(v)
    return re.fullmatch(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?元?", s) is not None


def _is_integer(v, minimum=None) -> bool:
    if isinstance(v, float | int):
        value = v if v == int(v) else None
    else:
        s = _text(v)
        value = float(s) if re.fullmatch(r"[+-]?\d+(\.0+)?", s) else None
    return value is not None and (minimum is None or value >= minimum)


def _is_number(v) -> bool:
    if isinstance(v, float | int):
        return True
    return re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", _text(v).replace(",", "")) is not None


def _is_year(v) -> bool:
    if isinstance(v, float | int):
        return v == int(v) and 1900 <= v <= 2100
    s = _text(v)
    return re.fullmatch(r"\d{4}(\.0+)?", s) is not None and 1900 <= float(s) <= 2100


def _cell_reason(col, v, town_code) -> str | None:
    if _blank(v):
        return "missing_required" if col["required"] else None
    kind = col["type"]
    if kind == "id":
        return _check_id(v)
    if kind == "name":
        return None if 2 <= len(re.sub(r"\s", "", _text(v))) <= 20 else "bad_name"
    if kind == "town":
        if col["county"] and _text(v) == "全县":
            return None
        return None if _text(v) in TOWN_LOOKUP else "unknown_town"
    if kind == "village":
        if town_code is None or town_code == COUNTY_CODE:
            return None
        s = _text(v)
        # Both ways: 太村 is 太村村 without its trailing 村, 邓家沟村 is 邓家沟 with one.
        names = {s, s + "村"} | ({s[:-1]} if s.endswith("村") else set())
        ok = any(code == s or name in names for code, name in VILLAGES[town_code])
        return None if ok else "village_not_in_town"
    if kind == "date":
        return None if _is_date(v) else "bad_date"
    if kind == "month":
        return None if _is_month(v) else "bad_month"
    if kind == "money":
        return None if _is_money(v) else "bad_money"
    if kind == "integer":
        return None if _is_integer(v, col["minimum"]) else "bad_integer"
    if kind == "year":
        return None if _is_year(v) else "bad_integer"
    if kind == "number":
        return None if _is_number(v) else "bad_number"
    if kind == "yes_no":
        s = _text(v) if isinstance(v, str) else str(int(v))
        return None if s in YES_NO else "bad_yes_no"
    if kind == "code":
        return None if isinstance(v, str) and _text(v) in col["codes"] else "not_in_code_list"
    return None


EXCEL_EPOCH = dt.date(1899, 12, 30)


def _to_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = str(int(v)) if isinstance(v, float | int) else _text(v)
    if re.fullmatch(r"\d{8}", s):
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    if re.fullmatch(r"\d{1,7}", s):
        return EXCEL_EPOCH + dt.timedelta(days=int(s))
    y, m, d = re.fullmatch(r"(\d{4})\D(\d{1,2})\D(\d{1,2})日?(?: 00:00:00)?", s).groups()
    return dt.date(int(y), int(m), int(d))


def _to_money(v, written: str | None, declared: str) -> Decimal:
    """In the column's declared unit: a header stating the other unit converts."""
    if isinstance(v, float | int):
        amount = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    else:
        amount = Decimal(_text(v).replace(",", "").removesuffix("元"))
    if written is None or written == declared:
        return amount
    return amount * 10000 if written == "万元" else amount / 10000


def _to_month(v) -> str:
    if isinstance(v, str):
        m = re.fullmatch(r"(\d{4})(?:[-/.]|年)?(\d{1,2})月?", _text(v))
        if m:
            return f"{m[1]}-{int(m[2]):02d}"
    return f"{_to_date(v):%Y-%m}"


def _to_id(v) -> str:
    s = str(int(v)) if isinstance(v, float | int) else re.sub(r"\s", "", _text(v))
    s = s.lstrip("'").upper()
    if len(s) == 15:
        body = s[:6] + "19" + s[6:]
        s = body + _check_digit(body)
    return s


def _to_village(v, town_code: str) -> str:
    s = _text(v) if isinstance(v, str) else str(int(v))
    candidates = VILLAGES[town_code]
    for code, name in candidates:  # a code or the exact name first, then ± 村
        if s in (code, name):
            return code
    names = {s, s + "村"} | ({s[:-1]} if s.endswith("村") else set())
    (code,) = [code for code, name in candidates if name in names]
    return code


def _value(col, v, town_code, unit):
    """A valid cell's value as the loader stores it (generator/facts.py's types)."""
    kind = col["type"]
    if kind == "id":
        return _to_id(v)
    if kind == "town":
        return town_code
    if kind == "village":  # not looked up under an unknown township (the row is bad)
        return None if town_code in (None, COUNTY_CODE) else _to_village(v, town_code)
    if kind == "month":
        return _to_month(v)
    if kind == "name":  # stored without spaces (王 芳 is 王芳)
        return re.sub(r"\s", "", _text(v))
    if kind in ("integer", "year"):
        return int(float(_text(v))) if isinstance(v, str) else int(v)
    if kind == "number":
        if isinstance(v, float | int):
            return Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        return Decimal(_text(v).replace(",", ""))
    if kind == "code":
        return _text(v)
    if kind == "yes_no":
        s = _text(v) if isinstance(v, str) else str(int(v))
        return s in ("是", "Y", "y", "1", "√", "true")
    if kind == "money":
        return _to_money(v, unit, col["unit"])
    if kind == "date":
        return _to_date(v)
    return _text(v) if isinstance(v, str) else v


def _form_of(kind: str, v, town_code) -> str:
    """Which accepted spelling a valid cell uses (for the showcase test)."""
    if kind == "id":
        if not isinstance(v, str):
            return "number"
        if v.startswith("'"):
            return "apostrophe"
        if re.search("[０-９]", v):
            return "fullwidth"
        if " " in v:
            return "spaces"
        if v.endswith("x"):
            return "lower_x"
        return "15 digits" if len(v) == 15 else "plain"
    if kind in ("date", "month"):
        if isinstance(v, dt.date):
            return "date cell"
        if not isinstance(v, str):
            return "yyyymmdd number" if len(str(int(v))) == 8 else "serial number"
        month_forms = (
            ("yyyy-mm", r"\d{4}-\d\d"),
            ("yyyy/m", r"\d{4}/\d+"),
            ("yyyy.m", r"\d{4}\.\d+"),
            ("yyyy年m月", r"\d{4}年\d+月"),
            ("yyyymm", r"\d{6}"),
        )
        date_forms = (
            ("yyyy-mm-dd", r"\d{4}-\d\d-\d\d"),
            ("yyyy/m/d", r"\d{4}/\d+/\d+"),
            ("yyyy.m.d", r"\d{4}\.\d+\.\d+"),
            ("yyyy年m月d日", r"\d{4}年\d+月\d+日"),
            ("yyyymmdd text", r"\d{8}"),
            ("serial text", r"\d{1,7}"),
            ("date-time", r".* 00:00:00"),
        )
        for form, pattern in (month_forms if kind == "month" else ()) + date_forms:
            if re.fullmatch(pattern, v):
                return form
        return "other"
    if kind == "money":
        if not isinstance(v, str):
            return "number"
        return ("," if "," in v else "") + ("元" if v.endswith("元") else "") or "text"
    if kind == "yes_no":
        return v if isinstance(v, str) else str(int(v))
    if kind == "code":
        return (
            "ideographic space"
            if v.startswith("\u3000")
            else "spaces"
            if v != v.strip()
            else "plain"
        )
    if kind == "town":
        if v != v.strip():
            return "spaces"
        return (
            "code"
            if v.isdigit()
            else "short " + v
            if v in ("土桥", "城关")
            else "full"
            if v.endswith(("镇", "街道"))
            else "short"
        )
    if kind == "village":
        if v.isdigit():
            return "code"
        if town_code is None:  # not looked up: the row's township is unknown
            return "unchecked"
        exact = {name for _code, name in VILLAGES[town_code]}
        if v in exact:
            return "exact"
        return "村 added" if v.endswith("村") and v[:-1] in exact else "村 dropped"
    if kind == "name":
        return "spaces" if v != v.strip() else "inner space" if " " in v else "plain"
    return "plain"


def _periods_in_name(name: str, frequency: str = "monthly") -> set[str]:
    months = set()
    for m in re.finditer(r"(?<!\d)(\d{4})-(\d{2})(?![\d-])", name):
        months.add(f"{m[1]}-{m[2]}")
    for m in re.finditer(r"(?<!\d)(\d{4})(\d{2})(?!\d)", name):
        months.add(f"{m[1]}-{m[2]}")
    for m in re.finditer(r"(\d{4})年(\d{1,2})月", name):
        months.add(f"{m[1]}-{int(m[2]):02d}")
    if frequency == "quarterly":
        quarters = {f"{p[:4]}-Q{(int(p[5:]) - 1) // 3 + 1}" for p in months}
        for m in re.finditer(r"(\d{4})-?Q([1-4])", name):
            quarters.add(f"{m[1]}-Q{m[2]}")
        for m in re.finditer(r"(\d{4})年第([1-4一二三四])季度", name):
            quarters.add(f"{m[1]}-Q{'一二三四'.index(m[2]) + 1 if m[2] in '一二三四' else m[2]}")
        return quarters
    if frequency == "yearly":
        years = {p[:4] + "-01" for p in months}
        if not years:
            years = {f"{m[1]}-01" for m in re.finditer(r"(?<!\d)(\d{4})年?(?!\d)", name)}
        return years
    return months


def _sheet_rows(path: Path, title: str) -> list[list]:
    if path.suffix == ".csv":
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
        text = text.removeprefix("\ufeff")
        rows = list(csv.reader(text.splitlines()))
        return [[c if c != "" else None for c in r] for r in rows]
    wb = CalamineWorkbook.from_path(str(path))
    names = [n for n in wb.sheet_names if n.strip() == title] or wb.sheet_names[:1]
    rows = wb.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
    return [[None if c == "" else c for c in r] for r in rows]


def _read(path: Path, source: str, info: dict | None = None):
    """(status, bad cells {(row, column, reason)}, period) as the readings prescribe.
    ``info`` collects what the file shows: header shape, summary rows, cell forms."""
    info = {} if info is None else info
    title, columns, _frequency = SOURCES[source]
    rows = _sheet_rows(path, title)
    by_header = {_norm_header(h): c for c in columns for h in c["headers"]}
    nonblank = [i for i, r in enumerate(rows) if any(not _blank(v) for v in r)][:7]

    def names(cells):
        return {
            by_header[_norm_header(v)]["name"]
            for v in cells
            if not _blank(v) and _norm_header(v) in by_header
        }

    best = max(nonblank, key=lambda i: (len(names(rows[i])), -i))
    header = list(rows[best])
    start = best + 1
    if best + 1 < len(rows):
        lower = rows[best + 1]
        merged = [
            lo if not _blank(lo) else up
            for up, lo in zip(header, lower + [None] * len(header), strict=False)
        ]
        if len(names(merged)) > len(names(header)):
            header, start = merged, best + 2
            info["two_row"] = True
    info["title_rows"] = sum(1 for i in nonblank if i < best)
    info["leading_blank"] = best > 0 and all(_blank(v) for v in rows[0])
    info["headers"] = [h for h in header if not _blank(h)]
    loaded = info.setdefault("rows", [])  # the rows that load, their values typed
    forms = info.setdefault("forms", set())
    labels = info.setdefault("labels", set())
    slots = {}
    period_col = None
    seq_col = None
    for k, h in enumerate(header):
        if _blank(h):
            continue
        key = _norm_header(h)
        if key in by_header and by_header[key]["name"] not in {
            c["name"] for c, _, _ in slots.values()
        }:
            written = re.search(r"[（(](万元|元)[)）]$", re.sub(r"\s", "", str(h)))
            slots[k] = (by_header[key], h, written[1] if written else None)
        elif key in ("统计月份", "统计期"):
            period_col = k
        elif key == "序号":
            seq_col = k
    present = {c["name"] for c, _, _ in slots.values()}
    if any(c["required"] and c["name"] not in present for c in columns):
        return "missing_column", set(), None
    period = None
    bad = set()
    periods = set()
    for i in range(start, len(rows)):
        row = rows[i] + [None] * (len(header) - len(rows[i]))
        filled = [k for k, v in enumerate(row) if not _blank(v)]
        if not filled or filled == [seq_col]:
            if filled:
                labels.add("序号 only")
            elif any(isinstance(v, str) for v in row):
                labels.add("spaces only")
            continue
        first = row[filled[0]]
        words = ("合计", "总计", "小计", "填报人", "审核人", "负责人")
        if isinstance(first, str) and first.strip().startswith(words):
            labels.add(next(w for w in words if first.strip().startswith(w)))
            continue
        if period_col is not None and not _blank(row[period_col]):
            periods.add(str(row[period_col]).strip())
        town_code = None
        for k, (col, _h, _unit) in slots.items():
            if col["type"] == "town" and not _blank(row[k]):
                text = _text(row[k])
                town_code = (
                    COUNTY_CODE if col["county"] and text == "全县" else TOWN_LOOKUP.get(text)
                )
        nil = source == "housing_monitor" and _nil_report(row, slots)
        if nil:
            info.setdefault("nil_reports", 0)
            info["nil_reports"] += 1
        clean = True
        values = {"_row": i + 1}
        for k, (col, h, unit) in sorted(
            slots.items(), key=lambda s: [c["name"] for c in columns].index(s[1][0]["name"])
        ):
            if nil and col["type"] != "town":  # a nil report: only its township is read
                if col["name"] == "备注":
                    values["备注"] = _text(row[k])
                continue
            reason = _cell_reason(col, row[k], town_code)
            if reason:
                bad.add((i + 1, h, reason))
                clean = False
            elif not _blank(row[k]):
                forms.add((col["type"], _form_of(col["type"], row[k], town_code)))
                values[col["name"]] = _value(col, row[k], town_code, unit)
        if clean:
            loaded.append(values)
    if periods:
        period = periods.pop() if len(periods) == 1 else "ambiguous"
    return "loaded", bad, period


def _nil_report(row, slots) -> bool:
    """A housing_monitor row saying the township has nothing to report: 备注 无, 户主 and
    身份证号 empty or 无 (docs/contract-readings.md, U01)."""
    cells = {col["name"]: row[k] for k, (col, _h, _u) in slots.items()}

    def text(name):
        v = cells.get(name)
        return None if _blank(v) else _text(v) if isinstance(v, str) else v

    return text("备注") == "无" and all(text(n) in (None, "无") for n in ("户主姓名", "身份证号"))


@pytest.fixture(scope="module")
def read_back(county) -> dict:
    """Every file of the inbox read by the reference reader: the rejections it finds and,
    per (source, period), the files offered with their bad cells and loaded rows."""
    out, _truth = county
    inbox = out / "inbox"
    by_period: dict[tuple[str, str], list[tuple[str, set, list]]] = {}
    rejections = {}
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        rel = str(path.relative_to(inbox))
        source = rel.split("/")[0]
        if source not in SOURCES:
            rejections[rel] = "unknown_source"
            continue
        if path.suffix not in (".xlsx", ".xls", ".csv"):
            rejections[rel] = "unreadable"
            continue
        info: dict = {}
        try:
            status, bad, column_period = _read(path, source, info)
        except Exception:  # noqa: BLE001 - a workbook the reader cannot open
            rejections[rel] = "unreadable"
            continue
        if status != "loaded":
            rejections[rel] = status
            continue
        periods = _periods_in_name(path.name, SOURCES[source][2])
        if len(periods) == 1:
            period = periods.pop()
        elif not periods and column_period and column_period != "ambiguous":
            m = re.fullmatch(r"(\d{4})(?:-|年)(\d{1,2})月?", column_period)
            period = f"{m[1]}-{int(m[2]):02d}"
        else:
            rejections[rel] = "no_period"
            continue
        by_period.setdefault((source, period), []).append((rel, bad, info["rows"]))
    loaded = {}
    for key, files in by_period.items():
        if len(files) > 1:
            for rel, _bad, _rows in files:
                rejections[rel] = "duplicate_period"
            continue
        loaded[key] = files[0]
    return {"rejections": rejections, "loaded": loaded}


def test_reference_reader_agrees_with_truth(county, read_back):
    _out, truth = county
    expected: dict[str, set] = {}
    for q in truth["quarantine"]:
        expected.setdefault(q["file_name"], set()).add(
            (q["row_number"], q["column_name"], q["reason_code"])
        )
    rejected = {r["file_name"]: r["reason_code"] for r in truth["rejected_files"]}
    for (_source, period), (rel, bad, _rows) in read_back["loaded"].items():
        assert bad == expected.get(rel, set()), (
            rel,
            sorted(bad - expected.get(rel, set()))[:5],
            sorted(expected.get(rel, set()) - bad)[:5],
        )
        assert {q["period"] for q in truth["quarantine"] if q["file_name"] == rel} <= {period}
    assert read_back["rejections"] == rejected


def test_bad_cells_hold_bad_values(county):
    """Spot check of the cell behind each truth entry, reason by reason."""
    out, truth = county
    inbox = out / "inbox"
    cache: dict[str, list[list]] = {}
    for q in truth["quarantine"]:
        path = inbox / q["file_name"]
        if q["file_name"] not in cache:
            cache[q["file_name"]] = _sheet_rows(path, SOURCES[q["source"]][0])
        rows = cache[q["file_name"]]
        header_rows = [r for r in rows[: q["row_number"]] if q["column_name"] in r]
        assert header_rows, q
        col = header_rows[-1].index(q["column_name"])
        row = rows[q["row_number"] - 1]
        value = row[col] if col < len(row) else None
        reason = q["reason_code"]
        if reason == "missing_required":
            assert _blank(value), q
        else:
            assert not _blank(value), q
        if reason == "id_stored_as_number":
            assert isinstance(value, float) or re.fullmatch(r"\d\.\d+E\+\d+", value), (q, value)
        if reason == "bad_integer":
            assert value in ("三", "2.5", "-1"), (q, value)


def test_parallel_and_serial_writing_agree(county, tmp_path, monkeypatch):
    import generator.build

    first, _ = county
    monkeypatch.setattr(generator.build, "PARALLEL_MIN_ROWS", 0)  # force the worker pool
    _run(tmp_path, seed=1)
    assert _digest(tmp_path) == _digest(first)


def test_showcase_cases_visible(county):
    """Every layout case and accepted cell form of the brief, seen in the files themselves."""
    out, truth = county
    inbox = out / "inbox"
    rejected = {r["file_name"] for r in truth["rejected_files"]}
    seen = {"forms": set(), "labels": set()}
    titles, headers, shapes, sheets = set(), set(), set(), []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        rel = str(path.relative_to(inbox))
        source = rel.split("/")[0]
        if rel in rejected or source not in SOURCES:
            continue
        info = {"forms": seen["forms"], "labels": seen["labels"]}
        _read(path, source, info)
        titles.add(info["title_rows"])
        headers |= {str(h) for h in info["headers"]}
        shapes |= {k for k in ("two_row", "leading_blank") if info.get(k)}
        if path.suffix != ".csv":
            names = CalamineWorkbook.from_path(str(path)).sheet_names
            sheets.append((source, names))
    assert titles >= {0, 1, 2, 3, 4, 5}
    assert shapes == {"two_row", "leading_blank"}
    assert any(SOURCES[src][0] in names[1:] for src, names in sheets)
    plain = {re.sub(r"\s", "", h) for h in headers}
    for alias in (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号码",
        "镇（街道）",
        "乡镇",
        "乡镇（街道）",
        "镇",
        "所属镇",
        "行政村",
        "村",
        "村（社区）",
        "所在村",
        "借款人姓名",
        "序号",
        "联系电话",
        "备注",
        "统计月份",
    ):
        assert any(
            h.lstrip("*").removesuffix("（元）") == alias or h.lstrip("*") == alias
            for h in plain | headers
        ), alias
    assert any("\n" in h for h in headers)
    assert any(h != h.strip() for h in headers)
    assert any("\u3000" in h for h in headers)
    assert any(h.startswith("*") for h in headers)
    for unit in ("（元）", "(元)", "（万元）"):
        assert any(h.endswith(unit) for h in headers), unit
    assert seen["labels"] >= {
        "序号 only",
        "spaces only",
        "小计",
        "合计",
        "总计",
        "填报人",
        "审核人",
        "负责人",
    }
    forms = seen["forms"]
    expected = {
        "id": {"plain", "apostrophe", "fullwidth", "spaces", "lower_x", "15 digits", "number"},
        "date": {
            "date cell",
            "serial number",
            "serial text",
            "yyyy-mm-dd",
            "yyyy/m/d",
            "yyyy.m.d",
            "yyyy年m月d日",
            "yyyymmdd text",
            "yyyymmdd number",
            "date-time",
        },
        "month": {"yyyy-mm", "yyyy/m", "yyyy.m", "yyyy年m月", "yyyymm", "date cell"},
        "money": {"number", ",", "元", ",元"},
        "yes_no": {"是", "否", "Y", "N", "y", "n", "1", "0", "√", "×", "true", "false"},
        "code": {"plain", "spaces", "ideographic space"},
        "town": {"full", "short 土桥", "short 城关", "code", "spaces"},
        "village": {"exact", "村 added", "村 dropped", "code"},
        "name": {"plain", "spaces", "inner space"},
    }
    for kind, wanted in expected.items():
        got = {f for k, f in forms if k == kind}
        assert got >= wanted, (kind, wanted - got)


# --------------------------------------------------------------------------- checks and indicators
# Recomputed from the files through the reference reader, following docs/contract-readings.md
# ("Checks", "Indicators"), and compared with truth.json entity for entity, value for value.

MONTHS = [f"2024-{m:02d}" for m in range(3, 13)]
LEDGER_SOURCES = ("roster", "employment", "training", "loans")
MONTHLY = [k for k, (_t, _c, f) in SOURCES.items() if f == "monthly"]
# U01's keys (spec/checks.md) by Chinese column, and each source's entity key.
U01_COLUMNS = {
    "roster": ("身份证号",),
    "income": ("户编号",),
    "employment": ("身份证号",),
    "public_jobs": ("身份证号", "岗位类别", "上岗日期"),
    "training": ("身份证号", "培训项目", "开班日期"),
    "insurance": ("身份证号", "参保年度"),
    "medical_claims": ("结算单号",),
    "assistance": ("身份证号", "救助类型"),
    "housing_monitor": ("身份证号",),
    "housing_renovation": ("身份证号",),
    "water_points": ("检测点编号",),
    "water_survey": ("行政村", "排查批次"),
    "loans": ("贷款合同号",),
    "projects": ("项目编号",),
    "indicators": ("指标编码", "镇（街道）"),
}
U01_KEYS = {
    s: (lambda r, cols=cols: tuple(r.get(c) for c in cols)) for s, cols in U01_COLUMNS.items()
}


def _u01_entity(source, r) -> str:
    cols = U01_COLUMNS[source]
    if "身份证号" in cols:
        return r["身份证号"]
    if source == "water_survey":
        return r["行政村"]
    if source == "indicators":
        return f"{r['指标编码']}|{r['镇（街道）']}"
    return str(r[cols[0]])


def _seen(ledgers, source, month):
    """The rows a month sees (docs/contract-readings.md): the latest quarter, the year."""
    frequency = SOURCES[source][2]
    if frequency == "monthly":
        return ledgers.get((source, month))
    if frequency == "yearly":
        return ledgers.get((source, month[:4] + "-01"))
    for q in range(int(month[5:]) // 3, 0, -1):
        if (source, f"{month[:4]}-Q{q}") in ledgers:
            return ledgers[(source, f"{month[:4]}-Q{q}")]
    return None


def _loaded_rows(read_back) -> dict[tuple[str, str], list[dict]]:
    return {key: rows for key, (_rel, _bad, rows) in read_back["loaded"].items()}


def _evaluated(ledgers) -> list[str]:
    return [p for p in MONTHS if any((s, p) in ledgers for s in MONTHLY)]


def _recompute_checks(ledgers) -> dict[str, dict[str, list[str]]]:
    """U01, X04, X05 and X06 recomputed here from the rows read back, independently of the
    generator's truth functions."""
    checks: dict[str, dict[str, list[str]]] = {"U01": {}, "X04": {}, "X05": {}, "X06": {}}
    villages = [code for town in VILLAGES.values() for code, _name in town]
    for p in _evaluated(ledgers):
        failing = set()
        for s in U01_COLUMNS:
            rows = _seen(ledgers, s, p)
            if rows is None:
                continue
            keyed = [r for r in rows if None not in U01_KEYS[s](r)]
            counts = Counter(U01_KEYS[s](r) for r in keyed)
            failing |= {_u01_entity(s, r) for r in keyed if counts[U01_KEYS[s](r)] > 1}
        checks["U01"][p] = sorted(failing)
        roster = ledgers.get(("roster", p))
        employment = ledgers.get(("employment", p))
        if roster is not None and employment is not None:
            working = {r["身份证号"] for r in roster if r.get("务工状态") == "务工"}
            employed = {r["身份证号"] for r in employment}
            checks["X04"][p] = sorted(working ^ employed)
            hr = Counter(v for v, _ in {(r["行政村"], r["身份证号"]) for r in employment})
            system = Counter(
                v
                for v, _ in {
                    (r["行政村"], r["身份证号"]) for r in roster if r.get("务工状态") == "务工"
                }
            )
            checks["X05"][p] = sorted(v for v in villages if hr[v] != system[v])
        kind_of = {
            "employment": "户类型",
            "training": "户类型",
            "loans": "户类型",
            "public_jobs": "人员类别",
        }
        others = {s: ledgers.get((s, p)) for s in kind_of}
        if roster is not None and any(o is not None for o in others.values()):
            places = {}
            for r in roster:
                places.setdefault(r["身份证号"], set()).add((r["镇（街道）"], r["行政村"]))
            checks["X06"][p] = sorted(
                {
                    r["身份证号"]
                    for s, rows in others.items()
                    if rows is not None
                    for r in rows
                    if r[kind_of[s]] in KINDS
                    and (r["镇（街道）"], r["行政村"]) not in places.get(r["身份证号"], ())
                }
            )
    return checks


def _recompute_kpis(ledgers) -> dict[tuple, object]:
    """(kpi, period, level, town, village) -> value, every level."""
    out: dict[tuple, object] = {}

    def counts(code, period, by_village: Counter) -> None:
        county = 0
        for town, villages in VILLAGES.items():
            total = sum(by_village[v] for v, _name in villages)
            for v, _name in villages:
                out[(code, period, "village", town, v)] = by_village[v]
            out[(code, period, "town", town, None)] = total
            county += total
        out[(code, period, "county", None, None)] = county

    def rate(num, den):
        return None if den == 0 else float((num / den).quantize(Decimal("1e-12")))

    trained: dict[str, str] = {}
    started = False
    for p in _evaluated(ledgers):
        employment = ledgers.get(("employment", p))
        if employment is not None:
            first: dict[str, str] = {}
            for r in sorted(employment, key=lambda r: r["_row"]):
                first.setdefault(r["身份证号"], r["行政村"])
            counts("A4-MIGRANT", p, Counter(first.values()))
        training = ledgers.get(("training", p))
        if training is not None:
            started = True
            for r in sorted(training, key=lambda r: r["_row"]):
                if r["是否结业"]:
                    trained.setdefault(r["身份证号"], r["行政村"])
        if started:
            counts("A4-TRAINED", p, Counter(trained.values()))
        loans = ledgers.get(("loans", p))
        if loans is not None:
            contracts: dict[str, dict] = {}
            for r in sorted(loans, key=lambda r: r["_row"]):
                contracts.setdefault(r["贷款合同号"], r)
            sums: dict[str, list] = {}
            for r in contracts.values():
                s = sums.setdefault(r["行政村"], [Decimal(0), Decimal(0)])
                s[0] += r["逾期金额"]
                s[1] += r["贷款余额"]
            county = [Decimal(0), Decimal(0)]
            for town, villages in VILLAGES.items():
                town_sum = [Decimal(0), Decimal(0)]
                for v, _name in villages:
                    num, den = sums.get(v, (Decimal(0), Decimal(0)))
                    out[("A3-LOAN-OVERDUE", p, "village", town, v)] = rate(num, den)
                    town_sum = [town_sum[0] + num, town_sum[1] + den]
                out[("A3-LOAN-OVERDUE", p, "town", town, None)] = rate(*town_sum)
                county = [county[0] + town_sum[0], county[1] + town_sum[1]]
            out[("A3-LOAN-OVERDUE", p, "county", None, None)] = rate(*county)
    _recompute_posts_projects_reported(ledgers, out, counts, rate)
    return out


PUBLIC_JOB_PARTS = {
    "A4-PUBLIC-JOBS": None,
    "A4-PUBLIC-JOBS-VILLAGE": "乡村公益岗",
    "A4-PUBLIC-JOBS-FOREST": "护林员",
    "A4-PUBLIC-JOBS-RIVER": "护河员",
    "A4-PUBLIC-JOBS-SOLAR": "光伏公益岗",
}


def _recompute_posts_projects_reported(ledgers, out, counts, rate) -> None:
    """A4-PUBLIC-JOBS and its parts, A7-SPEND (with 全县 and township-wide projects), and
    the reported A3-FARMLAND, A9-TOILETS, A3-COLLECTIVE-100K and A5-INSPECTIONS."""
    county_code = "610429"
    figures: dict[tuple, Decimal] = {}
    for p in MONTHS:
        end = dt.date(2024 + int(p[5:]) // 12, int(p[5:]) % 12 + 1, 1) - dt.timedelta(days=1)
        jobs = ledgers.get(("public_jobs", p))
        if jobs is not None:
            held = [
                r
                for r in sorted(jobs, key=lambda r: r["_row"])
                if r["人员类别"] in KINDS
                and r["上岗日期"] <= end
                and (r.get("离岗日期") is None or r["离岗日期"] > end)
            ]
            for code, post in PUBLIC_JOB_PARTS.items():
                first: dict[str, str] = {}
                for r in held:
                    if post is None or r["岗位类别"] == post:
                        first.setdefault(r["身份证号"], r["行政村"])
                counts(code, p, Counter(first.values()))
        projects = ledgers.get(("projects", p))
        if projects is not None:
            once: dict[str, dict] = {}
            for r in sorted(projects, key=lambda r: r["_row"]):
                once.setdefault(r["项目编号"], r)
            sums: dict[str | None, list] = {}
            for r in once.values():
                spent, funds = r["累计支出"] or Decimal(0), r["衔接资金"] or Decimal(0)
                # the county, the township (not for 全县) and the village (where there is one)
                for place in {None, r["镇（街道）"], r.get("行政村")} - {county_code}:
                    s = sums.setdefault(place, [Decimal(0), Decimal(0)])
                    s[0] += spent
                    s[1] += funds
            for town, villages in VILLAGES.items():
                for v, _name in villages:
                    num, den = sums.get(v, (0, Decimal(0)))
                    out[("A7-SPEND", p, "village", town, v)] = rate(num, den)
                num, den = sums.get(town, (0, Decimal(0)))
                out[("A7-SPEND", p, "town", town, None)] = rate(num, den)
            out[("A7-SPEND", p, "county", None, None)] = rate(*sums.get(None, (0, Decimal(0))))
        indicators = ledgers.get(("indicators", p))
        if indicators is not None:
            first_rows: dict[tuple, dict] = {}
            for r in sorted(indicators, key=lambda r: r["_row"]):
                first_rows.setdefault((r["指标编码"], r["镇（街道）"]), r)
            for key, r in first_rows.items():
                if r.get("累计完成") is not None:
                    figures[key] = r["累计完成"]
                else:  # never written empty by the generator: the year's 本月完成 so far
                    figures[key] = figures.get(key, Decimal(0)) + r["本月完成"]
            for code in ("A3-FARMLAND", "A9-TOILETS", "A3-COLLECTIVE-100K"):
                towns = {
                    t: figures[(code, t)] if (code, t) in first_rows else Decimal(0)
                    for t in VILLAGES
                }
                total = sum(towns.values())
                for t, value in towns.items():
                    if code == "A3-COLLECTIVE-100K":
                        out[(code, p, "town", t, None)] = rate(value, Decimal(len(VILLAGES[t])))
                    else:
                        out[(code, p, "town", t, None)] = float(value)
                if code == "A3-COLLECTIVE-100K":
                    out[(code, p, "county", None, None)] = rate(total, Decimal(179))
                else:
                    out[(code, p, "county", None, None)] = float(total)
            whole = first_rows.get(("A5-INSPECTIONS", county_code))
            out[("A5-INSPECTIONS", p, "county", None, None)] = (
                None if whole is None else float(whole["本月完成"])
            )


ALL_CHECKS = {f"U0{i}" for i in range(1, 7)} | {f"X{i:02d}" for i in range(1, 23)}


class FileWorld:
    """The county as the files show it: facts (generator/facts.py) built from the rows the
    reference reader found, for re-running the generator's truth functions on them."""

    def __init__(self, ledgers):
        from types import SimpleNamespace

        import generator.facts
        import generator.gazetteer

        self._facts = {
            (s, p): [generator.facts.from_values(s, r["_row"], r) for r in rows]
            for (s, p), rows in ledgers.items()
        }
        self.county = SimpleNamespace(
            year=2024, periods=MONTHS, gazetteer=generator.gazetteer.load_gazetteer()
        )

    def facts(self, source, period):
        return self._facts.get((source, period))

    def seen(self, source, month):
        return _seen(self._facts, source, month)


def test_check_truth_matches_the_files(county, read_back):
    """The truth of every check is the truth of the files: the generator's check functions
    give the same entities on the rows re-read from the files as on the rows it wrote; and
    four checks recomputed here independently agree."""
    import generator.truth

    _out, truth = county
    ledgers = _loaded_rows(read_back)
    world = FileWorld(ledgers)
    again = {check: fn(world) for check, fn in sorted(generator.truth.CHECKS.items())}
    for check in sorted(truth["checks"]):
        assert again[check] == truth["checks"][check], check
    independent = _recompute_checks(ledgers)
    assert {c: truth["checks"][c] for c in independent} == independent


def test_check_truth_fails_and_passes(county, read_back):
    """Every check of spec/checks.md has a truth; each fails in some month and passes in
    another; X04/X05 are absent exactly where employment or roster is missing, X06 where
    roster is or all its ledgers are."""
    _out, truth = county
    ledgers = _loaded_rows(read_back)
    assert set(truth["checks"]) == ALL_CHECKS
    for check, periods in truth["checks"].items():
        assert any(periods.values()), f"{check} never fails"
        assert any(v == [] for v in periods.values()), f"{check} never passes"
        assert list(periods) == sorted(periods)
        for keys in periods.values():
            assert keys == sorted(set(keys))
    missing = {
        p for p in MONTHS if ("employment", p) not in ledgers or ("roster", p) not in ledgers
    }
    assert missing == {"2024-08"}  # the employment file of August is rejected (two files)
    for check in ("X04", "X05"):
        assert set(truth["checks"][check]) == set(MONTHS) - missing
    assert set(truth["checks"]["U01"]) == set(truth["checks"]["X06"]) == set(MONTHS)
    # The reconciled month: nothing fails in March (X17 waits for April's survey round).
    assert "2024-03" not in truth["checks"]["X17"]
    assert all(periods.get("2024-03", []) == [] for periods in truth["checks"].values())
    assert all("2024-03" in p for c, p in truth["checks"].items() if c != "X17")


def test_every_planted_case_shows_in_the_files(read_back):
    """At the smallest scales too: each kind of disagreement the checks must find."""
    ledgers = _loaded_rows(read_back)
    dup = {s: False for s in LEDGER_SOURCES}
    kinds = set()
    for (s, p), rows in ledgers.items():
        if s not in LEDGER_SOURCES:
            continue
        keys = Counter(U01_KEYS[s](r) for r in rows)
        dup[s] |= any(n > 1 for n in keys.values())
        if s == "employment":
            villages: dict[str, set] = {}
            for r in rows:
                villages.setdefault(r["身份证号"], set()).add(r["行政村"])
            if any(len(v) > 1 for v in villages.values()):
                kinds.add("employment: one person in two villages")
        if s == "loans":
            amounts: dict[str, set] = {}
            for r in rows:
                amounts.setdefault(r["贷款合同号"], set()).add(r["逾期金额"])
            if any(len(v) > 1 for v in amounts.values()):
                kinds.add("loans: one contract with two overdue amounts")
        roster = ledgers.get(("roster", p))
        if roster is None:
            continue
        status: dict[str, set] = {}
        places: dict[str, set] = {}
        for r in roster:
            status.setdefault(r["身份证号"], set()).add(r.get("务工状态"))
            places.setdefault(r["身份证号"], set()).add((r["镇（街道）"], r["行政村"]))
        if s == "roster" and ("employment", p) in ledgers:
            employed = {r["身份证号"] for r in ledgers[("employment", p)]}
            if any("务工" in v and i not in employed for i, v in status.items()):
                kinds.add("roster 务工, not in employment")
        if s == "roster":
            continue
        for r in rows:
            i = r["身份证号"]
            if i not in status:
                kinds.add(f"{s}: not in roster")
            elif (r["镇（街道）"], r["行政村"]) not in places[i]:
                kinds.add(f"{s}: another place than the roster's")
            if s == "employment" and i in status and "务工" not in status[i]:
                kinds |= {f"employment: roster says {v or 'nothing'}" for v in status[i]}
    assert dup == {s: True for s in LEDGER_SOURCES}
    assert kinds >= {
        "roster 务工, not in employment",
        "employment: not in roster",
        "training: not in roster",
        "loans: not in roster",
        "employment: another place than the roster's",
        "employment: roster says 未务工",
        "employment: roster says nothing",
        "employment: one person in two villages",
        "loans: one contract with two overdue amounts",
    }


def _kpi_key(k) -> tuple:
    return (k["kpi_code"], k["period"], k["level"], k["town_code"], k["village_code"])


def test_kpi_truth_matches_the_files(county, read_back):
    """The truth of every indicator is the truth of the files: the generator's indicator
    functions give the same rows, value for value, on the rows re-read from the files; and
    the indicators recomputed here independently agree."""
    import generator.expected
    import generator.truth

    _out, truth = county
    got = {_kpi_key(k): k["value"] for k in truth["kpis"]}
    assert len(got) == len(truth["kpis"])
    world = FileWorld(_loaded_rows(read_back))
    # As truth.json holds them: without the parts a sharded county adds up (truth.py).
    again = [
        {k: v for k, v in row.items() if k != generator.expected.PARTS}
        for fn in generator.truth.KPIS
        for row in fn(world)
    ]
    assert sorted(again, key=_kpi_sort) == truth["kpis"]  # conftest names the first difference
    want = _recompute_kpis(_loaded_rows(read_back))
    assert {k for k in got if k[0] in {w[0] for w in want}} == want.keys()
    for key, value in want.items():
        if isinstance(value, int):
            assert type(got[key]) is int and got[key] == value, key
        else:
            assert (got[key] is None) == (value is None), key
            assert value is None or isinstance(got[key], float) and abs(got[key] - value) < 1e-9


def _kpi_sort(k) -> tuple:
    return (
        k["kpi_code"],
        k["period"],
        k["level"],
        k["town_code"] or "",
        k["village_code"] or "",
    )


# The 61 indicators of spec/kpis.md, by the levels docs/contract-readings.md gives them.
KPI_TOWN_LEVEL = {  # county and township rows, no village
    "A2-DROPOUT",
    "A2-HOUSING-REPORT",
    "A3-FARMLAND",
    "A3-ORCHARD-DEMO",
    "A3-ORCHARD-RENOV",
    "A3-COURTYARD",
    "A3-COLLECTIVE-100K",
    "A9-DEMO-VILLAGES",
    "A9-TOILETS",
}
KPI_COUNTY_LEVEL = {
    "A2-CHRONIC-SIGN",
    "A2-WATER-PROJECTS",
    "A3-SHARED-VILLAGE",
    "A3-SHARED-COURTYARD",
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
    "A9-QIANWAN",
    "A9-PLANS-KEY",
    "A9-PLANS-DEMO",
    "A10-GOVERNANCE",
}
KPI_RATES = {
    "A1-IDENT",
    "A1-ENTRY",
    "A1-INCOME-COVER",
    "A1-INCOME-GROWTH",
    "A2-INSURED",
    "A2-SUBSIDY-OK",
    "A3-COLLECTIVE-100K",
    "A3-LOAN-OVERDUE",
    "A4-LEDGER-MATCH",
    "A4-TRANSPORT",
    "A6-RELOC-EMPLOY",
    "A7-SPEND",
    "A7-START",
    "A7-DONE",
    "A7-CLAIMED",
}
KPI_VILLAGE_LEVEL = {
    "A1-RISK-CLEARED",
    "A2-HIGH-COST",
    "A2-SAFETY-NET",
    "A2-RENOV-DONE",
    "A2-RENOV-PAID",
    "A2-WATER-SURVEY-APR",
    "A2-WATER-SURVEY-OCT",
    "A2-WATER-MONTHLY",
    "A2-WATER-FULL32",
    "A2-WATER-SELF",
    "A2-WATER-FULL46",
    "A3-LOAN-NEW",
    "A3-LOAN-180",
    "A4-MIGRANT",
    "A4-PUBLIC-JOBS",
    "A4-PUBLIC-JOBS-VILLAGE",
    "A4-PUBLIC-JOBS-FOREST",
    "A4-PUBLIC-JOBS-RIVER",
    "A4-PUBLIC-JOBS-SOLAR",
    "A4-TRAINED",
    *(KPI_RATES - {"A3-COLLECTIVE-100K"}),
}
ALL_KPIS = KPI_TOWN_LEVEL | KPI_COUNTY_LEVEL | KPI_VILLAGE_LEVEL


def test_kpi_truth_months_levels_and_sums(county, read_back):
    _out, truth = county
    ledgers = _loaded_rows(read_back)
    rows: dict[tuple[str, str], list[dict]] = {}
    for k in truth["kpis"]:
        rows.setdefault((k["kpi_code"], k["period"]), []).append(k)
    assert len(ALL_KPIS) == 61
    assert {code for code, _ in rows} == ALL_KPIS
    months = {code: sorted(p for c, p in rows if c == code) for code, _ in rows}
    loaded = {s: [p for p in MONTHS if (s, p) in ledgers] for s in SOURCES}
    assert months["A4-MIGRANT"] == loaded["employment"]
    assert months["A4-TRAINED"] == MONTHS  # training loads in March; April's file is rejected
    assert months["A3-LOAN-OVERDUE"] == months["A3-LOAN-NEW"] == loaded["loans"]
    assert months["A2-WATER-SURVEY-APR"] == MONTHS[1:]  # from the round's month on
    assert months["A2-WATER-SURVEY-OCT"] == MONTHS[7:]
    assert months["A2-HOUSING-REPORT"] == MONTHS  # July's file is rejected: all ten fail X18
    for code in (KPI_TOWN_LEVEL | KPI_COUNTY_LEVEL) - {"A2-HOUSING-REPORT"}:
        assert months[code] == loaded["indicators"], code
    assert "2024-04" not in {p for s, p in ledgers if s == "training"}
    assert (len(VILLAGES), sum(len(v) for v in VILLAGES.values())) == (10, 179)
    for (code, _period), group in rows.items():
        levels = Counter(k["level"] for k in group)
        if code in KPI_VILLAGE_LEVEL:
            assert levels == {"county": 1, "town": 10, "village": 179}, code
        elif code in KPI_TOWN_LEVEL:
            assert levels == {"county": 1, "town": 10}, code
        else:
            assert levels == {"county": 1}, code
        county_row = next(k for k in group if k["level"] == "county")
        assert county_row["town_code"] is None and county_row["village_code"] is None
        if code in KPI_RATES:
            # A village's rate may pass 1 where the bank's 逾期金额 exceeds the 贷款余额 (U03).
            assert all(
                k["value"] is None or k["value"] >= 0 or code == "A1-INCOME-GROWTH" for k in group
            )
            continue
        towns = {k["town_code"]: k["value"] for k in group if k["level"] == "town"}
        if not towns:
            continue
        assert sum(towns.values()) == pytest.approx(county_row["value"]), code
        for town, value in towns.items():
            villages = [
                k["value"] for k in group if k["level"] == "village" and k["town_code"] == town
            ]
            assert not villages or value == pytest.approx(sum(villages)), code
    overdue = [k["value"] for k in truth["kpis"] if k["kpi_code"] == "A3-LOAN-OVERDUE"]
    assert any(overdue)  # some arrears somewhere
    trained = [
        next(k["value"] for k in rows[("A4-TRAINED", p)] if k["level"] == "county") for p in MONTHS
    ]
    assert trained == sorted(trained)  # cumulative
    assert trained[0] == trained[1]  # no training loads in April
    # Every indicator takes more than one value over the year somewhere.
    for code in ALL_KPIS - {"A2-DROPOUT", "A2-SAFETY-NET", "A2-HIGH-COST", "A6-RELOC-EMPLOY"}:
        values = {k["value"] for k in truth["kpis"] if k["kpi_code"] == code}
        assert len(values) > 1, code
