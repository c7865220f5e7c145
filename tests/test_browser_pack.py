"""The pack from the served dashboard, in headless Chromium: a leader opens the overview,
clicks the button, watches it work, and downloads the PDF and the circulars; what the pack
showed is then in the archive, readable."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from browser_support import LATEST_FIRST, copy_warehouse, served
from playwright.sync_api import expect
from test_browser import TIMEOUT_MS, shoot

from dashboard import data
from pack import archive

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def warehouse(officer_county, tmp_path_factory) -> Path:
    return copy_warehouse(officer_county, tmp_path_factory.mktemp("pack") / "wh")


def test_a_leader_clicks_the_button_and_gets_the_pdf_and_the_archive_keeps_it(
    page, warehouse, tmp_path
):
    with served(warehouse, tmp_path) as app:
        app.sign_in(page.context, "leader")
        page.goto(f"{app.url}/?month={LATEST_FIRST}")
        expect(page.get_by_role("heading", name="十大提升行动：进展一览")).to_be_visible()
        page.get_by_role("button", name="生成季调度材料和月通报").click()
        download_pdf = page.get_by_role("button", name="下载季调度材料（PDF）")
        expect(download_pdf).to_be_visible(timeout=4 * TIMEOUT_MS)  # the first starts kaleido
        shoot(page, "overview_pack")
        with page.expect_download() as pdf_download:
            download_pdf.click()
        pdf = Path(pdf_download.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF") and pdf_download.value.suggested_filename == (
            f"季调度材料_{LATEST_FIRST}.pdf"
        )
        with page.expect_download() as docs_download:
            page.get_by_role("button", name="下载月通报（Word，压缩包）").click()
        names = zipfile.ZipFile(
            io.BytesIO(Path(docs_download.value.path()).read_bytes())
        ).namelist()
        assert f"月通报_{LATEST_FIRST}_全县.docx" in names and len(names) == 11

    (folder,) = archive.packs(warehouse, LATEST_FIRST)
    assert (folder / f"季调度材料_{LATEST_FIRST}.pdf").read_bytes() == pdf
    shown = archive.figures(folder)
    assert shown["month"] == LATEST_FIRST and "（leader）" in shown["made_by"]
    assert shown["actions"] and len(shown["towns"]) == 10
    # the figures it kept are the dashboard's for that month
    con = data.connect(warehouse)
    try:
        county = data.run_query(
            con, "dashboard_indicators", {"month": LATEST_FIRST, **data.Place().params()}
        )
    finally:
        con.close()
    kept = {k["kpi_code"]: k["value"] for a in shown["actions"] for k in a["indicators"]}
    assert county.height and kept == dict(county.select("kpi_code", "value").iter_rows())
