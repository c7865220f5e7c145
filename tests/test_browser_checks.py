"""The data officer's loop in headless Chromium, on the served app: a red check, the
department that must fix it and its fix sheet, the corrected file uploaded from the page, the
check green; and an exception recorded and withdrawn. Screenshots land in tests/artifacts/."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from browser_support import (
    FULL_ID,
    copy_warehouse,
    require_chromium,
    served,
    write_officer_may_fix,
)
from conftest import query
from playwright.sync_api import expect
from test_browser import TIMEOUT_MS, choose, shoot

from etl.journal import reading

pytestmark = pytest.mark.browser

HR = "县人社局"


@pytest.fixture
def warehouse(officer_county, tmp_path) -> Path:
    require_chromium()
    return copy_warehouse(officer_county, tmp_path / "wh")


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    expect(page.get_by_role("tab", name=name, exact=True)).to_have_attribute(
        "aria-selected", "true"
    )


def status(warehouse: Path, check: str, month: str) -> str:
    return query(
        warehouse,
        "SELECT status FROM v_check_results WHERE check_id = ? AND period = ?",
        [check, month],
    )[0][0]


def test_from_a_red_check_to_the_fix_sheet_to_an_upload_that_turns_it_green(
    browser, page, warehouse, tmp_path
):
    assert status(warehouse, "X06", "2024-05") == "failed"
    fix = write_officer_may_fix(tmp_path / "fix" / "旬邑县2024年5月务工台账（更正）.xlsx")
    with served(warehouse, tmp_path) as app:
        app.sign_in(page.context, "data_officer")
        page.goto(f"{app.url}/checks?month=2024-05")
        expect(page.get_by_role("heading", name="核查：问题的发现、更正与销号")).to_be_visible()
        x06 = page.get_by_role("button", name="X06", exact=False)
        expect(x06.first).to_be_visible()
        shoot(page, "checks-overview")
        assert not FULL_ID.search(page.url)  # a data officer sees IDs; never in the URL

        # the department's to-do and its fix sheet
        open_tab(page, "部门待办")
        choose_department(page, HR)
        with page.expect_download() as download:
            page.get_by_role("button", name=f"下载{HR}的整改清单", exact=False).click()
        content = Path(download.value.path()).read_bytes()
        sheet = pl.read_excel(io.BytesIO(content), engine="calamine")
        assert {"序号", "台账", "核查规则", "需要更正的内容（问题说明）"} <= set(sheet.columns)
        assert "X06" in sheet["核查编号"].to_list()
        # a data officer's fix sheet names each person in full, to find them by
        assert FULL_ID.search("".join(str(v) for v in sheet["身份证号"].to_list()))
        shoot(page, "checks-todo")

        # the corrected file, uploaded from the page
        page.get_by_role("button", name="上传更正后的文件").click()
        expect(page.get_by_role("tab", name="上传更正", exact=True)).to_have_attribute(
            "aria-selected", "true"
        )
        choose(page, "台账", "脱贫人口务工台账（县人社局）")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(fix))
        page.get_by_role("button", name="上传并核查").click()
        result = page.get_by_text("已加载", exact=False).first
        expect(result).to_be_visible(timeout=3 * TIMEOUT_MS)
        expect(page.get_by_text("1 项变绿", exact=False)).to_be_visible()
        green = page.locator("[data-testid='stDataFrame']").first
        expect(green).to_be_visible()
        shoot(page, "checks-upload")
        assert not FULL_ID.search(page.url)  # a data officer sees IDs; never in the URL

    # what the page said is what the warehouse holds
    assert status(warehouse, "X06", "2024-05") == "passed"
    logged = query(
        warehouse,
        "SELECT file_name, status FROM v_load_log WHERE file_name LIKE 'employment/%更正%'",
    )
    assert logged == [("employment/旬邑县2024年5月务工台账（更正）.xlsx", "loaded")]


def choose_department(page, department: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text="部门").first.click()
    page.get_by_role("option", name=department, exact=False).first.click()
    expect(page.get_by_text(f"下载{department}的整改清单", exact=False)).to_be_visible()


def test_an_exception_takes_a_row_off_the_list_and_withdrawing_it_brings_it_back(
    browser, page, warehouse, tmp_path
):
    def x06_rows() -> int:
        return query(
            warehouse,
            "SELECT count(*) FROM v_check_failures WHERE check_id = 'X06' AND period = '2024-05'",
        )[0][0]

    assert x06_rows() == 1
    with served(warehouse, tmp_path) as app:
        app.sign_in(page.context, "data_officer")
        page.goto(f"{app.url}/checks?month=2024-05&check=X06")
        expect(page.get_by_role("tab", name="问题行", exact=True)).to_have_attribute(
            "aria-selected", "true"
        )
        rows = page.locator("[data-testid='stDataFrame']").first
        expect(rows).to_be_visible()
        page.get_by_label("接受理由").fill("已核实：在外县参保，凭证见附件")
        page.get_by_role("button", name="记录例外").click()
        expect(page.get_by_text("已记录例外", exact=False)).to_be_visible()
        expect(page.get_by_text("没有这项核查的问题行", exact=False)).to_be_visible()
        shoot(page, "checks-exception")

        open_tab(page, "例外")
        expect(page.get_by_role("heading", name="有效的例外（1 条）")).to_be_visible()
        page.get_by_label("撤销原因").fill("复核发现凭证无效")
        page.get_by_role("button", name="撤销例外").click()
        expect(page.get_by_text("已撤销例外", exact=False)).to_be_visible()
        expect(page.get_by_role("heading", name="有效的例外（0 条）")).to_be_visible()
        assert not FULL_ID.search(page.url)  # a data officer sees IDs; never in the URL

    # the journal kept both, with who and why
    with reading(warehouse) as con:
        kept = con.execute(
            "SELECT check_id, accepted_by, reason, withdrawn_by FROM exceptions"
        ).fetchall()
    officer = "测试数据专员（data_officer）"  # the signed-in account, not a typed name
    assert kept == [("X06", officer, "已核实：在外县参保，凭证见附件", officer)]
    assert x06_rows() == 1  # the warehouse's own view, unchanged by either
