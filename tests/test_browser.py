"""The served dashboard in headless Chromium: what a leader and a data officer see and click.

`streamlit run dashboard/app.py` serves a real warehouse built from the test county;
Playwright drives Debian's Chromium. Screenshots land in tests/artifacts/ (git-ignored).
Without Chromium these tests skip — except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import polars as pl
import pytest
from browser_support import (
    ARTIFACTS,
    FULL_ID,
    REPO,
    TOWN_TUQIAO,
    build_warehouse,
    copy_warehouse,
    require_chromium,
    served,
    write_later,
)
from conftest import BROWSER_TIMEOUT_MS
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TIMEOUT_MS = BROWSER_TIMEOUT_MS
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def county_warehouse(tmp_path_factory) -> Path:
    require_chromium()
    return build_warehouse(tmp_path_factory.mktemp("browser"))


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def headline(page, kpi: str):
    return page.locator(f".st-key-kpi_{kpi} [data-testid='stMetricValue']")


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`, as a person would."""
    page.get_by_test_id("stSelectbox").filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def assert_no_full_id(page) -> None:
    text = page.inner_text("body")
    assert not FULL_ID.search(text), FULL_ID.search(text).group()
    assert not FULL_ID.search(page.url), page.url


def wait_for_charts(page) -> None:
    page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(state="visible")


def test_the_action_page_follows_the_township(page, county_warehouse, tmp_path):
    with served(county_warehouse, tmp_path) as app:
        app.sign_in(page.context, "analyst")
        page.goto(app.url + "/action?action=4")
        wait_for_charts(page)
        expect(headline(page, "A4-MIGRANT")).to_have_text("6 人")
        expect(page.locator(".gtitle").first).to_contain_text("（全县）")
        trends = page.locator(".gtitle", has_text="（全县）").count()
        assert trends >= 2  # one trend per indicator of the action
        shoot(page, "action-county")
        assert_no_full_id(page)

        choose(page, "镇（街道）", "土桥镇")
        expect(headline(page, "A4-MIGRANT")).to_have_text("4 人")
        expect(page.locator(".gtitle").first).to_contain_text("（土桥镇）")
        page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("town") == [TOWN_TUQIAO])
        # the trends, the township ranking, and now the township's villages with their table
        expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(trends + 2)
        expect(page.locator(".gtitle", has_text="土桥镇各村")).to_have_count(1)
        shoot(page, "action-township")
        assert_no_full_id(page)

        # the shared link opens the same view in a fresh page
        link = page.url
        other = page.context.new_page()
        other.goto(link)
        expect(headline(other, "A4-MIGRANT")).to_have_text("4 人")
        other.close()


def test_link_to_the_data_page_keeps_the_filters(page, county_warehouse, tmp_path):
    with served(county_warehouse, tmp_path) as app:
        app.sign_in(page.context, "analyst")
        page.goto(f"{app.url}/action?month=2024-03&town={TOWN_TUQIAO}")
        wait_for_charts(page)
        page.get_by_text("查看本月的文件加载、隔离行与数据核查").click()
        page.wait_for_url(lambda url: urlparse(url).path == "/data")
        query = parse_qs(urlparse(page.url).query)
        assert query["month"] == ["2024-03"] and query["town"] == [TOWN_TUQIAO]
        expect(page.get_by_role("heading", name="数据核查", exact=True)).to_be_visible()
        expect(page.get_by_role("combobox", name="镇（街道）")).to_have_value("土桥镇")
        expect(page.get_by_role("combobox", name="月份")).to_have_value("2024年3月")
        page.get_by_text("隔离的单元格（未入库）").scroll_into_view_if_needed()
        shoot(page, "data-page")
        assert_no_full_id(page)

        # a download is the whole table, masked, with Chinese headers
        with page.expect_download() as download:
            page.get_by_role("button", name="下载 Excel").last.click()
        content = Path(download.value.path()).read_bytes()
        frame = pl.read_excel(io.BytesIO(content), engine="calamine")
        assert frame.columns[:3] == ["台账", "统计期", "文件"]
        assert frame["原始内容（已脱敏）"].to_list() == ["610429********7771"]
        assert not FULL_ID.search(content.decode("latin-1"))

        # a deep link to the data page opens it with its filters
        page.goto(f"{app.url}/data?month=2024-05&check=X06")
        expect(page.get_by_role("combobox", name="查看核查项的问题行")).to_have_value(
            "X06 人户不一致（未通过）"
        )


def test_keeps_answering_while_a_load_publishes_and_then_shows_it(page, county_warehouse, tmp_path):
    live = copy_warehouse(county_warehouse, tmp_path / "live")
    write_later(tmp_path / "later" / "inbox")
    with served(live, tmp_path) as app:
        app.sign_in(page.context, "analyst")
        page.goto(app.url + "/action?action=4")
        wait_for_charts(page)
        expect(headline(page, "A4-MIGRANT")).to_have_text("6 人")

        load = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "etl",
                "load",
                str(tmp_path / "later"),
                "--warehouse",
                str(live),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        answers_during_load = 0
        # The URL keeps month=2024-05, so whichever version answers, May's figures stand.
        figures = [("土桥镇", "4 人"), ("全县", "6 人")]
        while load.poll() is None:
            town, figure = figures[answers_during_load % 2]
            choose(page, "镇（街道）", town)
            expect(headline(page, "A4-MIGRANT")).to_have_text(figure)
            assert page.get_by_test_id("stException").count() == 0
            answers_during_load += 1
        output = load.communicate()[0]
        assert load.returncode == 0, output
        assert answers_during_load >= 1

        # the next visit reads the new version: June is the latest month, with 7 at work
        page.goto(app.url + "/action?action=4")
        wait_for_charts(page)
        expect(headline(page, "A4-MIGRANT")).to_have_text("7 人")
        expect(page.get_by_role("combobox", name="月份")).to_have_value("2024年6月")
        shoot(page, "overview-after-load")
        assert_no_full_id(page)
        assert "Traceback" not in app.log_text()


def test_from_the_overview_to_a_village_the_figures_agree(page, county_warehouse, tmp_path):
    """十大行动 (the overview) → an action's page → a township → a village: each step's
    figure is the warehouse's."""
    from conftest import query

    def migrant(level: str, town=None, village=None) -> str:
        [(value,)] = query(
            county_warehouse,
            "SELECT value FROM v_kpi WHERE kpi_code = 'A4-MIGRANT' AND period = '2024-05' "
            "AND level = ? AND town_code IS NOT DISTINCT FROM ? "
            "AND village_code IS NOT DISTINCT FROM ?",
            [level, town, village],
        )
        return f"{value:,.0f} 人"

    with served(county_warehouse, tmp_path) as app:
        app.sign_in(page.context, "analyst")
        page.goto(f"{app.url}/?month=2024-05")
        tile = page.locator(".st-key-action_4")
        expect(tile).to_contain_text("4. 稳岗就业提升行动")
        expect(tile).to_contain_text(migrant("county"))  # the headline, as the warehouse has it
        shoot(page, "overview")
        assert_no_full_id(page)
        tile.get_by_text("查看本行动的全部指标").click()
        page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("action") == ["4"])
        expect(headline(page, "A4-MIGRANT")).to_have_text(migrant("county"))
        expect(page.locator(".st-key-kpi_A3-LOAN-OVERDUE")).to_have_count(0)  # action 3's

        choose(page, "镇（街道）", "土桥镇")
        expect(headline(page, "A4-MIGRANT")).to_have_text(migrant("town", TOWN_TUQIAO))
        choose(page, "行政村", "新峁村")
        village = parse_qs(urlparse(page.url).query)
        expect(headline(page, "A4-MIGRANT")).to_have_text(
            migrant("village", TOWN_TUQIAO, "610429101202")
        )
        assert village.get("action") == ["4"]
        assert_no_full_id(page)


def test_a_link_with_every_filter_opens_the_same_view(page, county_warehouse, tmp_path):
    """month, town, village, action and kpi in one link: each selector shows its value, the
    figures and charts are that view's, and the URL keeps every parameter (also on reload)."""
    from conftest import query

    link = {
        "month": "2024-05",
        "town": TOWN_TUQIAO,
        "village": "610429101202",  # 新峁村
        "action": "4",
        "kpi": "A4-TRAINED",  # not the action's first indicator
    }
    [(trained,)] = query(
        county_warehouse,
        "SELECT value FROM v_kpi WHERE kpi_code = 'A4-TRAINED' AND period = '2024-05' "
        "AND village_code = '610429101202'",
    )
    with served(county_warehouse, tmp_path) as app:
        app.sign_in(page.context, "analyst")
        url = f"{app.url}/action?" + "&".join(f"{k}={v}" for k, v in link.items())
        for visit in ("link", "reload"):
            if visit == "link":
                page.goto(url)
            else:
                page.reload()
            wait_for_charts(page)
            expect(page.get_by_role("combobox", name="月份")).to_have_value("2024年5月")
            expect(page.get_by_role("combobox", name="镇（街道）")).to_have_value("土桥镇")
            expect(page.get_by_role("combobox", name="行政村")).to_have_value("新峁村")
            expect(page.get_by_role("combobox", name="行动")).to_have_value("4. 稳岗就业提升行动")
            expect(page.get_by_role("combobox", name="查看指标")).to_have_value(
                "脱贫劳动力技能培训（结业）人数（A4-TRAINED）"
            )
            expect(headline(page, "A4-TRAINED")).to_have_text(f"{trained:,.0f} 人")
            expect(
                page.locator(".gtitle", has_text="脱贫劳动力技能培训（结业）人数（土桥镇新峁村）")
            ).to_have_count(1)
            expect(page.locator(".gtitle", has_text="各镇（街道）排名（2024年5月）")).to_have_count(
                1
            )
            expect(page.locator(".gtitle", has_text="土桥镇各村（2024年5月）")).to_have_count(1)
            query_now = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
            assert query_now == link, visit
        shoot(page, "action-every-filter")
        assert_no_full_id(page)
