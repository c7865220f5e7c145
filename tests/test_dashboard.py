"""The dashboard under Streamlit's AppTest, on a real warehouse built from a small county.

Every page in the navigation runs here with its widgets exercised; figures, chart specs and
downloads are compared with the warehouse's own views; nothing shaped like a full resident
ID may appear on a page or in a download; the URL carries the filters both ways. The 核查
page's tabs are exercised in tests/test_checks_page.py; the helpers both use are in
tests/apptest_support.py.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from apptest_support import (
    APP,
    REPO,
    capture_downloads,
    cells,
    charts,
    covered_pages,
    covers,
    make_accounts,
    metrics,
    opener,
    page_text,
    sign_in,
    sql,
    table,
    trace,
    workbook,
)
from browser_support import (
    BAD_ID,
    FULL_ID,
    LATEST_FIRST,
    LATEST_LATER,
    TOWN_CHENGGUAN,
    TOWN_DIMIAO,
    TOWN_TUQIAO,
    build_warehouse,
    copy_warehouse,
    write_later,
)
from streamlit.testing.v1 import AppTest

from dashboard import data, labels
from dashboard.navigation import ACTION, DATA, PAGES, pages_for
from expectations import catalog

VILLAGE_XINMAO = "610429101202"  # 土桥镇新峁村

# -- Fixtures and helpers (the shared ones are in tests/apptest_support.py) -----------------


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("dashboard"))


@pytest.fixture
def app(warehouse, monkeypatch) -> Callable[..., AppTest]:
    """Open a page (after a first run on the default page, as a browser would) with URL params."""
    return opener(warehouse, monkeypatch)


@pytest.fixture
def downloads(monkeypatch) -> dict[str, Callable[[], bytes]]:
    """File name → the callable a download button would run when clicked."""
    return capture_downloads(monkeypatch)


def kpi_rows(warehouse, code, level="county", town=None, village=None) -> list[tuple]:
    return sql(
        warehouse,
        "SELECT period, value, target, expected FROM v_kpi WHERE kpi_code = ? AND level = ? "
        "AND town_code IS NOT DISTINCT FROM ? AND village_code IS NOT DISTINCT FROM ? "
        "ORDER BY period",
        [code, level, town, village],
    )


def the_trend(at: AppTest) -> dict:
    """The trend chart of the indicator chosen on the action page."""
    return charts(at)[f"trend_{at.selectbox(key='filter_kpi').value}"]


# -- The action page ------------------------------------------------------------------------------


@covers(ACTION)
def test_the_action_page_opens_on_the_latest_month_and_each_action_has_its_indicators(
    app, warehouse
):
    at = app(ACTION)
    assert at.selectbox(key="filter_month").value == LATEST_FIRST
    assert at.query_params["month"] == LATEST_FIRST
    per_action = sql(
        warehouse,
        "SELECT action, count(DISTINCT kpi_code) FROM v_kpi WHERE period = ? "
        "AND level = 'county' GROUP BY action ORDER BY action",
        [LATEST_FIRST],
    )
    assert len(per_action) >= 2
    # without an action in the link: the first action with figures this month
    assert at.query_params["action"] == str(per_action[0][0])
    for action, count in per_action:
        at = app(ACTION, action=str(action))
        assert len(at.metric) == count, action  # every indicator of the action
        assert len(at.get("plotly_chart")) == count + 1  # a trend each, the townships
    # 6 persons at work (the row with a note in its name cell was quarantined), 4 trained so
    # far, 100 of 240,000 yuan overdue
    at = app(ACTION, action="3")
    assert metrics(at)["小额信贷逾期率"] == "0.04%"
    at = app(ACTION, action="4")
    shown = metrics(at)
    assert {k: shown.get(k) for k in ("脱贫劳动力务工规模", "脱贫劳动力技能培训（结业）人数")} == {
        "脱贫劳动力务工规模": "6 人",
        "脱贫劳动力技能培训（结业）人数": "4 人",
    }
    text = page_text(at)
    assert "目标 ≥ 19,000 人（每月）" in text
    assert "目标 ≥ 1,400 人（12月31日前） · 按序时应达 421 人" in text  # 1,400 × 92 ÷ 306
    assert "滞后" in text and "牵头：县人社局" in text


@covers(ACTION)
def test_trend_chart_has_the_target_lines_and_the_warehouse_values(app, warehouse):
    at = app(ACTION, kpi="A4-TRAINED")
    spec = the_trend(at)
    rows = kpi_rows(warehouse, "A4-TRAINED")
    assert trace(spec, "实际")["x"] == [r[0] for r in rows]
    assert trace(spec, "实际")["y"] == [r[1] for r in rows]
    assert trace(spec, "目标")["y"] == [1400.0] * len(rows)
    assert trace(spec, "应达进度")["y"] == pytest.approx([r[3] for r in rows])

    at = app(ACTION, kpi="A4-MIGRANT")
    spec = the_trend(at)
    assert trace(spec, "实际")["y"] == [3.0, 5.0, 6.0]
    assert trace(spec, "目标")["y"] == [19000.0] * 3
    assert trace(spec, "应达进度") is None  # a level target: expected is the target


@covers(ACTION)
def test_month_selector_moves_the_headline_and_the_breakdowns(app, warehouse):
    at = app(ACTION, action="3")
    at.selectbox(key="filter_month").set_value("2024-03").run()
    assert at.query_params["month"] == "2024-03"
    assert metrics(at)["小额信贷逾期率"] == "0.67%"  # 2,000 of 300,000 yuan overdue
    assert "滞后" in page_text(at)
    at = app(ACTION, action="4", month="2024-03")
    assert metrics(at)["脱贫劳动力务工规模"] == "3 人"
    assert "2024年3月" in charts(at)["towns_chart"]["layout"]["title"]["text"]
    # the trend is the year as of the month chosen: March, then March to May
    assert trace(the_trend(at), "实际")["x"] == ["2024-03"]
    at = app(ACTION, action="3", month=LATEST_FIRST)
    assert trace(the_trend(at), "实际")["x"] == ["2024-03", "2024-04", "2024-05"]


@covers(ACTION)
def test_township_and_village_filters_drive_figures_charts_and_url(app, warehouse):
    at = app(ACTION, kpi="A4-MIGRANT")
    at.selectbox(key="filter_town").set_value(TOWN_TUQIAO).run()
    assert not at.exception
    assert at.query_params["town"] == TOWN_TUQIAO
    # 土桥镇: P1 and P2 in 程家咀村, P5 and P9 in 新峁村
    assert metrics(at)["脱贫劳动力务工规模"] == "4 人"
    assert "目标只设到全县，镇村不分解" in page_text(at)
    at = app(ACTION, kpi="A3-LOAN-OVERDUE", town=TOWN_TUQIAO)
    trend = the_trend(at)
    assert trace(trend, "实际")["y"] == [
        r[1] for r in kpi_rows(warehouse, "A3-LOAN-OVERDUE", "town", TOWN_TUQIAO)
    ]
    assert "土桥镇" in trend["layout"]["title"]["text"]
    # the township's villages: a chart and a table with a download
    assert "villages_chart" in charts(at)
    villages = sql(
        warehouse,
        "SELECT village_name FROM v_kpi JOIN ref_villages USING (village_code) "
        "WHERE kpi_code = 'A3-LOAN-OVERDUE' AND period = ? AND level = 'village' "
        "AND v_kpi.town_code = ? ORDER BY village_code",
        [LATEST_FIRST, TOWN_TUQIAO],
    )
    assert table(at, "行政村代码")["行政村"].tolist() == [v for (v,) in villages]
    assert at.get("download_button")

    at.selectbox(key="filter_village").set_value(VILLAGE_XINMAO).run()
    assert at.query_params["village"] == VILLAGE_XINMAO
    assert at.selectbox(key="filter_kpi").value == "A3-LOAN-OVERDUE"
    assert trace(the_trend(at), "实际")["y"] == [
        r[1] for r in kpi_rows(warehouse, "A3-LOAN-OVERDUE", "village", TOWN_TUQIAO, VILLAGE_XINMAO)
    ]

    # another township: its villages differ, so the village filter goes
    at.selectbox(key="filter_town").set_value(TOWN_DIMIAO).run()
    assert "village" not in at.query_params
    assert at.selectbox(key="filter_village").value == ""
    assert at.selectbox(key="filter_kpi").value == "A3-LOAN-OVERDUE"
    at = app(ACTION, kpi="A4-MIGRANT", town=TOWN_TUQIAO, village=VILLAGE_XINMAO)
    assert metrics(at)["脱贫劳动力务工规模"] == "2 人"
    at = app(ACTION, kpi="A4-MIGRANT", town=TOWN_DIMIAO)
    assert metrics(at)["脱贫劳动力务工规模"] == "1 人"


@covers(ACTION)
def test_indicator_selector_switches_every_chart(app, warehouse):
    at = app(ACTION, town=TOWN_CHENGGUAN, action="3")
    at.selectbox(key="filter_kpi").set_value("A3-LOAN-OVERDUE").run()
    assert at.query_params["kpi"] == "A3-LOAN-OVERDUE"
    by_chart = charts(at)
    # a rate carries the county target at every level: the township bars have the line
    towns = by_chart["towns_chart"]
    assert trace(towns, "目标")["y"] == [0.005] * 10
    # the townships ranked: lower is better for an overdue rate, ties share a rank, the
    # table in the chart's order
    town_rows = sql(
        warehouse,
        "SELECT town_code, value FROM v_kpi WHERE kpi_code = 'A3-LOAN-OVERDUE' AND period = ? "
        "AND level = 'town' ORDER BY value NULLS LAST, town_code",
        [LATEST_FIRST],
    )
    assert trace(towns, "实际")["customdata"] == [r[0] for r in town_rows]
    assert trace(towns, "实际")["y"] == [r[1] for r in town_rows]
    ranked = table(at, "镇（街道）代码")
    values = [r[1] for r in town_rows]
    assert ranked["名次"].tolist() == [
        1 + sum(1 for w in values if w is not None and v is not None and w < v)
        if v is not None
        else 1 + sum(1 for w in values if w is not None)
        for v in values
    ]
    assert by_chart["villages_chart"]["layout"]["yaxis"]["tickformat"] == ".2%"

    at = app(ACTION, town=TOWN_CHENGGUAN, action="4")
    at.selectbox(key="filter_kpi").set_value("A4-MIGRANT").run()
    towns = charts(at)["towns_chart"]
    assert trace(towns, "目标") is None  # counts have no township target
    assert sum(trace(towns, "实际")["y"]) == 6  # townships add up to the county
    assert trace(towns, "实际")["y"] == sorted(trace(towns, "实际")["y"], reverse=True)

    # another action: the indicator goes (it belongs to one action)
    at.selectbox(key="filter_action").set_value("3").run()
    assert "kpi" not in at.query_params or at.query_params["kpi"].startswith("A3-")


@covers(ACTION)
def test_a_shared_link_opens_the_same_view_and_keeps_its_url(app):
    link = {
        "month": "2024-04",
        "town": TOWN_TUQIAO,
        "village": VILLAGE_XINMAO,
        "action": "4",
        "kpi": "A4-TRAINED",
    }
    at = app(ACTION, **link)
    assert at.selectbox(key="filter_month").value == "2024-04"
    assert at.selectbox(key="filter_town").value == TOWN_TUQIAO
    assert at.selectbox(key="filter_village").value == VILLAGE_XINMAO
    assert at.selectbox(key="filter_action").value == "4"
    assert at.selectbox(key="filter_kpi").value == "A4-TRAINED"
    assert dict(at.query_params) == link
    assert "新峁村" in the_trend(at)["layout"]["title"]["text"]
    # the link to the data page carries the place and month, nothing else
    data_link = at.get("page_link")[0].proto
    assert data_link.page == DATA.url_path
    assert dict(p.split("=") for p in data_link.query_string.split("&")) == {
        "month": "2024-04",
        "town": TOWN_TUQIAO,
        "village": VILLAGE_XINMAO,
    }


@covers(ACTION)
def test_a_link_with_unknown_values_falls_back_and_says_so(app):
    at = app(ACTION, month="2023-01", town="610429999", kpi="NO-SUCH")
    assert at.selectbox(key="filter_month").value == LATEST_FIRST
    assert at.selectbox(key="filter_town").value == ""
    assert "town" not in at.query_params
    notes = [c.value for c in at.caption]
    assert any("town=610429999" in n and "已改用默认值" in n for n in notes)


# -- Data page ------------------------------------------------------------------------------


@covers(DATA)
def test_data_page_lists_checks_failed_first_and_every_failing_row(app, warehouse):
    at = app(DATA)
    assert at.title[0].value.startswith("数据")
    checks = table(at, "核查编号")
    # every declared check has its verdict, failed first (errors before warnings), then
    # those not evaluated, then those passed, as the warehouse has them
    verdicts = sql(
        warehouse,
        "SELECT check_id, status, severity, failing_rows FROM v_check_results WHERE period = ?",
        [LATEST_FIRST],
    )
    assert {v[0] for v in verdicts} == {c.id for c in catalog.checks()}
    rank = {"failed": 0, "not_evaluated": 1, "passed": 2}
    verdicts.sort(key=lambda v: (rank[v[1]], v[2] != "error", v[0]))
    assert checks["核查编号"].tolist() == [v[0] for v in verdicts]
    assert checks["结果"].tolist() == [labels.WORDS["check_status"][v[1]] for v in verdicts]
    assert cells(checks["问题数（全县）"]) == [v[3] for v in verdicts]
    # the small county's own failures lead: X04, X05, X06 (P8, P9); U01 passes
    assert checks["核查编号"].tolist()[:3] == ["X04", "X05", "X06"]
    shown = dict(zip(checks["核查编号"], cells(checks["问题数（全县）"]), strict=True))
    assert {c: shown[c] for c in ("X04", "X05", "X06", "U01")} == {
        "X04": 2,
        "X05": 2,
        "X06": 1,
        "U01": 0,
    }
    # the first failed check is open, with its rule and who corrects it
    assert at.selectbox(key="filter_check").value == "X04"
    assert at.query_params["check"] == "X04"
    entry = "\n".join(m.value for m in at.markdown)
    assert "由谁更正：县人社局" in entry
    failures = table(at, "所在台账")
    expected = sql(
        warehouse,
        "SELECT count(*) FROM v_check_failures WHERE check_id = 'X04' AND period = ?",
        [LATEST_FIRST],
    )[0][0]
    assert len(failures) == expected == 2
    assert set(failures["所在台账"]) == {"防返贫监测对象和脱贫人口信息表", "脱贫人口务工台账"}
    assert failures["文件"].str.startswith(("roster/", "employment/")).all()
    assert failures["身份证号（已脱敏）"].str.fullmatch(r"610429\*{8}\d{3}[\dX]").all()


@covers(DATA)
def test_data_page_month_selector(app, warehouse):
    at = app(DATA)
    at.selectbox(key="filter_month").set_value("2024-03").run()
    assert at.query_params["month"] == "2024-03"
    checks = table(at, "核查编号")
    assert dict(zip(checks["核查编号"], cells(checks["问题数（全县）"]), strict=True)) == {
        check: count
        for check, count in sql(
            warehouse, "SELECT check_id, failing_rows FROM v_check_results WHERE period = '2024-03'"
        )
    }
    assert len(table(at, "所在台账")) == 3  # X04 in March: P5, P6, P8 are 务工 in the roster only


@covers(DATA)
def test_data_page_check_selector_and_township_filter(app, warehouse):
    at = app(DATA, check="X05")
    assert at.selectbox(key="filter_check").value == "X05"
    assert len(table(at, "所在台账")) == 2
    at.selectbox(key="filter_town").set_value(TOWN_CHENGGUAN).run()
    failures = table(at, "所在台账")
    assert failures["镇（街道）"].tolist() == ["城关街道"]
    assert failures["行政村"].tolist() == ["邓家沟"]
    assert failures["问题对象编号（非个人时）"].tolist() == ["610429001207"]
    assert table(at, "核查编号")["问题数（所选地区）"].tolist()[:3] == [1, 1, 0]
    at.selectbox(key="filter_check").set_value("X06").run()
    assert at.query_params["check"] == "X06"
    assert "城关街道在2024年5月没有这项核查的问题行。" in "\n".join(c.value for c in at.caption)
    # one village: X04's only 城关街道 row is P8's, in 邓家沟
    at.selectbox(key="filter_check").set_value("X04").run()
    at.selectbox(key="filter_village").set_value("610429001207").run()
    assert at.query_params["village"] == "610429001207"
    assert table(at, "所在台账")["行政村"].tolist() == ["邓家沟"]
    assert table(at, "核查编号")["问题数（所选地区）"].tolist()[:3] == [1, 1, 0]


@covers(DATA)
def test_data_page_load_log_and_quarantine_in_chinese_and_masked(app):
    at = app(DATA, month="2024-03")
    log = table(at, "加载结果")
    assert set(log["加载结果"]) == {"已入库", "拒收"}
    rejected = log[log["加载结果"] == "拒收"].iloc[0]
    assert rejected["拒收原因"] == "文件夹不对应任何台账"
    assert rejected["台账"] == "低保名单"
    quarantine = table(at, "原始内容（已脱敏）")
    assert quarantine["问题"].tolist() == ["身份证号校验位不对（最后一位与前17位不符），请核对"]
    assert quarantine["原始内容（已脱敏）"].tolist() == [BAD_ID[:6] + "*" * 8 + BAD_ID[-4:]]

    at = app(DATA, month="2024-05")
    cells = table(at, "原始内容（已脱敏）")
    assert cells["原始内容（已脱敏）"].tolist() == [
        "李" + "*" * (len("李雨静（已于二〇二四年三月外出到西安市务工，联系电话见备注栏）") - 1)
    ]
    at.toggle(key="all_months").set_value(True).run()
    assert len(table(at, "原始内容（已脱敏）")) == 2
    assert len(at.selectbox(key="quarantine_file").options) == 3  # all, and each file
    at.selectbox(key="quarantine_file").set_value(
        at.selectbox(key="quarantine_file").options[1]
    ).run()


@covers(DATA)
def test_data_page_offers_every_sources_template(app, downloads):
    from etl.declarations import sources
    from etl.templates import INSTRUCTIONS_SHEET, template_bytes

    at = app(DATA)
    assert "报送模板下载" in [h.value for h in at.header]
    picker = at.selectbox(key="template_source")
    assert picker.options == [
        f"{s.title}（{s.department}）" for s in sources().values()
    ]  # all sixteen, by their Chinese titles
    assert len(picker.options) == 16
    assert not any(name.endswith("（模板）.xlsx") for name in downloads)  # none built yet
    picker.set_value("loans").run()
    assert not at.exception
    content = downloads["脱贫人口小额信贷台账（模板）.xlsx"]()
    assert content == template_bytes("loans")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames[:2] == ["脱贫人口小额信贷台账", INSTRUCTIONS_SHEET]
    assert [c.value for c in book["脱贫人口小额信贷台账"][3]][:2] == ["贷款合同号", "借款人姓名"]
    at.selectbox(key="template_source").set_value("indicators").run()
    assert openpyxl.load_workbook(io.BytesIO(downloads["重点指标填报表（模板）.xlsx"]()))


@covers(DATA)
def test_templates_are_offered_before_any_data(tmp_path, monkeypatch, downloads):
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(tmp_path / "nothing" / "xunyi.duckdb"))
    make_accounts(monkeypatch)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), "analyst").run()
    at.switch_page(DATA.path).run()
    assert "尚未找到已发布的数据仓库" in at.warning[0].value
    at.selectbox(key="template_source").set_value("roster").run()
    assert not at.exception
    assert (
        openpyxl.load_workbook(
            io.BytesIO(downloads["防返贫监测对象和脱贫人口信息表（模板）.xlsx"]())
        ).sheetnames[0]
        == "防返贫监测对象和脱贫人口信息表"
    )


@covers(DATA)
def test_a_month_without_checks_says_so(app, warehouse, tmp_path, monkeypatch):
    grown = copy_warehouse(warehouse, tmp_path / "wh")
    _load(tmp_path / "later", grown)
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(grown))
    at = app(DATA)
    assert at.selectbox(key="filter_month").value == LATEST_LATER
    assert any("还没有核查结果" in i.value for i in at.info)


@covers(DATA)
def test_a_verdict_older_than_a_correction_is_marked_stale(app, warehouse, tmp_path, monkeypatch):
    from browser_support import P
    from county import CHENGGUAN, TUQIAO, TUQIAO_2, Month, write_month

    live = copy_warehouse(warehouse, tmp_path / "wh")
    # the HR bureau resends May with P8 added: May's checks ran before this file came
    write_month(
        tmp_path / "fix" / "inbox",
        Month(
            "2024-05",
            employment=[
                (P[1], TUQIAO),
                (P[2], TUQIAO),
                (P[4], CHENGGUAN),
                (P[5], TUQIAO_2),
                (P[8], CHENGGUAN),
            ],
        ),
    )
    _load(tmp_path / "fix", live, later=False)
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(live))
    at = app(DATA, month="2024-05")
    assert set(table(at, "核查编号")["是否过期"]) == {"已过期：核查后又加载了新文件"}
    assert any("结果已过期" in w.value for w in at.warning)
    at = app(DATA, month="2024-04")
    assert set(table(at, "核查编号")["是否过期"]) == {""}


# -- Both pages -----------------------------------------------------------------------------


@covers(ACTION)
@covers(DATA)
def test_every_download_is_the_whole_masked_table_in_chinese(app, downloads, monkeypatch):
    monkeypatch.setattr(data, "ROW_CAP", 1)
    at = app(ACTION, town=TOWN_TUQIAO, kpi="A3-LOAN-OVERDUE")
    notes = [c.value for c in at.caption]
    assert any("仅显示前 1 行，共 22 行；下载可得全部" in n for n in notes)  # 土桥镇's 22 villages
    assert len(table(at, "行政村代码")) == 1
    villages = workbook(downloads.pop("小额信贷逾期率_土桥镇各村_2024-05.xlsx")())
    assert villages.height == 22
    towns = workbook(downloads.pop("小额信贷逾期率_各镇（街道）_2024-05.xlsx")())
    assert towns.height == 10 and "土桥镇" in towns["镇（街道）"].to_list()
    assert towns.columns[:3] == ["名次", "镇（街道）", "镇（街道）代码"]
    assert villages.columns[:4] == ["名次", "镇（街道）", "行政村", "行政村代码"]
    at.switch_page(DATA.path).run()
    downloads.clear()
    at.toggle(key="all_months").set_value(True).run()
    assert not at.exception
    assert sorted(downloads) == sorted(
        [
            "数据核查结果_2024-05.xlsx",
            "核查问题行_X04_2024-05.xlsx",
            "文件加载记录_全部.xlsx",
            "隔离单元格_全部.xlsx",
        ]
    )
    assert len(table(at, "加载结果")) == 1  # the load log on screen: capped
    heights = {}
    for file_name, make in downloads.items():
        content = make()
        frame = workbook(content)
        heights[file_name] = frame.height
        assert all(re.search(r"[\u4e00-\u9fff]", c) for c in frame.columns), (
            file_name,
            frame.columns,
        )
        cells = frame.select(pl.all().cast(pl.String)).to_pandas().to_csv()
        assert not FULL_ID.search(cells), file_name


@covers(ACTION)
@covers(DATA)
def test_no_full_id_on_any_page(app):
    seen = []
    for page in pages_for(administers=False):
        for params in (
            {},
            {"month": "2024-03"},
            {"town": TOWN_TUQIAO},
            {"town": TOWN_DIMIAO, "check": "X06"},
            {"kpi": "A4-MIGRANT", "town": TOWN_CHENGGUAN, "village": "610429001207"},
        ):
            at = app(page, **params)
            if page == DATA:
                at.toggle(key="all_months").set_value(True).run()
            # the checks page's tabs: test_checks_page.py opens each
            text = page_text(at)
            assert not FULL_ID.search(text), (page.path, params, FULL_ID.search(text).group())
            seen.append(text)
    joined = "\n".join(seen)
    assert "610429********" in joined  # masked IDs are shown, so the test looked at them


# Columns that can show who a person is.
PERSONAL_COLUMNS = {"id_number", "person_name", "raw_value", "entity_key", "exception_entity"}


@covers(ACTION)
@covers(DATA)
def test_without_a_warehouse_each_page_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(tmp_path / "nothing" / "xunyi.duckdb"))
    make_accounts(monkeypatch)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), "analyst").run()
    assert not at.exception
    assert "尚未找到已发布的数据仓库" in at.warning[0].value
    at.switch_page(DATA.path).run()
    assert not at.exception
    assert "python -m etl run" in at.warning[0].value


@covers(ACTION)
def test_a_newly_published_warehouse_is_read_without_restarting(
    app, warehouse, tmp_path, monkeypatch
):
    live = copy_warehouse(warehouse, tmp_path / "wh")
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(live))
    at = app(ACTION, action="4")
    assert at.selectbox(key="filter_month").value == LATEST_FIRST
    assert metrics(at)["脱贫劳动力务工规模"] == "6 人"
    _load(tmp_path / "later", live)  # publishes by rename: a new inode
    at.query_params.pop("month")
    at.run()
    assert at.selectbox(key="filter_month").value == LATEST_LATER
    assert metrics(at)["脱贫劳动力务工规模"] == "7 人"


def _load(directory: Path, warehouse: Path, later: bool = True) -> None:
    """Load June (or what `directory` holds) through the real publishing path, as
    `python -m etl load` does."""
    from etl.indicators import refresh_indicators
    from etl.load import load_directory
    from etl.progress import Progress
    from etl.warehouse import publishing

    if later:
        write_later(directory / "inbox")
    with open(os.devnull, "w") as quiet, publishing(warehouse, say=lambda _: None) as build:
        load_directory(build.con, directory / "inbox", Progress(0, "加载", stream=quiet))
        refresh_indicators(build.con)


# -- The module's own rules ------------------------------------------------------------------


def test_every_page_in_the_navigation_has_an_apptest_test():
    covered = covered_pages()  # the @covers marks of every tests/test_*.py
    missing = [p.path for p in PAGES if not covered.get(p.path)]
    assert not missing, f"pages without an AppTest test (mark one with @covers): {missing}"
    assert set(covered) <= {p.path for p in PAGES}, (
        f"a mark that covers no page of the navigation: {set(covered) - {p.path for p in PAGES}}"
    )
    # the marks are read from source: this file's own must be among them
    assert "test_dashboard.py::test_no_full_id_on_any_page" in covered[DATA.path]
    for page in PAGES:
        assert (REPO / "dashboard" / page.path).exists()


def test_pages_hold_no_sql_and_open_no_connections():
    for page in PAGES:
        source = (REPO / "dashboard" / page.path).read_text(encoding="utf-8")
        assert "duckdb" not in source and "connect" not in source, page.path
        assert not re.search(r"\b(SELECT|FROM|WHERE)\b", source), page.path


def test_every_code_the_views_can_hold_has_chinese_words():
    # spec/interfaces.md: load statuses, rejection reasons, check severities and statuses
    assert set(labels.WORDS["load_status"]) == {"loaded", "unchanged", "rejected"}
    assert set(labels.WORDS["reject_reason"]) == {
        "no_period",
        "missing_column",
        "duplicate_period",
        "unknown_source",
        "unreadable",
    }
    assert set(labels.WORDS["severity"]) == {"error", "warning"}
    assert set(labels.WORDS["check_status"]) == {"passed", "failed", "not_evaluated"}
    assert set(labels.WORDS["kpi_status"]) == {"on_track", "at_risk", "off_track", "info"}


@pytest.mark.parametrize(
    "value,unit,text",
    [
        (19000, "人", "19,000 人"),
        (558.17, "人", "558 人"),
        (0.0019, "比例", "0.19%"),
        (0.456, "比例", "45.6%"),
        (None, "人", "—"),
        (1234.5, "万元", "1,234.50 万元"),
    ],
)
def test_figures_read_as_leaders_expect(value, unit, text):
    assert labels.number(value, unit) == text


def test_every_query_file_runs_and_every_table_has_chinese_headers(officer_county, tmp_path):
    """Each dashboard_*.sql runs with the parameters the data module gives it, on the
    connection the data module opens (the journal overlay); its result has a Chinese header
    for every column it shows. On the data officer's county, whose journal holds two
    validations, and one exception recorded here, so every query has rows to return."""
    from etl import journal

    live = copy_warehouse(officer_county, tmp_path / "wh")
    failing = sql(
        live,
        "SELECT DISTINCT entity_key FROM v_check_failures WHERE check_id = 'X04' AND period = ? "
        "ORDER BY entity_key",
        [LATEST_FIRST],
    )
    accepted, still_open = failing[0][0], failing[1][0]
    journal.accept(live, "X04", accepted, LATEST_FIRST, "异地务工，已核实", "测试员")
    con = data.connect(live)
    place = {"level": "town", "town": TOWN_TUQIAO, "village": None}
    params = {
        "dashboard_months": {},
        "dashboard_towns": {},
        "dashboard_villages": {"town": TOWN_TUQIAO},
        "dashboard_indicators": {"month": LATEST_FIRST, **place},
        "dashboard_trend": {"kpi": "A4-MIGRANT", "month": LATEST_FIRST, **place},
        "dashboard_town_breakdown": {"kpi": "A4-MIGRANT", "month": LATEST_FIRST},
        "dashboard_village_breakdown": {
            "kpi": "A4-MIGRANT",
            "month": LATEST_FIRST,
            "town": TOWN_TUQIAO,
        },
        "dashboard_indicator_notes": {"action": 4, "month": LATEST_FIRST, "town": None},
        "dashboard_load_log": {"month": LATEST_FIRST, "all_months": True},
        "dashboard_quarantine_files": {"month": LATEST_FIRST, "all_months": True},
        "dashboard_quarantine": {"month": LATEST_FIRST, "all_months": True, "file_name": None},
        "dashboard_check_results": {"month": LATEST_FIRST, **place},
        "dashboard_check_failures": {
            "check": "X04",
            "month": LATEST_FIRST,
            "town": None,
            "village": None,
        },
        "dashboard_check_months": {},
        "dashboard_departments": {"month": None},
        "dashboard_department_checks": {"month": LATEST_FIRST},
        "dashboard_department_todo": {"department": "县人社局"},
        "dashboard_entity_key": {
            "check": "X04",
            "month": LATEST_FIRST,
            "entity_ref": hashlib.md5(f"X04|{still_open}".encode()).hexdigest(),
        },
        "dashboard_exceptions": {},
        "dashboard_validation_runs": {},
        "dashboard_validation_changes": {"run_id": None},
        "dashboard_forecast": {"kpi": "A4-MIGRANT", "month": LATEST_FIRST, **place},
        "dashboard_actions": {"month": LATEST_FIRST},
        "dashboard_action_tiles": {"month": LATEST_FIRST},
        "dashboard_decisions": {"month": LATEST_FIRST},
        "dashboard_completeness": {"month": LATEST_FIRST},
        "dashboard_township_scores": {"month": LATEST_FIRST},
        "dashboard_last_meeting": {"month": "2024-08"},  # May's meeting
    }
    files = {p.stem for p in (REPO / "warehouse" / "queries").glob("dashboard_*.sql")}
    files.remove(data.OVERLAY)  # the connection's views, not a query
    assert files == set(params), "a query file without a test call, or a call without a file"
    tables = {
        "dashboard_town_breakdown",
        "dashboard_village_breakdown",
        "dashboard_indicator_notes",
        "dashboard_load_log",
        "dashboard_quarantine",
        "dashboard_check_results",
        "dashboard_check_failures",
        "dashboard_departments",
        "dashboard_department_todo",
        "dashboard_exceptions",
        "dashboard_validation_runs",
        "dashboard_validation_changes",
    }
    analyst = data.Scope(see_rows=True, unmask=False, town=None)
    params = {name: values | data.scope_params(analyst, name) for name, values in params.items()}
    try:
        for name, values in params.items():
            frame = data.run_query(con, name, values)
            # a query that shows a person reads the viewer's scope (tests/test_roles.py)
            shows_people = set(frame.columns) & PERSONAL_COLUMNS
            assert not shows_people or data.is_personal(name), (name, shows_people)
            # this county's 重点指标填报表 has no 备注 (test_overview_page.py has one)
            assert frame.height > 0 or name == "dashboard_indicator_notes", name
            if name in tables:
                # raises on a column without a Chinese header; `entity_ref` is never shown
                # (Warehouse.check_failures drops it)
                labels.present(frame.drop("entity_ref", strict=False))
        # the overlay: the entity accepted above is no longer an open failure
        gone = {**params["dashboard_entity_key"]}
        gone["entity_ref"] = hashlib.md5(f"X04|{accepted}".encode()).hexdigest()
        assert data.run_query(con, "dashboard_entity_key", gone).is_empty()
    finally:
        con.close()
