"""The 核查 page (dashboard/views/checks_page.py, sections in dashboard/checks.py) under
Streamlit's AppTest, on the county a data officer works on (browser_support's officer
county: three months, two validations in the journal).

Each tab is opened as a click on it would (the tabs' state), its widgets exercised; figures,
chart specs and downloads are compared with the warehouse's own views (v_check_results,
v_check_failures, v_quarantine) and the journal (etl.journal); an exception recorded on
the page leaves the failing rows at once and comes back when withdrawn; nothing shaped like
a full resident ID reaches a tab or a download.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest
from apptest_support import (
    APP,
    capture_downloads,
    charts,
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
from browser_support import FULL_ID, LATEST_FIRST, P, copy_warehouse, write_officer_may_fix
from streamlit.testing.v1 import AppTest

from dashboard import checks, labels
from dashboard.navigation import CHECKS
from etl import journal

HR, RURAL, WATER = "县人社局", "县乡村振兴局", "县水利局"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
STATUS_WORDS = labels.WORDS["check_status"]


# -- Fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(officer_county) -> Path:
    """The officer county as built (read only here: a test that writes takes `live`)."""
    return officer_county


@pytest.fixture
def live(warehouse, tmp_path) -> Path:
    """A copy of the officer county (and its journal) that a test may write to; a test that
    asks for it has the app read it."""
    return copy_warehouse(warehouse, tmp_path / "wh")


@pytest.fixture
def app(request, warehouse, monkeypatch) -> Callable[..., AppTest]:
    """Open the checks page (after a first run on the overview, as a browser would) with
    URL params, on `live` when the test has it, else on the county as built."""
    read = request.getfixturevalue("live") if "live" in request.fixturenames else warehouse
    open_page = opener(read, monkeypatch)

    def open_checks(as_role: str = "analyst", **params: str) -> AppTest:
        return open_page(CHECKS, as_role=as_role, **params)

    return open_checks


@pytest.fixture
def downloads(monkeypatch) -> dict[str, Callable[[], bytes]]:
    return capture_downloads(monkeypatch)


def open_tab(at: AppTest, tab: str) -> AppTest:
    """What a click on the tab does: the tabs' state names it, and the page reruns."""
    at.session_state[checks.TAB_KEY] = tab
    at.run()
    assert not at.exception, at.exception
    assert shown_tab(at) == tab
    return at


def shown_tab(at: AppTest) -> str:
    """The one tab with content (only the open tab's section runs)."""
    shown = [t.label for t in at.tabs if t.children]
    assert len(shown) == 1, shown
    return shown[0]


def entity_ref(check: str, entity_key: str) -> str:
    """How dashboard_check_failures.sql names an entity to the page (never by its key)."""
    return hashlib.md5(f"{check}|{entity_key}".encode()).hexdigest()


def verdicts(warehouse: Path, month: str) -> dict[str, tuple[str, str, int | None]]:
    """check → (status, severity, failing entities) for the month, from v_check_results."""
    rows = sql(
        warehouse,
        "SELECT check_id, status, severity, failing_rows FROM v_check_results WHERE period = ?",
        [month],
    )
    return {check: (status, severity, failing) for check, status, severity, failing in rows}


def failing_rows(warehouse: Path, check: str, month: str) -> list[tuple]:
    return sql(
        warehouse,
        "SELECT entity_key, ledger, file_name, row_number FROM v_check_failures "
        "WHERE check_id = ? AND period = ? ORDER BY entity_key, ledger",
        [check, month],
    )


# A failing row is the department's when one of its ledgers is (source_catalog.department):
# the mapping the page's queries use (dashboard_overlay.sql's ledger_departments).
DEPARTMENT_ROWS = """
SELECT f.period, f.check_id, f.file_name, f.row_number, c.rule, c.severity
FROM v_check_failures AS f
INNER JOIN check_catalog AS c ON f.check_id = c.check_id
WHERE EXISTS (
    SELECT 1 FROM source_catalog AS s
    WHERE list_contains(string_split(f.ledger, ','), s.source) AND s.department = ?
)
"""


def department_rows(warehouse: Path, department: str, month: str | None = None) -> list[tuple]:
    rows = sql(warehouse, DEPARTMENT_ROWS, [department])
    return [r for r in rows if month is None or r[0] == month]


def journal_rows(warehouse: Path, query: str, params=None) -> list[tuple]:
    with journal.reading(warehouse) as con:
        return [] if con is None else con.execute(query, params or []).fetchall()


def refusal(call: Callable[[], object]) -> str:
    """The Chinese message etl.journal gives for bad input (checked before anything is
    written)."""
    with pytest.raises(journal.ExceptionError) as raised:
        call()
    return str(raised.value)


# -- 核查概况 -----------------------------------------------------------------------------


@covers(CHECKS)
def test_overview_counts_are_the_months_results(app, warehouse):
    at = app()
    assert at.title[0].value.startswith("核查")
    assert shown_tab(at) == checks.OVERVIEW
    for month in (LATEST_FIRST, "2024-03"):
        if month != LATEST_FIRST:
            at.selectbox(key="filter_month").set_value(month).run()
            assert at.query_params["month"] == month
        found = verdicts(warehouse, month)
        failed = {c: v for c, v in found.items() if v[0] == "failed"}
        errors = sum(1 for v in failed.values() if v[1] == "error")
        assert metrics(at) == {
            "核查项": f"{len(found)} 项",
            "未通过": f"{len(failed)} 项",
            "未通过的问题对象": f"{sum(v[2] for v in failed.values()):,} 个",
            "已接受为例外": "0 个",  # the journal has none
        }
        assert len(found) == 28  # every declared check has its verdict
        assert at.metric[1].help == f"错误 {errors} 项，提醒 {len(failed) - errors} 项"
        # a button per failed check, with its count
        buttons = {b.key.removeprefix("open_check_"): b.label for b in at.button}
        buttons = {c: label for c, label in buttons.items() if c in found}
        assert set(buttons) == set(failed)
        for check, (_status, _severity, count) in failed.items():
            assert buttons[check].startswith(check) and buttons[check].endswith(f"（{count} 个）")
        # each department's open failing rows of the month
        departments = table(at, "待整改问题行")
        shown = dict(zip(departments["报送部门"], departments["待整改问题行"], strict=True))
        for department, count in shown.items():
            assert count == len(department_rows(warehouse, department, month)), department
        assert shown[HR] > 0 and shown[RURAL] > 0
    # the officer county: X04 and X05 fail in March, not X06
    assert {"X04", "X05"} <= set(failed) and "X06" not in failed


@covers(CHECKS)
def test_a_failed_checks_button_opens_its_failing_rows(app, warehouse):
    at = app()
    at.button(key="open_check_X06").click().run()
    assert not at.exception
    assert shown_tab(at) == checks.ROWS
    assert at.query_params["check"] == "X06"
    assert at.selectbox(key="filter_check").value == "X06"
    rows = table(at, "所在台账")
    assert len(rows) == len(failing_rows(warehouse, "X06", LATEST_FIRST)) == 1  # P9
    # another: the URL follows
    open_tab(at, checks.OVERVIEW)
    at.button(key="open_check_X05").click().run()
    assert at.query_params["check"] == "X05"
    assert len(table(at, "所在台账")) == len(failing_rows(warehouse, "X05", LATEST_FIRST))


@covers(CHECKS)
def test_trend_chart_and_matrix_hold_the_warehouses_counts(app, warehouse):
    at = app()
    spec = charts(at)["failures_trend_chart"]
    rows = sql(
        warehouse,
        "SELECT period, severity, sum(coalesce(failing_rows, 0)) FROM v_check_results "
        "GROUP BY period, severity",
    )
    months = sorted({r[0] for r in rows})
    assert months == ["2024-03", "2024-04", "2024-05"]
    for severity, name in (("error", "错误"), ("warning", "提醒")):
        expected = {r[0]: r[2] for r in rows if r[1] == severity}
        assert trace(spec, name)["x"] == months
        assert trace(spec, name)["y"] == [expected.get(m, 0) for m in months], name
    assert sum(trace(spec, "错误")["y"]) > 0
    # the matrix: a row per check, a column per month, each cell the month's verdict
    matrix = table(at, labels.month_name("2024-04"))
    every = sql(warehouse, "SELECT check_id, period, status, failing_rows FROM v_check_results")
    assert len(matrix) == len({r[0] for r in every}) == 28
    by_check = matrix.set_index("核查编号")
    for check, month, status, failing in every:
        word = STATUS_WORDS[status]
        expected = f"{word}（{failing}）" if status == "failed" else word
        assert by_check.loc[check, labels.month_name(month)] == expected, (check, month)
    # April's corrected HR ledger: X04 failed in March, passes in April
    assert by_check.loc["X04", "2024年4月"] == "通过"


# -- 问题行 -------------------------------------------------------------------------------


@covers(CHECKS)
def test_a_link_opens_a_checks_rows_each_entity_together_and_masked(app, warehouse):
    at = app(check="X04", month=LATEST_FIRST)
    assert shown_tab(at) == checks.ROWS
    assert at.selectbox(key="filter_check").value == "X04"
    assert dict(at.query_params)["check"] == "X04"
    expected = failing_rows(warehouse, "X04", LATEST_FIRST)
    rows = table(at, "对象序号")
    assert len(rows) == len(expected) == 4  # P7 twice, P8, P9
    # one entity's rows sit together: its numbers never come back once another starts
    numbers = rows["对象序号"].tolist()
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len({r[0] for r in expected}) == 3
    # P7 (未务工 in the roster, in the HR ledger): the roster's row beside the HR ledger's
    pairs = rows.groupby("对象序号").filter(lambda g: len(g) == 2)
    assert sorted(pairs["所在台账"]) == ["脱贫人口务工台账", "防返贫监测对象和脱贫人口信息表"]
    assert set(pairs["文件"]) == {f"{p}/{p}_{LATEST_FIRST}.xlsx" for p in ("employment", "roster")}
    assert pairs["身份证号（已脱敏）"].nunique() == 1
    assert pairs["身份证号（已脱敏）"].iloc[0] == P[7].id_number[:6] + "*" * 8 + P[7].id_number[-4:]
    # where the clerk finds each row: the warehouse's files and rows
    assert Counter(zip(rows["文件"], rows["行号"], strict=True)) == Counter(
        (r[2], r[3]) for r in expected
    )
    assert rows["身份证号（已脱敏）"].str.fullmatch(r"610429\*{8}\d{3}[\dX]").all()
    text = page_text(at)
    assert not FULL_ID.search(text), FULL_ID.search(text).group()
    assert "610429********" in text
    assert not at.get("form")  # an analyst records no exception
    # a data officer's form names each entity by its rows, never by its key
    at = app(check="X04", month=LATEST_FIRST, as_role="data_officer")
    choices = at.selectbox(key="accept_entity")
    assert len(choices.options) == 3
    assert choices.format_func(entity_ref("X04", P[7].id_number)).count("；") == 1  # two rows


@covers(CHECKS)
def test_the_rows_tab_follows_the_check_and_month_selectors(app, warehouse):
    at = app(check="X04", month=LATEST_FIRST)
    at.selectbox(key="filter_month").set_value("2024-03").run()
    assert at.query_params["month"] == "2024-03"
    assert shown_tab(at) == checks.ROWS  # the tab stays open
    assert len(table(at, "对象序号")) == len(failing_rows(warehouse, "X04", "2024-03")) == 3
    at.selectbox(key="filter_check").set_value("X06").run()  # passes in March
    assert at.query_params["check"] == "X06"
    assert "X06 在2024年3月已通过。" in [s.value for s in at.success]
    assert not at.dataframe
    assert not at.get("form")  # nothing to accept


# -- Exceptions ------------------------------------------------------------------------------


OFFICER = "测试数据专员（data_officer）"  # who the page signs a data officer's record as


def fill_accept_form(at: AppTest, ref: str | None, up_to: str, reason: str) -> AppTest:
    if ref is not None:
        at.selectbox(key="accept_entity").set_value(ref)
    at.selectbox(key="accept_up_to").set_value(up_to)
    at.text_area(key="accept_reason").set_value(reason)
    at.button(key="accept_submit").click().run()
    assert not at.exception, at.exception
    return at


@covers(CHECKS)
def test_an_exception_takes_the_rows_off_at_once_and_withdrawing_brings_them_back(app, live):
    at = app(check="X04", month=LATEST_FIRST, as_role="data_officer")
    before = len(table(at, "对象序号"))
    fill_accept_form(at, entity_ref("X04", P[7].id_number), "2024-12", "异地务工，已核实劳务合同")
    # the journal has it, as typed
    recorded = journal_rows(
        live,
        "SELECT exception_id, check_id, entity_key, up_to_period, reason, accepted_by, "
        "withdrawn_at FROM exceptions",
    )
    assert recorded == [
        (1, "X04", P[7].id_number, "2024-12", "异地务工，已核实劳务合同", OFFICER, None)
    ]
    assert any("已记录例外（编号 1）" in s.value for s in at.success)
    # P7's two rows left the page at once (the warehouse itself is unchanged)
    rows = table(at, "对象序号")
    assert len(rows) == before - 2 == len(failing_rows(live, "X04", LATEST_FIRST)) - 2
    assert P[7].id_number not in "".join(rows["身份证号"])  # a data officer sees IDs
    assert len(at.selectbox(key="accept_entity").options) == 2
    assert at.text_area(key="accept_reason").value == ""  # the form is cleared
    # the overview counts it
    open_tab(at, checks.OVERVIEW)
    assert metrics(at)["已接受为例外"] == "1 个"
    failing = verdicts(live, LATEST_FIRST)
    total = sum(v[2] for v in failing.values() if v[0] == "failed")
    assert metrics(at)["未通过的问题对象"] == f"{total - 1:,} 个"

    # the 例外 tab lists it: who, why, up to which month
    open_tab(at, checks.EXCEPTIONS)
    active = table(at, "接受理由")
    assert len(active) == 1
    entry = active.iloc[0]
    assert entry["例外编号"] == 1 and entry["例外状态"] == "有效"
    assert (entry["核查编号"], entry["有效至（含该月）"]) == ("X04", "2024-12")
    assert (entry["接受理由"], entry["记录人"]) == ("异地务工，已核实劳务合同", OFFICER)
    assert entry["目前不再报错的问题行"] == 2  # its roster row and its HR ledger row
    assert entry["问题对象"] == P[7].id_number  # unmasked for the data officer
    assert "已撤销的例外（0 条）" in [s.value for s in at.subheader]

    # withdraw it
    assert at.selectbox(key="withdraw_id").value == 1
    at.text_area(key="withdraw_reason").set_value("复核发现劳务合同无效")
    at.button(key="withdraw_submit").click().run()
    assert not at.exception
    assert any("已撤销例外（编号 1）" in s.value for s in at.success)
    (withdrawn,) = journal_rows(
        live, "SELECT withdrawn_by, withdrawn_reason, withdrawn_at IS NOT NULL FROM exceptions"
    )
    assert withdrawn == (OFFICER, "复核发现劳务合同无效", True)
    assert "有效的例外（0 条）" in [s.value for s in at.subheader]
    gone = table(at, "撤销原因")
    assert (gone["撤销人"].tolist(), gone["例外状态"].tolist()) == ([OFFICER], ["已撤销"])
    assert not at.get("form")  # nothing left to withdraw
    # the rows are back
    open_tab(at, checks.ROWS)
    assert len(table(at, "对象序号")) == before


@covers(CHECKS)
def test_an_exception_without_a_reason_is_refused_in_chinese(app, live):
    at = app(check="X04", month=LATEST_FIRST, as_role="data_officer")
    ref = entity_ref("X04", P[8].id_number)
    no_reason = refusal(lambda: journal.accept(live, "X04", "k", "2024-05", " ", "张三"))
    assert CHINESE.search(no_reason)

    fill_accept_form(at, ref, "2024-06", "   ")
    assert [e.value for e in at.error] == [no_reason]
    # nothing recorded, nothing left the page; what was typed is kept for a second try
    assert journal_rows(live, "SELECT count(*) FROM exceptions") in ([], [(0,)])
    assert len(table(at, "对象序号")) == len(failing_rows(live, "X04", LATEST_FIRST))
    at.text_area(key="accept_reason").set_value("异地务工")
    assert at.text_area(key="accept_reason").value == "异地务工"

    # withdrawing needs a reason too
    journal.accept(live, "X04", P[8].id_number, "2024-05", "已核实", "张三")
    at.run()
    open_tab(at, checks.EXCEPTIONS)
    at.text_area(key="withdraw_reason").set_value(" ")
    at.button(key="withdraw_submit").click().run()
    (message,) = [e.value for e in at.error]
    assert CHINESE.search(message)
    assert journal_rows(live, "SELECT withdrawn_at FROM exceptions") == [(None,)]


@covers(CHECKS)
@pytest.mark.parametrize("role", ["leader", "analyst", "town_officer", "admin"])
def test_only_a_data_officer_records_or_withdraws_an_exception(app, live, role):
    journal.accept(live, "X04", P[8].id_number, "2024-05", "已核实", "张三")
    at = app(check="X04", month=LATEST_FIRST, as_role=role)
    assert not at.get("form")  # no form to accept
    open_tab(at, checks.EXCEPTIONS)
    assert not at.get("form")  # none to withdraw
    open_tab(at, checks.UPLOAD)
    assert not at.get("form") and "数据专员" in at.info[0].value
    # and the data module refuses whatever a page would do
    from dashboard import auth, data

    viewer = auth.Viewer(role, "x", role, None, "test")
    warehouse = data.Warehouse(data._stat_version(live), viewer)
    with pytest.raises(PermissionError):
        warehouse.accept_exception("X04", LATEST_FIRST, "ref", "2024-12", "理由")
    with pytest.raises(PermissionError):
        warehouse.withdraw_exception(1, "理由")
    with pytest.raises(PermissionError):
        warehouse.upload("employment", "a.xlsx", b"")


# -- 部门待办 -----------------------------------------------------------------------------


def open_department(at: AppTest, department: str) -> AppTest:
    open_tab(at, checks.TODO)
    at.selectbox(key=checks.DEPARTMENT_KEY).set_value(department).run()
    assert not at.exception
    return at


@covers(CHECKS)
def test_a_departments_todo_is_the_open_failing_rows_of_its_ledgers(app, warehouse):
    at = open_department(app(), HR)
    expected = department_rows(warehouse, HR)
    assert len(expected) > 0
    errors = [r for r in expected if r[5] == "error"]
    assert metrics(at) == {
        "待整改问题行": f"{len(expected):,} 行",
        "其中错误": f"{len(errors):,} 行",
        "涉及核查项": f"{len({r[1] for r in expected})} 项",
        "最近月份": labels.month_name(max(r[0] for r in expected)),
    }
    todo = table(at, "问题说明")
    assert len(todo) == len(expected)
    assert todo["统计期"].tolist() == sorted(todo["统计期"], reverse=True)  # newest first
    counts = table(at, "待整改问题行")
    assert counts["待整改问题行"].sum() == len(expected)
    assert dict(Counter((r[0], r[1]) for r in expected)) == {
        (p, c): n
        for p, c, n in zip(
            counts["统计期"], counts["核查编号"], counts["待整改问题行"], strict=True
        )
    }
    # every department is offered, each with its count
    picker = at.selectbox(key=checks.DEPARTMENT_KEY)
    offered = dict(o.split("（待整改 ") for o in picker.options)
    assert {d: int(n.removesuffix(" 行）")) for d, n in offered.items()} == {
        d: len(department_rows(warehouse, d))
        for (d,) in sql(warehouse, "SELECT DISTINCT department FROM source_catalog")
    }
    # the choice survives another tab
    open_tab(at, checks.EXCEPTIONS)
    open_tab(at, checks.TODO)
    assert at.selectbox(key=checks.DEPARTMENT_KEY).value == HR
    assert metrics(at)["待整改问题行"] == f"{len(expected):,} 行"
    # the button to the upload tab
    at.button(key="todo_to_upload").click().run()
    assert shown_tab(at) == checks.UPLOAD


@covers(CHECKS)
def test_the_fix_sheet_has_a_row_per_open_failing_row_with_its_rule(app, warehouse, downloads):
    at = open_department(app(), HR)
    expected = department_rows(warehouse, HR)
    assert f"整改清单_{HR}.xlsx" in downloads
    (button,) = [b for b in at.get("download_button") if b.key == "download_fix_sheet"]
    assert button.proto.label == f"下载{HR}的整改清单（Excel，{len(expected)} 行）"
    sheet = workbook(downloads[f"整改清单_{HR}.xlsx"]())
    assert sheet.height == len(expected)
    assert all(CHINESE.search(c) for c in sheet.columns), sheet.columns
    assert {"序号", "台账", "核查规则", "需要更正的内容（问题说明）", "整改情况（请填写）"} <= set(
        sheet.columns
    )
    assert sheet["序号"].to_list() == list(range(1, len(expected) + 1))
    # each row: where it is, which check, and that check's rule
    rules = dict(sql(warehouse, "SELECT check_id, rule FROM check_catalog"))
    assert all(
        rule == rules[check]
        for check, rule in zip(sheet["核查编号"], sheet["核查规则"], strict=True)
    )

    def as_int(n):
        return None if n is None else int(n)

    assert Counter(
        zip(
            sheet["统计期"],
            sheet["核查编号"],
            sheet["文件"],
            map(as_int, sheet["行号"]),
            strict=True,
        )
    ) == Counter((r[0], r[1], r[2], r[3]) for r in expected)
    text = sheet.to_pandas().to_csv()
    assert not FULL_ID.search(text), FULL_ID.search(text).group()
    assert "610429********" in text
    # a department with nothing to do has no sheet to offer
    downloads.clear()
    quiet = next(
        d
        for (d,) in sql(warehouse, "SELECT DISTINCT department FROM source_catalog ORDER BY 1")
        if not department_rows(warehouse, d)
    )
    at.selectbox(key=checks.DEPARTMENT_KEY).set_value(quiet).run()
    assert f"{quiet}没有待整改的问题行。" in [s.value for s in at.success]
    assert not any(name.startswith("整改清单") for name in downloads)


@covers(CHECKS)
def test_each_quarantined_file_downloads_its_own_cells(app, warehouse, downloads):
    at = open_department(app(), HR)
    files = sql(
        warehouse,
        "SELECT q.file_name, count(DISTINCT q.row_number), count(*) FROM v_quarantine AS q "
        "INNER JOIN source_catalog AS s ON q.source = s.source WHERE s.department = ? "
        "GROUP BY q.file_name ORDER BY q.file_name",
        [HR],
    )
    assert [f[0] for f in files] == [
        "employment/employment_2024-03.xlsx",  # the ID with a wrong check digit
        "employment/employment_2024-05.xlsx",  # the note in a name cell
    ]
    listed = "\n".join(m.value for m in at.markdown)
    for file_name, bad_rows, bad_cells in files:
        assert f"`{file_name}`｜{bad_rows} 行、{bad_cells} 个单元格" in listed
        content = downloads[f"隔离单元格_{PurePosixPath(file_name).stem}.xlsx"]()
        cells_of_file = workbook(content)
        assert set(cells_of_file["文件"]) == {file_name}  # that file's cells, no other's
        assert sorted(zip(cells_of_file["行号"], cells_of_file["列名"], strict=True)) == sorted(
            sql(
                warehouse,
                "SELECT row_number, column_name FROM v_quarantine WHERE file_name = ?",
                [file_name],
            )
        )
        assert all(CHINESE.search(c) for c in cells_of_file.columns)
        text = cells_of_file.to_pandas().to_csv()
        assert not FULL_ID.search(text), (file_name, FULL_ID.search(text).group())
    # a department without quarantined files says so
    at.selectbox(key=checks.DEPARTMENT_KEY).set_value(WATER).run()
    assert ":material/check: 没有被隔离的单元格。" in [c.value for c in at.caption]


# -- 核查历史 -----------------------------------------------------------------------------


def turned(warehouse: Path, run_id: int) -> dict[str, set[tuple[str, str]]]:
    """From the journal: the (check, month) pairs run `run_id` turned red or green, compared
    with the run before it."""
    rows = journal_rows(
        warehouse,
        "SELECT a.check_id, a.period, a.status, b.status FROM validation_results AS a "
        "LEFT JOIN validation_results AS b ON b.run_id = a.run_id - 1 "
        "AND a.check_id = b.check_id AND a.period = b.period "
        "WHERE a.run_id = ? AND a.status IS DISTINCT FROM b.status",
        [run_id],
    )
    return {
        "red": {(c, p) for c, p, now, _ in rows if now == "failed"},
        "green": {(c, p) for c, p, now, before in rows if now == "passed" and before},
    }


def history_table(at: AppTest, heading: str) -> set[tuple[str, str]]:
    """The pairs listed under the subheading that starts with `heading` (变红/变绿)."""
    (subheader,) = [s.value for s in at.subheader if s.value.startswith(heading)]
    count = int(subheader.split("：")[1].removesuffix(" 项"))
    frames = [
        d.value
        for d in at.dataframe
        if "变化" in d.value.columns and d.value["变化"].str.startswith(heading).all()
    ]
    pairs = {
        (c, p) for frame in frames for c, p in zip(frame["核查编号"], frame["统计期"], strict=True)
    }
    assert len(pairs) == count, (heading, subheader, pairs)
    return pairs


@covers(CHECKS)
def test_history_lists_what_each_validation_turned_green_or_red(app, live, tmp_path):
    # the officer county's second run: the HR bureau's corrected April
    at = open_tab(app(), checks.HISTORY)
    runs = journal_rows(live, "SELECT run_id, command FROM validation_runs ORDER BY run_id DESC")
    assert [r[0] for r in runs] == [2, 1]
    assert at.selectbox(key="history_run").value == 2  # the latest
    expected = turned(live, 2)
    assert expected["green"] == {("X04", "2024-04"), ("X05", "2024-04")}
    assert history_table(at, "变绿") == expected["green"]
    assert history_table(at, "变红") == expected["red"] == set()
    assert "没有新出现问题的核查项。" in " ".join(c.value for c in at.caption)
    assert len(table(at, "核查批次")) == 2
    at.selectbox(key="history_run").set_value(1).run()
    assert "这是第一次核查，没有可以比较的上一次。" in [i.value for i in at.info]

    # the corrected May uploaded: a third validation, by the upload
    from etl.upload import upload

    fix = write_officer_may_fix(tmp_path / "fix" / "旬邑县2024年5月务工台账（更正）.xlsx")
    result = upload(live, "employment", fix.name, fix.read_bytes(), "officer1")
    assert result.status == "loaded"
    at = open_tab(app(), checks.HISTORY)
    assert at.selectbox(key="history_run").value == 3
    expected = turned(live, 3)
    assert ("X06", "2024-05") in expected["green"]  # P9 is no longer in the HR ledger
    assert history_table(at, "变绿") == expected["green"]
    assert history_table(at, "变红") == expected["red"]
    # the upload's own account of what changed agrees
    assert {(c.check_id, c.period) for c in result.checks if c.turned == "green"} == expected[
        "green"
    ]
    runs_table = table(at, "核查批次")
    assert runs_table["核查批次"].tolist() == [3, 2, 1]
    assert runs_table["由什么触发"].iloc[0] == labels.WORDS["command"]["upload"]
    failed_pairs = journal_rows(
        live,
        "SELECT run_id, count(*) FILTER (WHERE status = 'failed') FROM validation_results "
        "GROUP BY run_id ORDER BY run_id DESC",
    )
    assert runs_table["核查后未通过（核查项×月份）"].tolist() == [n for _, n in failed_pairs]
    # and the overview reads the new warehouse: X06 passes in May
    open_tab(at, checks.OVERVIEW)
    assert "open_check_X06" not in [b.key for b in at.button]


# -- The whole page ---------------------------------------------------------------------------


@covers(CHECKS)
def test_no_full_id_in_any_tab(app, live, downloads):
    journal.accept(live, "X06", P[9].id_number, "2024-05", "户籍在外县", "张三")
    journal.accept(live, "X04", P[8].id_number, "2024-05", f"核实：{P[8].id_number}", "张三")
    at = app(check="X04", month=LATEST_FIRST)
    seen = []
    for tab in checks.TABS:
        open_tab(at, tab)
        if tab == checks.TODO:
            for department in (HR, RURAL):
                at.selectbox(key=checks.DEPARTMENT_KEY).set_value(department).run()
                seen.append(page_text(at))
        text = page_text(at)
        assert not FULL_ID.search(text), (tab, FULL_ID.search(text).group())
        seen.append(text)
    joined = "\n".join(seen)
    assert "610429********" in joined  # masked IDs are shown, so the test looked at them
    assert "户籍在外县" in joined  # the exceptions tab was read
    for file_name, make in downloads.items():
        text = workbook(make()).to_pandas().to_csv()
        assert not FULL_ID.search(text), (file_name, FULL_ID.search(text).group())
    assert len(downloads) > 5


@covers(CHECKS)
def test_without_a_warehouse_the_page_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNYI_WAREHOUSE", str(tmp_path / "nothing" / "xunyi.duckdb"))
    make_accounts(monkeypatch)
    at = sign_in(AppTest.from_file(APP, default_timeout=30), "analyst").run()
    at.switch_page(CHECKS.path).run()
    assert not at.exception
    assert "python -m etl run" in at.warning[0].value
    assert not at.tabs
