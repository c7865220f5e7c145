"""Every layout tolerance of the contract, with a case it accepts and one it turns away."""

from __future__ import annotations

import pytest
from files import (
    EMPLOYMENT_HEADER,
    Merge,
    employment_row,
    make_id,
    write_csv,
    write_xls,
    write_xlsx,
)

from etl.declarations import source
from etl.extract import FileRejected, read_extract
from etl.rules import type_extract

EMPLOYMENT = source("employment")


def read(path, name=None):
    return read_extract(path, EMPLOYMENT, name or path.name)


def loaded_rows(extract) -> list[int]:
    return type_extract(extract).loaded["row_number"].to_list()


# -- title rows and the header ---------------------------------------------------------------


@pytest.mark.parametrize("titles", [0, 1, 5])
def test_title_rows_above_header(tmp_path, titles):
    notes = [
        ["旬邑县2024年6月脱贫人口务工台账"],
        ["填报单位：县人社局    填报日期：2024年6月25日"],
        [None],
        ["单位：人、元"],
        ["（此表由各镇汇总）"],
    ][:titles]
    path = write_xlsx(tmp_path / "务工2024-06.xlsx", [*notes, EMPLOYMENT_HEADER, employment_row(1)])
    extract = read(path)
    assert extract.rows_read == 1
    assert loaded_rows(extract) == [titles + 2]


def test_header_too_deep_is_not_found(tmp_path):
    notes = [[f"说明第{i}行"] for i in range(8)]
    path = write_xlsx(tmp_path / "务工2024-06.xlsx", [*notes, EMPLOYMENT_HEADER, employment_row(1)])
    with pytest.raises(FileRejected) as e:
        read(path)
    assert e.value.reason_code == "missing_column"
    assert "找不到表头" in e.value.message


def test_two_row_header_with_merged_group(tmp_path):
    """`务工情况` merged over three columns; the other headers merged down over both rows."""
    upper = [
        "序号",
        "姓名",
        "身份证号",
        "镇（街道）",
        "行政村",
        "户类型",
        "务工情况",
        None,
        None,
        "务工起始月份",
        "月收入（元）",
        "跨省交通补助",
        "报送日期",
    ]
    lower = [
        None,
        None,
        None,
        None,
        None,
        None,
        "就业形式",
        "务工地点",
        "务工单位",
        None,
        None,
        None,
        None,
    ]
    merges = [
        Merge(1, i, 2, i, text) for i, text in enumerate(upper) if text and text != "务工情况"
    ]
    merges.append(Merge(1, 6, 1, 8, "务工情况"))
    rows = [["旬邑县2024年6月脱贫人口务工台账"], upper, lower, employment_row(1), employment_row(2)]
    extract = read(write_xlsx(tmp_path / "务工2024-06.xlsx", rows, merges=merges))
    assert extract.columns["employment_form"].text == "就业形式"
    assert extract.columns["name"].text == "姓名"
    assert loaded_rows(extract) == [4, 5]


def test_group_header_alone_does_not_name_a_column(tmp_path):
    """Without the lower row, `务工情况` names nothing: 就业形式 is missing."""
    header = [h if h != "就业形式" else "务工情况" for h in EMPLOYMENT_HEADER]
    with pytest.raises(FileRejected) as e:
        read(write_xlsx(tmp_path / "务工2024-06.xlsx", [header, employment_row(1)]))
    assert (e.value.reason_code, e.value.message) == ("missing_column", "缺少必填列：就业形式")


# -- header spellings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field,header",
    [
        ("id_number", "身份证号码"),
        ("id_number", "公民身份号码"),
        ("id_number", "证件号码"),
        ("town_code", "乡镇"),
        ("town_code", "乡镇（街道）"),
        ("town_code", "镇"),
        ("town_code", "所属镇"),
        ("village_code", "村"),
        ("village_code", "村（社区）"),
        ("village_code", "所在村"),
        ("name", " 姓名 "),
        ("name", "姓\n名"),
        ("id_number", "身份证号\n（18位）".split("\n")[0]),
        ("monthly_income", "月收入(元)"),
        ("monthly_income", "月收入（元）"),
        ("monthly_income", "月收入"),
        ("employment_form", "就业形式"),
        ("employment_form", "＊就业形式"),
        ("work_start_month", "务工起始月份"),
    ],
)
def test_header_aliases_and_spellings(tmp_path, field, header):
    canonical = next(c.name for c in EMPLOYMENT.columns if c.field == field)
    position = next(i for i, h in enumerate(EMPLOYMENT_HEADER) if h.startswith(canonical))
    row_header = list(EMPLOYMENT_HEADER)
    row_header[position] = header
    extract = read(write_xlsx(tmp_path / "务工2024-06.xlsx", [row_header, employment_row(1)]))
    assert extract.columns[field].text == header  # kept as the file spells it
    assert loaded_rows(extract) == [2]


def test_full_width_and_half_width_header(tmp_path):
    """Ideographic spaces, half-width brackets and full-width letters fold to the same header."""
    header = list(EMPLOYMENT_HEADER)
    header[header.index("镇（街道）")] = "镇(街道)"
    header[header.index("行政村")] = "\u3000行政村\u3000"
    header[header.index("月收入（元）")] = "月收入\n(元)"
    header.append("ＩＤ备注")
    extract = read(write_xlsx(tmp_path / "务工2024-06.xlsx", [header, employment_row(1)]))
    assert loaded_rows(extract) == [2]
    assert extract.columns["village_code"].text == "\u3000行政村\u3000"


def test_unknown_spelling_is_not_an_alias(tmp_path):
    header = [h if h != "身份证号" else "身份证" for h in EMPLOYMENT_HEADER]
    with pytest.raises(FileRejected) as e:
        read(write_xlsx(tmp_path / "务工2024-06.xlsx", [header, employment_row(1)]))
    assert e.value.reason_code == "missing_column"
    assert "身份证号" in e.value.message


def test_columns_in_any_order_with_serial_and_unknown_columns(tmp_path):
    order = list(reversed(range(len(EMPLOYMENT_HEADER))))
    header = [EMPLOYMENT_HEADER[i] for i in order] + ["联系电话", "备注"]
    rows = [header, [employment_row(1)[i] for i in order] + ["13800000000", "无"]]
    extract = read(write_xlsx(tmp_path / "务工2024-06.xlsx", rows))
    assert loaded_rows(extract) == [2]
    assert extract.warnings == ["已忽略未知列：联系电话、备注"]


def test_repeated_column_first_wins(tmp_path):
    header = [*EMPLOYMENT_HEADER, "姓名"]
    rows = [header, [*employment_row(1), "李四"]]
    extract = read(write_xlsx(tmp_path / "务工2024-06.xlsx", rows))
    assert type_extract(extract).loaded["name"].to_list() == ["王芳"]
    assert "重复的列只取第一列" in extract.warnings[0]


def test_missing_required_column_names_it(tmp_path):
    header = [h for h in EMPLOYMENT_HEADER if h not in ("户类型", "务工起始月份")]
    rows = [
        header,
        [v for h, v in zip(EMPLOYMENT_HEADER, employment_row(1), strict=True) if h in header],
    ]
    with pytest.raises(FileRejected) as e:
        read(write_xlsx(tmp_path / "务工2024-06.xlsx", rows))
    assert (e.value.reason_code, e.value.message) == (
        "missing_column",
        "缺少必填列：户类型、务工起始月份",
    )
    assert e.value.period == "2024-06"


def test_missing_optional_column_is_fine(tmp_path):
    header = [h for h in EMPLOYMENT_HEADER if h != "报送日期"]
    rows = [header, employment_row(1)[:-1]]
    typing = type_extract(read(write_xlsx(tmp_path / "务工2024-06.xlsx", rows)))
    assert typing.loaded["reported_date"].to_list() == [None]


# -- rows ------------------------------------------------------------------------------------


def test_blank_rows_keep_the_clerks_row_numbers(tmp_path):
    rows = [
        ["旬邑县2024年6月脱贫人口务工台账"],
        EMPLOYMENT_HEADER,
        employment_row(1),
        [None],
        [3],
        employment_row(2),
        [],
        employment_row(4, 姓名="王"),
    ]
    extract = read(write_xlsx(tmp_path / "务工2024-06.xlsx", rows))
    typing = type_extract(extract)
    assert extract.rows_read == 3  # the blank row and the row holding only a 序号 are not rows
    assert typing.loaded["row_number"].to_list() == [3, 6]
    assert typing.quarantine["row_number"].to_list() == [8]


@pytest.mark.parametrize(
    "label",
    ["合计", "总计", "小计", "填报人：张三", "审核人：李四", "负责人：王五", "  合计（人）"],
)
def test_summary_and_signature_rows_are_skipped(tmp_path, label):
    rows = [
        EMPLOYMENT_HEADER,
        employment_row(1),
        [label, None, None, None, None, None, None, None, None, None, "9000"],
        [12, label],
    ]
    extract = read(write_xlsx(tmp_path / "务工2024-06.xlsx", rows))
    typing = type_extract(extract)
    assert (extract.rows_read, extract.rows_skipped) == (3, 2)
    assert (
        typing.loaded.height + typing.rows_quarantined + extract.rows_skipped == extract.rows_read
    )
    assert typing.quarantine.height == 0


def test_summary_word_later_in_a_row_is_data(tmp_path):
    """Only the first non-empty cell makes a summary row: a 合计 further right is data."""
    rows = [EMPLOYMENT_HEADER, employment_row(1, 务工单位="合计公司")]
    extract = read(write_xlsx(tmp_path / "务工2024-06.xlsx", rows))
    assert (extract.rows_skipped, loaded_rows(extract)) == (0, [2])


# -- sheets and formats ---------------------------------------------------------------------


def test_sheet_named_after_the_title_is_preferred(tmp_path):
    path = write_xlsx(
        tmp_path / "务工2024-06.xlsx",
        [EMPLOYMENT_HEADER, employment_row(1)],
        sheet="脱贫人口务工台账",
        sheets_before=["填表说明"],
    )
    assert loaded_rows(read(path)) == [2]


def test_first_sheet_when_none_is_named_after_the_title(tmp_path):
    path = write_xlsx(
        tmp_path / "务工2024-06.xlsx",
        [EMPLOYMENT_HEADER, employment_row(1)],
        sheet="Sheet2",
        sheets_before=["填表说明"],
    )
    with pytest.raises(FileRejected) as e:
        read(path)
    assert e.value.reason_code == "missing_column"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    rows = [
        ["旬邑县2024年6月脱贫人口务工台账"],
        EMPLOYMENT_HEADER,
        employment_row(1),
        [],
        employment_row(2, 姓名="王"),
    ]
    extract = read(write_csv(tmp_path / "务工2024-06.csv", rows, encoding=encoding))
    typing = type_extract(extract)
    assert typing.loaded.select("row_number", "name", "town_code").rows() == [
        (3, "王芳", "610429101")
    ]
    assert typing.quarantine.select("row_number", "column_name", "raw_value").rows() == [
        (5, "姓名", "王")
    ]


def test_csv_line_numbers_follow_quoted_line_breaks(tmp_path):
    rows = [
        EMPLOYMENT_HEADER,
        employment_row(1, 务工单位="苏州某\n电子厂"),
        employment_row(2, 姓名="王"),
    ]
    typing = type_extract(read(write_csv(tmp_path / "务工2024-06.csv", rows)))
    assert typing.quarantine["row_number"].to_list() == [4]


def test_undecodable_csv_is_unreadable(tmp_path):
    path = tmp_path / "务工2024-06.csv"
    path.write_bytes(b"\xff\xfe\xff\xfe" * 20)
    with pytest.raises(FileRejected) as e:
        read(path)
    assert e.value.reason_code == "unreadable"


def test_xls(tmp_path):
    rows = [
        ["旬邑县2024年6月脱贫人口务工台账"],
        EMPLOYMENT_HEADER,
        employment_row(1),
        employment_row(2, 身份证号=float(make_id(seq="002")[:17] + "0")),
    ]
    typing = type_extract(read(write_xls(tmp_path / "务工2024-06.xls", rows)))
    assert typing.loaded["row_number"].to_list() == [3]
    assert typing.quarantine.select("row_number", "reason_code").rows() == [
        (4, "id_stored_as_number")
    ]


@pytest.mark.parametrize(
    "name,content",
    [
        ("务工2024-06.xlsx", b"PK\x03\x04 this is not really a workbook"),
        ("务工2024-06.xls", b"\xd0\xcf\x11\xe0 broken"),
        ("务工2024-06.xlsx", b""),
        ("说明2024-06.docx", b"PK\x03\x04"),
    ],
)
def test_broken_files_are_unreadable(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileRejected) as e:
        read(path)
    assert e.value.reason_code == "unreadable"
    assert e.value.message


# -- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "务工台账2024-06.xlsx",
        "务工台账202406.xlsx",
        "旬邑县2024年6月务工台账.xlsx",
        "旬邑县2024年06月务工台账.xlsx",
    ],
)
def test_period_from_file_name(tmp_path, name):
    assert (
        read(write_xlsx(tmp_path / name, [EMPLOYMENT_HEADER, employment_row(1)])).period
        == "2024-06"
    )


@pytest.mark.parametrize("cell", ["2024年6月", "2024-06", "202406"])
def test_period_from_column_when_the_name_has_none(tmp_path, cell):
    rows = [
        [*EMPLOYMENT_HEADER, "统计月份"],
        [*employment_row(1), cell],
        [*employment_row(2), cell],
    ]
    assert read(write_xlsx(tmp_path / "务工台账（土桥镇报送）.xlsx", rows)).period == "2024-06"


def test_no_period_anywhere(tmp_path):
    with pytest.raises(FileRejected) as e:
        read(write_xlsx(tmp_path / "务工台账.xlsx", [EMPLOYMENT_HEADER, employment_row(1)]))
    assert e.value.reason_code == "no_period"
    assert "统计月份" in e.value.message


def test_period_column_with_two_months(tmp_path):
    rows = [
        [*EMPLOYMENT_HEADER, "统计月份"],
        [*employment_row(1), "2024-06"],
        [*employment_row(2), "2024-07"],
    ]
    with pytest.raises(FileRejected) as e:
        read(write_xlsx(tmp_path / "务工台账.xlsx", rows))
    assert e.value.reason_code == "no_period"


def test_quarterly_period(tmp_path):
    header = [
        "户编号",
        "户主姓名",
        "身份证号",
        "镇（街道）",
        "行政村",
        "家庭人口数",
        "工资性收入",
        "生产经营性支出",
    ]
    row = [
        "6104291012010001",
        "王建国",
        make_id("19650708", "013"),
        "土桥镇",
        "程家咀村",
        "4",
        "9000",
        "1200",
    ]
    path = write_xlsx(tmp_path / "收支监测2024年第二季度.xlsx", [header, row])
    extract = read_extract(path, source("income"), path.name)
    assert extract.period == "2024-Q2"
    assert type_extract(extract).loaded.height == 1
