"""The dashboard from several Streamlit processes behind nginx, for meetings that outgrow one.

`python -m dashboard.proxy [--processes K] [--address 127.0.0.1] [--port 8501]` starts K
dashboard processes on loopback ports and nginx (Debian's package) in front of them on the
given address, all in the foreground until Ctrl-C. The configuration is
`deploy/nginx.conf.template`, rendered into `data/proxy/nginx.conf` (`render`): a visitor
is kept on one process by a cookie the proxy sets, Streamlit's static bundles are served
by nginx from disk gzip-compressed, everything else is proxied (the WebSocket included).

Streamlit runs every session of a process under one interpreter lock: K processes serve K
first visits at once (one core each). The processes share what must be shared — the
published warehouse (each reads it read-only), the session store and the cookie secret
beside the accounts file (so a visitor moved to another process stays signed in), and
Streamlit's own cookie secret (generated per start, handed to every process).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import streamlit

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "deploy" / "nginx.conf.template"
STATIC = Path(streamlit.__file__).resolve().parent / "static" / "static"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Set for the processes behind the proxy: the visitor's address is then the proxy's
# X-Real-IP header (dashboard/auth.py), since every request reaches them from loopback.
BEHIND_PROXY_ENV = "XUNYI_BEHIND_PROXY"


# What nginx sends compressed: the text bundles (fonts and images are compressed already).
COMPRESSED = {".js", ".css", ".json", ".map", ".svg", ".txt", ".html"}


def compressed_static(cache: Path = REPO / "data" / "proxy", source: Path = STATIC) -> Path:
    """Streamlit's static bundles with a .gz beside each text file (gzip -9), made once per
    Streamlit version under `cache`: nginx's gzip_static sends those as they are, so a first
    visit's 9 MB of JavaScript costs the proxy no compression (README, "Serving many
    people"). The files are hard links to the installed ones where the disk allows.

    Beside the checkout (as the installed bundles are), not in a private temporary folder:
    nginx's workers run as another user when it is started as root, and must be able to
    reach the files."""
    target = cache / f"static-streamlit-{streamlit.__version__}"
    if (target / ".complete").exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f".{target.name}.{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, partial, copy_function=link_or_copy)
    for path in partial.rglob("*"):
        if path.suffix in COMPRESSED and path.is_file():
            with open(path, "rb") as raw, gzip.open(f"{path}.gz", "wb", compresslevel=9) as out:
                shutil.copyfileobj(raw, out)
    os.chmod(partial, 0o755)
    (partial / ".complete").touch()
    try:
        partial.rename(target)
    except OSError:  # another process made it meanwhile
        shutil.rmtree(partial, ignore_errors=True)
    return target


def render(listen: str, ports: list[int], prefix: Path, static: Path = STATIC) -> str:
    """The nginx configuration for dashboard processes on 127.0.0.1:`ports`, listening on
    `listen` (address:port), its pid, logs and temporary files under `prefix`."""
    upstreams = "\n".join(f"        server 127.0.0.1:{port};" for port in ports)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {
        "PREFIX": str(prefix),
        "UPSTREAMS": upstreams,
        "LISTEN": listen,
        "STATIC": str(static),
    }.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def nginx_command(config: Path) -> list[str]:
    return [NGINX, "-p", str(config.parent), "-c", str(config), "-g", "daemon off;"]


def start_nginx(config: Path, log: Path) -> subprocess.Popen:
    """nginx in the foreground on `config` (its output in `log`); refuses a bad config."""
    if not Path(NGINX).exists():
        raise SystemExit("找不到 nginx：请安装 Debian 的 nginx 软件包（apt-get install nginx）。")
    checked = subprocess.run([*nginx_command(config), "-t"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise SystemExit(f"nginx 配置有误：\n{checked.stderr}")
    with open(log, "w") as out:
        return subprocess.Popen(
            nginx_command(config), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def process_env(base: dict | None = None, cookie_secret: str | None = None) -> dict:
    """The environment of a dashboard process behind the proxy."""
    env = dict(os.environ if base is None else base)
    env[BEHIND_PROXY_ENV] = "1"
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = cookie_secret or secrets.token_hex(32)
    env["PYTHONPATH"] = str(REPO)
    return env


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "dashboard" / "app.py"),
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
    ]


def wait_healthy(url: str, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dashboard.proxy", description="以多个进程加 nginx 提供看板服务"
    )
    parser.add_argument("--processes", type=int, default=2, help="看板进程数（建议每核一个）")
    parser.add_argument("--address", default="127.0.0.1", help="nginx 监听的地址")
    parser.add_argument("--port", type=int, default=8501, help="nginx 监听的端口")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes 至少为 1")
    prefix = REPO / "data" / "proxy"
    prefix.mkdir(parents=True, exist_ok=True)
    try:  # before any process starts: nothing to stop if the disk refuses
        static = compressed_static(prefix)
    except OSError as e:
        raise SystemExit(f"无法在 {prefix} 下准备压缩的静态文件（{e.strerror or e}）。") from e
    ports = [_free_port() for _ in range(args.processes)]
    env = process_env()
    children: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        for port in ports:
            log = open(prefix / f"streamlit-{port}.log", "w")  # noqa: SIM115 (lives as long as the child)
            children.append(
                subprocess.Popen(
                    streamlit_command(port), cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        for port, child in zip(ports, children, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}", process=child)
        config = prefix / "nginx.conf"
        config.write_text(
            render(f"{args.address}:{args.port}", ports, prefix, static), encoding="utf-8"
        )
        children.append(start_nginx(config, prefix / "nginx.out"))
        print(
            f"看板已启动：http://{args.address}:{args.port}/（{args.processes} 个进程，nginx 在前；"
            "Ctrl-C 停止）",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(1)
        print("有进程意外退出，全部停止。", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                child.terminate()
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=10)


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
