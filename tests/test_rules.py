"""Every column rule of the contract, a passing and a failing case each, on real files.

Each case is one row of a real .xlsx (or .csv) ledger whose other cells are valid: the
row must load with the expected typed value, or be quarantined for exactly that cell with
exactly that reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from files import BASE_ROWS, ledger, make_id, write_csv, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.declarations import source
from etl.extract import read_extract
from etl.rules import type_extract, type_id_numbers

ID = make_id("19900101", "123")
ID_X = next(
    make_id("19900101", f"{n:03d}")
    for n in range(1000)
    if make_id("19900101", f"{n:03d}").endswith("X")
)
OLD_ID_15 = "610429900101123"  # 15 digits: 610429 + 900101 + 123
OLD_ID_UPGRADED = make_id("19900101", "123")
FULL_WIDTH_ID = ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))

# (case id, source, header, cell as written, expected): expected is ("ok", value in the
# ledger table) or ("bad", reason code).
CASES = [
    # 身份证号
    ("id-valid", "employment", "身份证号", ID, ("ok", ID)),
    ("id-lowercase-x", "employment", "身份证号", ID_X.lower(), ("ok", ID_X)),
    ("id-full-width", "employment", "身份证号", FULL_WIDTH_ID, ("ok", ID)),
    ("id-spaces", "employment", "身份证号", f" {ID[:6]} {ID[6:14]} {ID[14:]} ", ("ok", ID)),
    ("id-apostrophe", "employment", "身份证号", "'" + ID, ("ok", ID)),
    ("id-15-text", "employment", "身份证号", OLD_ID_15, ("ok", OLD_ID_UPGRADED)),
    ("id-15-number-cell", "employment", "身份证号", int(OLD_ID_15), ("ok", OLD_ID_UPGRADED)),
    (
        "id-18-number-cell",
        "employment",
        "身份证号",
        float(ID[:17] + "0"),
        ("bad", "id_stored_as_number"),
    ),
    ("id-scientific", "employment", "身份证号", "6.10429E+17", ("bad", "id_stored_as_number")),
    (
        "id-bad-check",
        "employment",
        "身份证号",
        ID[:17] + ("0" if ID[17] != "0" else "1"),
        ("bad", "id_checksum"),
    ),
    ("id-too-short", "employment", "身份证号", ID[:16], ("bad", "id_format")),
    ("id-letters", "employment", "身份证号", ID[:10] + "AB" + ID[12:], ("bad", "id_format")),
    (
        "id-impossible-birth",
        "employment",
        "身份证号",
        make_id("19900230", "123"),
        ("bad", "id_format"),
    ),
    ("id-future-birth", "employment", "身份证号", make_id("20990101", "123"), ("bad", "id_format")),
    ("id-15-impossible-birth", "employment", "身份证号", "610429901301123", ("bad", "id_format")),
    ("id-missing", "employment", "身份证号", None, ("bad", "missing_required")),
    # 姓名
    ("name-inner-space", "employment", "姓名", "王 芳", ("ok", "王芳")),
    ("name-trimmed", "employment", "姓名", "  欧阳娜娜 ", ("ok", "欧阳娜娜")),
    ("name-one-char", "employment", "姓名", "王", ("bad", "bad_name")),
    ("name-too-long", "employment", "姓名", "王" * 21, ("bad", "bad_name")),
    ("name-missing", "employment", "姓名", "  ", ("bad", "missing_required")),
    # 镇（街道）
    ("town-full", "employment", "镇（街道）", "土桥镇", ("ok", "610429101")),
    ("town-short", "employment", "镇（街道）", "土桥", ("ok", "610429101")),
    ("town-code", "employment", "镇（街道）", "610429101", ("ok", "610429101")),
    ("town-unknown", "employment", "镇（街道）", "土桥乡镇", ("bad", "unknown_town")),
    # 行政村
    ("village-full", "employment", "行政村", "程家咀村", ("ok", "610429101201")),
    ("village-missing-cun", "employment", "行政村", "程家咀", ("ok", "610429101201")),
    ("village-other-town", "employment", "行政村", "店子河村", ("bad", "village_not_in_town")),
    ("village-unknown", "employment", "行政村", "不存在村", ("bad", "village_not_in_town")),
    ("village-missing", "employment", "行政村", None, ("bad", "missing_required")),
    # dates
    ("date-iso", "employment", "报送日期", "2024-06-03", ("ok", dt.date(2024, 6, 3))),
    ("date-slash", "employment", "报送日期", "2024/6/3", ("ok", dt.date(2024, 6, 3))),
    ("date-dot", "employment", "报送日期", "2024.6.3", ("ok", dt.date(2024, 6, 3))),
    ("date-chinese", "employment", "报送日期", "2024年6月3日", ("ok", dt.date(2024, 6, 3))),
    ("date-compact-text", "employment", "报送日期", "20240603", ("ok", dt.date(2024, 6, 3))),
    ("date-compact-number", "employment", "报送日期", 20240603, ("ok", dt.date(2024, 6, 3))),
    ("date-serial-number", "employment", "报送日期", 45446, ("ok", dt.date(2024, 6, 3))),
    ("date-serial-text", "employment", "报送日期", "45446", ("ok", dt.date(2024, 6, 3))),
    ("date-cell", "employment", "报送日期", dt.date(2024, 6, 3), ("ok", dt.date(2024, 6, 3))),
    (
        "date-full-width",
        "employment",
        "报送日期",
        "２０２４－０６－０３",
        ("ok", dt.date(2024, 6, 3)),
    ),
    ("date-impossible", "employment", "报送日期", "2024-02-30", ("bad", "bad_date")),
    ("date-words", "employment", "报送日期", "六月三日", ("bad", "bad_date")),
    ("date-month-only", "employment", "报送日期", "2024-06", ("bad", "bad_date")),
    # months
    ("month-iso", "employment", "务工起始月份", "2024-03", ("ok", "2024-03")),
    ("month-slash", "employment", "务工起始月份", "2024/3", ("ok", "2024-03")),
    ("month-chinese", "employment", "务工起始月份", "2024年3月", ("ok", "2024-03")),
    ("month-compact", "employment", "务工起始月份", "202403", ("ok", "2024-03")),
    ("month-date-cell", "employment", "务工起始月份", dt.date(2024, 3, 15), ("ok", "2024-03")),
    ("month-13", "employment", "务工起始月份", "2024-13", ("bad", "bad_month")),
    ("month-words", "employment", "务工起始月份", "三月份", ("bad", "bad_month")),
    ("month-missing", "employment", "务工起始月份", None, ("bad", "missing_required")),
    # money
    ("money-plain", "employment", "月收入（元）", "4500", ("ok", Decimal("4500.00"))),
    ("money-number-cell", "employment", "月收入（元）", 4500.5, ("ok", Decimal("4500.50"))),
    ("money-commas", "employment", "月收入（元）", "4,500", ("ok", Decimal("4500.00"))),
    ("money-yuan-suffix", "employment", "月收入（元）", "4500元", ("ok", Decimal("4500.00"))),
    ("money-words", "employment", "月收入（元）", "四千五", ("bad", "bad_money")),
    ("money-two-points", "employment", "月收入（元）", "4.500.00", ("bad", "bad_money")),
    ("money-optional-empty", "employment", "月收入（元）", None, ("ok", None)),
    # code lists
    ("code-exact", "employment", "就业形式", "县内务工", ("ok", "县内务工")),
    ("code-spaces", "employment", "就业形式", " 县内务工 ", ("ok", "县内务工")),
    ("code-other", "employment", "就业形式", "外出务工", ("bad", "not_in_code_list")),
    ("code-missing", "employment", "户类型", None, ("bad", "missing_required")),
    # yes / no
    ("yes-chinese", "loans", "是否风险补偿", "是", ("ok", True)),
    ("no-chinese", "loans", "是否风险补偿", "否", ("ok", False)),
    ("yes-y", "loans", "是否风险补偿", "Y", ("ok", True)),
    ("no-n", "loans", "是否风险补偿", "n", ("ok", False)),
    ("yes-1", "loans", "是否风险补偿", 1, ("ok", True)),
    ("no-0-text", "loans", "是否风险补偿", "0", ("ok", False)),
    ("yes-tick", "loans", "是否风险补偿", "√", ("ok", True)),
    ("no-cross", "loans", "是否风险补偿", "×", ("ok", False)),
    ("yes-no-other", "loans", "是否风险补偿", "有", ("bad", "bad_yes_no")),
    # integers
    ("integer-text", "loans", "逾期天数", "35", ("ok", 35)),
    ("integer-number-cell", "loans", "逾期天数", 35, ("ok", 35)),
    ("integer-fraction", "loans", "逾期天数", "2.5", ("bad", "bad_integer")),
    ("integer-words", "loans", "逾期天数", "三", ("bad", "bad_integer")),
    ("integer-below-min", "loans", "逾期天数", "-1", ("bad", "bad_integer")),
    # money in 万元 under a 元 column: converted
    ("money-wanyuan-header", "loans", "贷款金额（元）", "5", ("ok", Decimal("50000.00"))),
    # numbers
    ("number-decimal", "indicators", "本月完成", "12.5", ("ok", 12.5)),
    ("number-negative", "indicators", "本月完成", "-3", ("ok", -3.0)),
    ("number-words", "indicators", "本月完成", "十二", ("bad", "bad_number")),
    # years
    ("year-text", "insurance", "参保年度", "2024", ("ok", 2024)),
    ("year-number-cell", "insurance", "参保年度", 2024, ("ok", 2024)),
    ("year-short", "insurance", "参保年度", "24", ("bad", "bad_integer")),
    # the indicators' code list comes from the year's reported indicators
    ("indicator-code-known", "indicators", "指标编码", "A3-FARMLAND", ("ok", "A3-FARMLAND")),
    (
        "indicator-code-ledger-kpi",
        "indicators",
        "指标编码",
        "A4-MIGRANT",
        ("bad", "not_in_code_list"),
    ),
    # 全县 where the contract allows it
    ("town-county", "indicators", "镇（街道）", "全县", ("ok", "610429")),
    ("town-county-not-allowed", "employment", "镇（街道）", "全县", ("bad", "unknown_town")),
]


def _field(source_name: str, header: str) -> str:
    from etl.declarations import normalise_header

    wanted = normalise_header(header)
    return next(c.field for c in source(source_name).columns if wanted in c.headers)


@pytest.fixture(scope="module")
def typed(tmp_path_factory):
    """Every case's row, read and typed from one real xlsx per source: {source: (extract, typing)}."""
    folder = tmp_path_factory.mktemp("rules")
    result = {}
    for source_name in sorted({c[1] for c in CASES}):
        cases = [c for c in CASES if c[1] == source_name]
        rows = ledger(
            source_name,
            [{header: cell} for _, _, header, cell, _ in cases],
            title=f"{source(source_name).title}（测试）",
        )
        if source_name == "loans":
            # the 万元 case: its header says 万元, so the whole column is in 万元
            header_row = rows[1]
            index = header_row.index("贷款金额（元）")
            header_row[index] = "贷款金额（万元）"
            for row, case in zip(rows[2:], cases, strict=True):
                if case[0] != "money-wanyuan-header":
                    row[index] = "5"
        path = write_xlsx(folder / f"{source_name}_2024-06.xlsx", rows)
        extract = read_extract(path, source(source_name), path.name)
        result[source_name] = (extract, type_extract(extract, today=dt.date(2024, 6, 30)), cases)
    return result


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_cell_rule(typed, case):
    name, source_name, header, _cell, (outcome, expected) = case
    extract, typing, cases = typed[source_name]
    row_number = 3 + cases.index(case)  # title row, header row, then the cases in order
    problems = typing.quarantine.filter(typing.quarantine["row_number"] == row_number)
    if outcome == "ok":
        assert problems.height == 0, problems.to_dicts()
        row = typing.loaded.filter(typing.loaded["row_number"] == row_number).to_dicts()[0]
        value = row[_field(source_name, header)]
        if isinstance(expected, Decimal):
            assert round(Decimal(str(value)), 2) == expected
        else:
            assert value == expected
    else:
        assert problems.select("column_name", "reason_code").rows() == [
            (extract.columns[_field(source_name, header)].text, expected)
        ]
        assert problems["reason"][0]  # a Chinese sentence for the clerk


def test_raw_value_kept(typed):
    """The quarantine keeps the cell as read, so the clerk can find it."""
    _, typing, cases = typed["employment"]
    row = 3 + [c[0] for c in cases].index("money-words")
    assert typing.quarantine.filter(typing.quarantine["row_number"] == row)[
        "raw_value"
    ].to_list() == ["四千五"]


def test_two_bad_cells_one_row(tmp_path):
    """A row with two bad cells: two quarantine entries, one quarantined row."""
    rows = ledger("employment", [{"姓名": "王", "报送日期": "2024-13-01"}, {}])
    extract = read_extract(
        write_xlsx(tmp_path / "e_2024-06.xlsx", rows), source("employment"), "e_2024-06.xlsx"
    )
    typing = type_extract(extract)
    assert typing.rows_quarantined == 1
    assert typing.loaded.height == 1
    assert typing.quarantine.select("row_number", "reason_code").rows() == [
        (2, "bad_name"),
        (2, "bad_date"),
    ]


def test_unknown_town_does_not_look_up_village(tmp_path):
    rows = ledger("employment", [{"镇（街道）": "火星镇", "行政村": "店子河村"}])
    extract = read_extract(
        write_xlsx(tmp_path / "e_2024-06.xlsx", rows), source("employment"), "x_2024-06.xlsx"
    )
    assert type_extract(extract).quarantine["reason_code"].to_list() == ["unknown_town"]


def test_scientific_id_in_csv(tmp_path):
    """Excel saves an 18-digit number to CSV as 6.10429E+17: the digits are gone."""
    rows = ledger("employment", [{"身份证号": "6.10429E+17"}, {}])
    path = write_csv(tmp_path / "e_2024-06.csv", rows, encoding="gb18030")
    typing = type_extract(read_extract(path, source("employment"), path.name))
    assert typing.quarantine.select("row_number", "reason_code").rows() == [
        (2, "id_stored_as_number")
    ]


def test_nil_housing_report_loads(tmp_path):
    """housing_monitor: a township's 'nothing to report' row loads, other required cells empty."""
    header = [
        "户主姓名",
        "身份证号",
        "镇（街道）",
        "行政村",
        "对象类型",
        "安全等级",
        "处置情况",
        "备注",
    ]
    rows = [
        header,
        [None, "无", "马栏镇", None, None, None, None, "无"],
        [None, None, "火星镇", None, None, None, None, "无"],
    ]
    path = write_xlsx(tmp_path / "h_2024-06.xlsx", rows)
    typing = type_extract(read_extract(path, source("housing_monitor"), path.name))
    assert typing.loaded.select("town_code", "is_nil_report").rows() == [("610429108", True)]
    assert typing.quarantine.select("row_number", "reason_code").rows() == [(3, "unknown_town")]


def test_every_reason_code_is_exercised():
    """Each reason code of the contract has at least one failing case above."""
    from etl.rules import REASONS

    covered = {c[4][1] for c in CASES if c[4][0] == "bad"}
    assert covered == set(REASONS)


def test_base_rows_are_valid(tmp_path):
    """The fixtures' base rows break no rule (else the cases above would prove nothing)."""
    for source_name in BASE_ROWS:
        path = write_xlsx(tmp_path / f"{source_name}_2024-06.xlsx", ledger(source_name, [{}]))
        typing = type_extract(read_extract(path, source(source_name), path.name))
        assert typing.quarantine.height == 0, (source_name, typing.quarantine.to_dicts())
        assert typing.loaded.height == 1


@settings(max_examples=300, deadline=None)
@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 6, 30)),
    seq=st.integers(min_value=0, max_value=999),
    last=st.sampled_from("0123456789X"),
)
def test_id_rule_agrees_with_python_stdnum(birth, seq, last):
    """The vectorised GB 11643 check digit agrees with python-stdnum's cn.ric.

    (stdnum also checks the birth place against its table of county codes by year; the
    contract asks for the check digit and a real birth date only.)
    """
    from stdnum.cn import ric

    candidate = f"610429{birth:%Y%m%d}{seq:03d}{last}"
    value, reason = type_id_numbers(
        pl.Series([candidate]), pl.Series([False]), dt.date(2024, 6, 30)
    )
    assert (reason[0] is None) == (ric.calc_check_digit(candidate) == last)
    if reason[0] is None:
        assert value[0] == candidate
    else:
        assert reason[0] == "id_checksum"


def test_declared_names_are_sql_identifiers():
    """Source and field names become table and column names: plain identifiers only."""
    from etl.declarations import IDENTIFIER, sources

    for name, s in sources().items():
        assert IDENTIFIER.fullmatch(name)
        assert all(IDENTIFIER.fullmatch(c.field) for c in s.columns)


def test_a_check_reads_its_months_only_from_known_relations():
    from expectations.catalog import checks

    with pytest.raises(ValueError):
        checks()[0].scoped("check_months; DROP TABLE load_log")
