"""The dashboard served for real and a headless Chromium to look at it with.

Used by the browser tests (tests/test_browser.py) and the page benchmark (bench/pages.py):
`streamlit run dashboard/app.py` on a free local port, reading a given warehouse, and
Debian's Chromium driven by Playwright (never `playwright install`: downloads are blocked).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts, which a
# closed network refuses (notes/stack.md).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServedApp:
    url: str
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def served(warehouse: Path, log_dir: Path, timeout: float = 60) -> Iterator[ServedApp]:
    """`streamlit run dashboard/app.py` on a free port, reading `warehouse`, until the block ends."""
    port = free_port()
    log = log_dir / f"streamlit-{port}.log"
    env = {**os.environ, "XUNYI_WAREHOUSE": str(warehouse), "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "dashboard" / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    with open(log, "w") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    app = ServedApp(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_healthy(app, timeout)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(app: ServedApp, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"streamlit exited {app.process.returncode}:\n{app.log_text()}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(app.url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer within {timeout} s:\n{app.log_text()}")


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Debian Chromium (Playwright's sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
