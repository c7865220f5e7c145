"""Many people at once: several sessions while a load publishes, and the dashboard from two
processes behind nginx (dashboard/proxy.py, deploy/nginx.conf.template), in Chromium.

The figures (CPU per visit, 20 visitors at once) are bench/crowd.py's; here only what must
hold: no session sees an error, and the proxy serves the page, its WebSocket and its
compressed bundles.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from browser_support import (
    REPO,
    build_warehouse,
    copy_warehouse,
    require_chromium,
    served,
    write_later,
)
from conftest import BROWSER_TIMEOUT_MS
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.harness import behind_proxy
from dashboard.proxy import NGINX

pytestmark = pytest.mark.browser

CHART = "[data-testid='stPlotlyChart'] .main-svg"
EXCEPTION = "[data-testid='stException']"
SESSIONS = 4


@pytest.fixture(scope="module")
def county_warehouse(tmp_path_factory) -> Path:
    require_chromium()
    return build_warehouse(tmp_path_factory.mktemp("crowd"))


def _open(browser, url: str, cookie: dict):
    """A fresh browser context (a new person) opening the overview; its page and the
    errors it logs."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_cookies([cookie])
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url + "/", wait_until="commit")
    return page, errors


def _drawn(page, errors: list[str], *logs: Path) -> None:
    # several sessions at once on a cold server share its first imports: more than one's time
    try:
        # a chart, or the error shown instead of one: whichever comes first
        page.locator(f"{CHART}, {EXCEPTION}").first.wait_for(
            state="visible", timeout=4 * BROWSER_TIMEOUT_MS
        )
        failed = page.locator(EXCEPTION).count() > 0
    except PlaywrightTimeout:
        failed = True
    if failed:
        # say what the page showed instead, and what the servers logged
        shown = "\n".join(
            [e.inner_text() for e in page.locator(EXCEPTION).all()]
            or [page.locator("body").inner_text(timeout=5_000)[:2000]]
        )
        tails = "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in logs
            if log.exists()
        )
        pytest.fail(
            f"no chart (an error, or nothing within {4 * BROWSER_TIMEOUT_MS} ms) at {page.url}; "
            f"the page showed:\n"
            f"{shown}\nbrowser errors: {errors}\n{tails}"
        )
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    assert page.locator(EXCEPTION).count() == 0
    assert errors == []


def test_several_sessions_while_a_load_publishes(browser, county_warehouse, tmp_path):
    live = copy_warehouse(county_warehouse, tmp_path / "live")
    write_later(tmp_path / "later" / "inbox")
    opened: list = []
    load = None
    with served(live, tmp_path) as app:
        try:
            # The first round meets a server that has just started: its sessions import the
            # libraries at the same moment (where a chart once met pandas half imported:
            # dashboard/app.py).
            command = [sys.executable, "-m", "etl", "load", str(tmp_path / "later")]
            load = subprocess.Popen(
                [*command, "--warehouse", str(live)],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            rounds = 0
            while load.poll() is None or rounds == 0:
                # several people open the link at once: all pages requested before any is read
                opened = [
                    _open(browser, app.url, app.session_cookie("leader")) for _ in range(SESSIONS)
                ]
                for page, errors in opened:
                    _drawn(page, errors, app.log)
                _close(opened)
                rounds += 1
            output = load.communicate()[0]
        finally:
            # a failure leaves nothing running for the tests after it
            _close(opened)
            if load is not None and load.poll() is None:
                load.kill()
                load.communicate()
        assert load.returncode == 0, output
        assert "Traceback" not in app.log_text()


def _close(opened: list) -> None:
    for page, _ in opened:
        page.context.close()
    opened.clear()


@pytest.mark.skipif(
    not Path(NGINX).exists() and not shutil.which("nginx"), reason="nginx not installed"
)
def test_two_processes_behind_nginx(browser, county_warehouse, tmp_path):
    with behind_proxy(county_warehouse, tmp_path, processes=2) as proxy:
        app = proxy.apps[0]  # the processes share the session store: any one signs in
        pages = [
            _open(browser, proxy.url, {**app.session_cookie("leader"), "url": proxy.url})
            for _ in range(3)
        ]
        try:
            _through_nginx(proxy, pages)
        finally:
            _close(pages)
        for app in proxy.apps:
            assert "Traceback" not in app.log_text()


def _through_nginx(proxy, pages: list) -> None:
    logs = [app.log for app in proxy.apps] + [proxy.config.parent / "error.log"]
    for page, errors in pages:
        _drawn(page, errors, *logs)
    # the proxy keeps each visitor on one process: the cookie it set stays the same
    page, _ = pages[0]
    nodes = [c["value"] for c in page.context.cookies() if c["name"] == "xunyi_node"]
    assert len(nodes) == 1
    page.reload()
    page.locator(CHART).first.wait_for(state="visible")
    assert [c["value"] for c in page.context.cookies() if c["name"] == "xunyi_node"] == nodes

    # Streamlit's bundles come from nginx, gzip-compressed and cached for good
    html = urllib.request.urlopen(proxy.url + "/").read().decode()
    script = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', html).group(1)
    request = urllib.request.Request(f"{proxy.url}/{script}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        # compressed beforehand (dashboard/proxy.py), not as it is sent: nginx knows the
        # length of a .gz file, while on-the-fly compression is chunked
        assert int(response.headers["Content-Length"]) > 0
        assert "immutable" in response.headers["Cache-Control"]
        body = gzip.decompress(response.read())
    assert len(body) > 100_000
    # the sessions ran over WebSockets through the proxy
    access = (proxy.config.parent / "access.log").read_text()
    assert re.search(r'"GET /_stcore/stream HTTP/1\.1" 101 ', access), access[-2000:]
