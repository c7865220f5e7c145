"""Login and roles in the served dashboard, in headless Chromium, on the data officer's
county: a stranger sees only the login form on any page; the form lands on the deep link
it was opened with, the login survives a reload and ends at logout; each role logs in and
sees what the role table allows; a 乡镇专员 who edits the URL to another township's village
sees none of its people."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from browser_support import FULL_ID, LATEST_FIRST, TOWN_TUQIAO, P, copy_warehouse, served
from playwright.sync_api import expect
from test_browser import TIMEOUT_MS, shoot

from dashboard.navigation import PAGES

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def warehouse(officer_county, tmp_path_factory) -> Path:
    return copy_warehouse(officer_county, tmp_path_factory.mktemp("roles") / "wh")


def login_form(page):
    return page.get_by_role("button", name="登录", exact=True)


def body(page) -> str:
    """Everything the page holds as text, the data grids' cells too (kept for screen
    readers in hidden tables under the canvas)."""
    return page.locator("body").text_content()


def test_a_stranger_sees_only_the_login_form_then_lands_on_the_deep_link(page, warehouse, tmp_path):
    with served(warehouse, tmp_path) as app:
        for spec in PAGES:
            path = "" if spec.default else spec.url_path
            page.goto(f"{app.url}/{path}?month={LATEST_FIRST}&town={TOWN_TUQIAO}&check=X04")
            expect(login_form(page)).to_be_visible(timeout=TIMEOUT_MS)
            page.wait_for_timeout(300)  # anything else the page would draw
            assert page.locator("[data-testid='stPlotlyChart']").count() == 0, spec.url_path
            assert page.locator("[data-testid='stDataFrame']").count() == 0, spec.url_path
            assert page.locator("[data-testid='stMetric']").count() == 0, spec.url_path
            assert not FULL_ID.search(body(page)) and "610429****" not in body(page)
        shoot(page, "login")

        # a wrong password, then the right one: the page the link named, with its filters
        page.goto(f"{app.url}/data?month=2024-04&check=X04")
        page.get_by_label("账号").fill("analyst")
        page.get_by_label("密码").fill("not-the-password")
        login_form(page).click()
        expect(page.get_by_text("账号或密码不正确", exact=False)).to_be_visible()
        app.log_in(page, "analyst")
        expect(page.get_by_role("heading", name="数据：文件加载与数据核查")).to_be_visible()
        expect(page.get_by_role("combobox", name="月份").first).to_have_value("2024年4月")
        assert "check=X04" in page.url and "month=2024-04" in page.url
        assert "password" not in page.url

        # a reload keeps the login (the signed cookie); logout ends it, a reload too
        page.reload()
        expect(page.get_by_role("heading", name="数据：文件加载与数据核查")).to_be_visible()
        page.get_by_role("button", name="退出登录").click()
        expect(login_form(page)).to_be_visible()
        page.reload()
        expect(login_form(page)).to_be_visible()
        assert page.locator("[data-testid='stDataFrame']").count() == 0


ROWS = f"/checks?month={LATEST_FIRST}&check=X04"


def downloaded_rows(page) -> pl.DataFrame:
    """The failing rows as the page's download gives them (the grid draws on a canvas)."""
    with page.expect_download() as download:
        page.locator(".st-key-download_check_rows button").click()
    return pl.read_excel(Path(download.value.path()), engine="calamine")


@pytest.mark.parametrize("role", ["leader", "analyst", "town_officer", "data_officer", "admin"])
def test_each_role_logs_in_and_sees_what_it_may(browser, warehouse, tmp_path, role):
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        with served(warehouse, tmp_path) as app:
            page.goto(app.url + ROWS)
            app.log_in(page, role)
            expect(page.get_by_role("heading", name="核查：问题的发现、更正与销号")).to_be_visible()
            page.wait_for_timeout(500)
            text = body(page)
            p8, p9 = P[8].id_number, P[9].id_number
            masked = p8[:6] + "*" * 8 + p8[-4:]
            if role == "leader":
                expect(page.get_by_text("只查看汇总数字", exact=False)).to_be_visible()
                assert p8 not in text and masked not in text
            elif role in ("analyst", "admin"):
                expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
                if role == "analyst":
                    rows = downloaded_rows(page)
                    assert masked in rows["身份证号（已脱敏）"].to_list()
                else:  # 管理员: masked on screen, no download of personal rows
                    assert page.locator(".st-key-download_check_rows button").count() == 0
            elif role == "town_officer":
                expect(page.get_by_text("只显示城关街道的明细", exact=False)).to_be_visible()
                rows = downloaded_rows(page)
                assert rows["身份证号"].to_list() == [p8] and p9 not in str(rows.to_dicts())
            else:
                expect(page.get_by_role("button", name="记录例外")).to_be_visible()
                assert {p8, p9} <= set(downloaded_rows(page)["身份证号"].to_list())
            navigation = page.get_by_role("link", name="管理")
            assert navigation.count() == (1 if role == "admin" else 0)
            assert not FULL_ID.search(page.url)
            shoot(page, f"role-{role}")
    finally:
        context.close()


def test_a_town_officer_editing_the_url_to_another_township_sees_none_of_it(
    page, warehouse, tmp_path
):
    with served(warehouse, tmp_path) as app:
        app.sign_in(page.context, "town_officer")
        village = "610429101202"  # 土桥镇新峁村: P9's
        page.goto(f"{app.url}/data?month={LATEST_FIRST}&town={TOWN_TUQIAO}&village={village}")
        expect(page.get_by_role("heading", name="数据：文件加载与数据核查")).to_be_visible()
        expect(page.get_by_role("combobox", name="行政村")).to_have_value("新峁村")
        page.wait_for_timeout(500)
        text = body(page)
        p9 = P[9].id_number
        assert p9 not in text and p9[-4:] not in text
        assert not re.search(r"610429\*{8}", text)  # no one else's either, even masked
        shoot(page, "town-officer-other-township")
