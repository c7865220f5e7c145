"""The dashboard served for real and a headless Chromium to look at it with.

Used by the browser tests (tests/test_browser.py) and the page benchmark (bench/pages.py):
`streamlit run dashboard/app.py` on a free local port, reading a given warehouse, and
Debian's Chromium driven by Playwright (never `playwright install`: downloads are blocked).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
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


# The served app's accounts: one per role, username = role code (etl.accounts.ROLES), this
# password, and a 乡镇专员 of 城关街道.
PASSWORD = "password-{role}"
OFFICER_TOWN = "610429001"


_template: list[Path] = []  # the accounts made once per process (hashing is slow on purpose)


def role_accounts(path: Path) -> Path:
    """An accounts file at `path` with one account per role (kept if it exists): a copy of
    one made once per process, since each Argon2id hash costs a fifth of a second."""
    from etl import accounts

    if path.exists():
        return path
    if not _template:
        template = Path(tempfile.mkdtemp(prefix="xunyi-roles-")) / "accounts.toml"
        for code, role in accounts.ROLES.items():
            accounts.add_user(
                code,
                PASSWORD.format(role=code),
                code,
                display_name=f"测试{role.title}",
                town=OFFICER_TOWN if role.needs_town else None,
                path=template,
            )
        _template.append(template)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template[0], path)
    os.chmod(path, 0o600)
    return path


def sign_in_apptest(at, role: str):
    """An AppTest signed in as `role`'s account of $XUNYI_ACCOUNTS (a real session in the
    store, as the login form makes one), before its first run."""
    from dashboard import auth
    from etl import accounts

    account = accounts.read_accounts()[role]
    at.session_state["_session_token"] = auth.start_session(account, "apptest")
    return at


@dataclass
class ServedApp:
    url: str
    process: subprocess.Popen
    log: Path
    accounts: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def session_cookie(self, role: str) -> dict:
        """The session cookie of `role`'s account, as a login would leave it (a real session
        in the server's store, the cookie signed by its secret), for Playwright."""
        from dashboard import auth
        from etl import accounts

        account = accounts.read_accounts(self.accounts)[role]
        token = auth.start_session(account, "127.0.0.1")
        return {"name": auth.COOKIE, "value": auth.signed(token), "url": self.url}

    def sign_in(self, context, role: str) -> None:
        """Give a browser context `role`'s session cookie (`session_cookie`)."""
        context.add_cookies([self.session_cookie(role)])

    def log_in(self, page, role: str) -> None:
        """Log in through the form, as a person would (on the page already open)."""
        page.get_by_label("账号").fill(role)
        page.get_by_label("密码").fill(PASSWORD.format(role=role))
        page.get_by_role("button", name="登录", exact=True).click()


@contextlib.contextmanager
def served(
    warehouse: Path,
    log_dir: Path,
    timeout: float = 60,
    cpus: set[int] | None = None,
    port: int | None = None,
    env: dict | None = None,
) -> Iterator[ServedApp]:
    """`streamlit run dashboard/app.py` on a free port (or `port`), reading `warehouse`, until
    the block ends; its accounts (`role_accounts`) in `log_dir`, named by $XUNYI_ACCOUNTS here
    too for as long as it serves (so `sign_in` reaches the server's session store). `cpus`:
    the cores the server may run on (the crowd benchmark pins it to one); `env`: the
    process's environment instead of this one's."""
    port = port or free_port()
    log = log_dir / f"streamlit-{port}.log"
    accounts_file = role_accounts(log_dir / "accounts.toml")
    before = os.environ.get("XUNYI_ACCOUNTS")
    os.environ["XUNYI_ACCOUNTS"] = str(accounts_file)
    env = {
        **(os.environ if env is None else env),
        "XUNYI_WAREHOUSE": str(warehouse),
        "XUNYI_ACCOUNTS": str(accounts_file),
    }
    env["PYTHONPATH"] = str(REPO)
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
            command,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=None if cpus is None else lambda: os.sched_setaffinity(0, cpus),
        )
    app = ServedApp(f"http://127.0.0.1:{port}", process, log, accounts_file)
    try:
        _wait_healthy(app, timeout)
        yield app
    finally:
        if before is None:
            os.environ.pop("XUNYI_ACCOUNTS", None)
        else:
            os.environ["XUNYI_ACCOUNTS"] = before
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


@dataclass
class Proxied:
    url: str
    apps: list[ServedApp]
    nginx: subprocess.Popen
    config: Path


@contextlib.contextmanager
def behind_proxy(
    warehouse: Path, log_dir: Path, processes: int = 2, cpus: set[int] | None = None
) -> Iterator[Proxied]:
    """`processes` dashboard processes (`served`) behind nginx configured by
    dashboard/proxy.py, on a free port, until the block ends. The precompressed bundle is
    the checkout's own (data/proxy, `proxy.compressed_static`), made on first use: nginx's
    workers cannot enter the test's private temporary folder."""
    from dashboard import proxy

    env = proxy.process_env(os.environ)
    with contextlib.ExitStack() as stack:
        apps = [
            stack.enter_context(served(warehouse, log_dir, cpus=cpus, env=env))
            for _ in range(processes)
        ]
        prefix = log_dir / "nginx"
        prefix.mkdir(parents=True, exist_ok=True)
        port = free_port()
        ports = [int(app.url.rsplit(":", 1)[1]) for app in apps]
        config = prefix / "nginx.conf"
        static = proxy.compressed_static()
        config.write_text(
            proxy.render(f"127.0.0.1:{port}", ports, prefix, static), encoding="utf-8"
        )
        nginx = proxy.start_nginx(config, prefix / "nginx.out")
        try:
            url = f"http://127.0.0.1:{port}"
            proxy.wait_healthy(url, process=nginx)
            yield Proxied(url, apps, nginx, config)
        finally:
            nginx.terminate()
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()


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
