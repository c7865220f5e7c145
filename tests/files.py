"""Small hand-made extracts for tests: real .xlsx, .xls and .csv files, written cell by cell.

A row is a list of cells. A plain str is written as text, an int/float as a number cell,
a `datetime.date` as a date cell; `None` leaves the cell empty. `Merge` marks merged ranges.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
import xlwt

FIXED_TIME = dt.datetime(2024, 1, 1)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(birth: str = "19900101", seq: str = "123", area: str = "610429") -> str:
    """A valid 18-digit resident ID (GB 11643 check digit) for test rows."""
    body = area + birth + seq
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


@dataclass
class Merge:
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    text: str


def write_xlsx(
    path: Path,
    rows: list[list],
    merges: list[Merge] = (),
    sheet: str = "Sheet1",
    sheets_before: list[str] = (),
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": FIXED_TIME})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name in sheets_before:
        book.add_worksheet(name).write(0, 0, "说明")
    ws = book.add_worksheet(sheet)
    for m in merges:
        ws.merge_range(m.first_row, m.first_col, m.last_row, m.last_col, m.text)
    merged = {
        (r, c)
        for m in merges
        for r in range(m.first_row, m.last_row + 1)
        for c in range(m.first_col, m.last_col + 1)
    }
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or (r, c) in merged:
                continue
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            else:
                ws.write_string(r, c, value)
    book.close()
    return path


def write_xls(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            else:
                ws.write(r, c, value)
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    """`encoding`: utf-8, utf-8-sig (with BOM) or gb18030."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# A clean employment ledger row and its header, the base most tests vary.
EMPLOYMENT_HEADER = [
    "序号",
    "姓名",
    "身份证号",
    "镇（街道）",
    "行政村",
    "户类型",
    "就业形式",
    "务工地点",
    "务工单位",
    "务工起始月份",
    "月收入（元）",
    "跨省交通补助",
    "报送日期",
]


def employment_row(n: int = 1, **changes) -> list:
    """One valid employment row (土桥镇 / 程家咀村); keyword arguments replace cells by header."""
    values = {
        "序号": n,
        "姓名": "王芳",
        "身份证号": make_id(
            birth=(dt.date(1970, 1, 1) + dt.timedelta(days=n // 1000)).strftime("%Y%m%d"),
            seq=f"{n % 1000:03d}",
        ),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "户类型": "脱贫户",
        "就业形式": "省外务工",
        "务工地点": "江苏省苏州市",
        "务工单位": "苏州某电子厂",
        "务工起始月份": "2024-03",
        "月收入（元）": "4500",
        "跨省交通补助": None,
        "报送日期": "2024-06-20",
    }
    for key, value in changes.items():
        values[key] = value
    return [values[h] for h in EMPLOYMENT_HEADER]


# Valid rows of other sources, by header, for tests of one cell at a time.
BASE_ROWS = {
    "employment": dict(zip(EMPLOYMENT_HEADER, employment_row(), strict=True)),
    "loans": {
        "贷款合同号": "XD2024000001",
        "借款人姓名": "李强",
        "身份证号": make_id("19800506", "021"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "户类型": "脱贫户",
        "放款银行": "旬邑县农商银行",
        "放款日期": "2023-04-10",
        "到期日期": "2026-04-09",
        "贷款金额（元）": "50000",
        "贷款余额（元）": "30000",
        "逾期金额（元）": "0",
        "逾期天数": "0",
        "贴息金额（元）": "800",
        "是否风险补偿": "否",
    },
    "training": {
        "姓名": "赵敏",
        "身份证号": make_id("19950312", "046"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "户类型": "监测户",
        "培训项目": "果树修剪培训班",
        "培训工种": "果树修剪",
        "培训方式": "订单式",
        "开班日期": "2024-06-03",
        "结业日期": "2024-06-12",
        "是否结业": "是",
        "是否取证": "否",
    },
    "insurance": {
        "姓名": "孙丽",
        "身份证号": make_id("19700202", "062"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "参保年度": "2024",
        "参保状态": "已参保",
        "资助类别": "监测对象",
        "资助金额（元）": "215",
        "参保日期": "2024-01-15",
    },
    "indicators": {
        "指标编码": "A9-TOILETS",
        "指标名称": "改建卫生厕所",
        "镇（街道）": "土桥镇",
        "本月完成": "35",
        "累计完成": "210",
        "填报单位": "土桥镇人民政府",
        "备注": None,
    },
    "roster": {
        "户编号": "6104291012010001",
        "姓名": "王建国",
        "身份证号": make_id("19650708", "013"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "与户主关系": "户主",
        "户类型": "脱贫户",
        "监测对象类别": None,
        "主要风险类型": None,
        "风险发现日期": None,
        "识别认定日期": None,
        "系统录入日期": None,
        "风险消除状态": None,
        "风险消除日期": None,
        "劳动能力": "有劳动能力",
        "是否易地搬迁": "否",
        "务工状态": "务工",
        "上年家庭人均纯收入（元）": "12500",
    },
    "income": {
        "户编号": "6104291012010001",
        "户主姓名": "王建国",
        "身份证号": make_id("19650708", "013"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "家庭人口数": "3",
        "工资性收入": "9000",
        "经营性收入": "2000",
        "财产性收入": None,
        "转移性收入": "600",
        "生产经营性支出": "1500",
        "医疗": None,
        "教育": None,
        "采集日期": "2024-03-20",
    },
    "public_jobs": {
        "姓名": "赵刚",
        "身份证号": make_id("19750315", "031"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "岗位类别": "乡村公益岗",
        "主管部门": "人社局",
        "人员类别": "脱贫户",
        "上岗日期": "2024-01-01",
        "离岗日期": None,
        "月补贴": "600",
    },
    "medical_claims": {
        "结算单号": "JS2024040100001",
        "姓名": "刘梅",
        "身份证号": make_id("19580820", "084"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "就诊类型": "住院",
        "结算日期": "2024-04-10",
        "医疗机构": "旬邑县医院",
        "医疗总费用": "1000",
        "基本医保": "600",
        "大病保险": "0",
        "医疗救助": "100",
        "其他保障": None,
        "个人自付": "300",
    },
    "assistance": {
        "姓名": "陈秀英",
        "身份证号": make_id("19520411", "102"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "救助类型": "低保",
        "供养方式": None,
        "救助状态": "在保",
        "月救助金额": "480",
        "起始月份": "2023-01",
    },
    "housing_monitor": {
        "户主姓名": "张福",
        "身份证号": make_id("19600102", "115"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "对象类型": "脱贫户",
        "安全等级": "A级",
        "问题描述": None,
        "处置情况": "无需处置",
        "鉴定日期": "2024-02-01",
        "备注": None,
    },
    "housing_renovation": {
        "户主姓名": "张福",
        "身份证号": make_id("19600102", "115"),
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "对象类型": "脱贫户",
        "鉴定等级": "D级",
        "改造方式": "拆除重建",
        "开工日期": None,
        "竣工日期": None,
        "验收日期": None,
        "补助兑付日期": None,
        "补助资金": "35000",
    },
    "water_points": {
        "检测点编号": "SZ-0001",
        "检测点名称": "程家咀村供水站",
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "供水工程名称": "程家咀村集中供水工程",
        "工程类型": "集中供水工程",
        "是否启用": "是",
    },
    "water_tests": {
        "检测点编号": "SZ-0001",
        "检测日期": "2024-04-10",
        "检测类别": "21项常规检测",
        "检测结果": "合格",
        "不合格指标": None,
    },
    "water_survey": {
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "排查批次": "2024年4月",
        "应排查户数": "10",
        "实排查户数": "10",
        "发现问题数": "1",
        "已整改数": "1",
    },
    "projects": {
        "项目编号": "XJ2024-001",
        "项目名称": "程家咀村苹果冷库",
        "实施单位": "土桥镇人民政府",
        "镇（街道）": "土桥镇",
        "行政村": "程家咀村",
        "项目类别": "产业发展",
        "衔接资金": "100",
        "累计支出": "30",
        "报账金额": None,
        "开工日期": "2024-03-01",
        "完工日期": None,
        "项目状态": "在建",
    },
}


def ledger(source: str, changes_per_row: list[dict], title: str | None = None) -> list[list]:
    """A sheet: an optional title row, the header, then one base row per dict of changes."""
    header = list(BASE_ROWS[source])
    rows = [[title]] if title else []
    rows.append(header)
    for changes in changes_per_row:
        row = dict(BASE_ROWS[source])
        row.update(changes)
        rows.append([row[h] for h in header])
    return rows
