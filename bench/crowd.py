"""The dashboard under a crowd: N people open the overview at nearly the same moment.

`python -m bench crowd [--scale F] [--visitors 1,5,10,20] [--through-proxy K]` serves the
demo county's warehouse (a copy: it is republished during the run) with the server pinned
to core 0 and the browsers to the other cores, and for each N opens the overview in N fresh
browser contexts (each its own cookies and an empty HTTP cache, signed in as a leader who
has logged in) all at once — first on a quiet server, then while `etl validate` publishes
the warehouse again and again on the server's core (the load and the dashboard share a
machine; the browsers stand for people at their own desks). Per N it prints:

- the server's CPU time for the N first visits (utime + stime from /proc, until the
  server is idle again) and per visit — aim ≤ 0.3 s a visit, ≤ 6 s for 20 — and per visit
  less what the idle server spends meanwhile (Streamlit polls its config and secrets files
  five times a second: about 8 ms of CPU a second, measured just before);
- the time from the common start to each visitor's first Plotly chart (median, worst);
- errors: a page that showed a Streamlit exception, logged a JavaScript error or failed to
  draw a chart in time (three minutes, or 30 s a visitor when more: the browsers share one
  core, about 7 s of its CPU each) — aim 0, also while publishing;
- how many times the warehouse was published during the visits.

With `--through-proxy K` the same visits go through nginx in front of K dashboard
processes (dashboard/proxy.py), the processes pinned to core 0 together: the CPU is theirs
and nginx's summed (nginx serves the static bundles, precompressed). On this 2-core
machine the browsers' own work dominates the wall-clock times, so the server's CPU is the
figure that counts; the times are printed beside it. Not part of `make test`. Figures:
bench/out/crowd/figures-x<scale>-p<processes>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.__main__ import OUT, REPO, demo_county
from bench.pages import build_warehouse
from dashboard.harness import CHROMIUM, CHROMIUM_ARGS, served
from etl.journal import journal_path

CHART = "[data-testid='stPlotlyChart'] .main-svg"
RUNNING = "[data-testid='stStatusWidget']"
TICKS = os.sysconf("SC_CLK_TCK")
SERVER_CPUS = {0}
AIM_PER_VISIT, AIM_TWENTY = 0.3, 6.0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes (and their waited-for children), from /proc."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def wait_idle(pids: list[int], quiet: float = 1.5, timeout: float = 120) -> float:
    """Wait until the processes use no CPU for `quiet` seconds; their CPU seconds then."""
    deadline = time.monotonic() + timeout
    last, still = cpu_seconds(pids), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = cpu_seconds(pids)
        if now - last > 0.02:
            last, still = now, time.monotonic()
        elif time.monotonic() - still >= quiet:
            break
    return last


class Publisher:
    """`etl validate` of the latest month, again and again, while the visits run: each run
    publishes the warehouse anew. Counts the publishes it saw land."""

    def __init__(self, warehouse: Path, month: str):
        self.warehouse, self.month = warehouse, month
        self.stop = threading.Event()
        self.publishes = 0
        self.failures: list[str] = []
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        while not self.stop.is_set():
            before = self.warehouse.stat().st_ino
            out = subprocess.run(
                [sys.executable, "-m", "etl", "validate", "--period", self.month],
                cwd=REPO,
                env={**env, "XUNYI_WAREHOUSE": str(self.warehouse)},
                capture_output=True,
                text=True,
                # on the server's core: the load and the dashboard share a machine, the
                # browsers stand for people elsewhere
                preexec_fn=lambda: os.sched_setaffinity(0, SERVER_CPUS),
            )
            if out.returncode not in (0, 1):
                self.failures.append(out.stderr[-500:])
            if self.warehouse.stat().st_ino != before:
                self.publishes += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def patience_ms(visitors: int) -> int:
    """How long a visitor waits for the chart: the browsers take turns on one core."""
    return max(180, 30 * visitors) * 1000


async def _visit(browser, url: str, cookie: dict, start: float, patience: int) -> dict:
    context = await browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    await context.add_cookies([cookie])
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on(
        "console",
        lambda m: errors.append(f"console: {m.text[:200]}") if m.type == "error" else None,
    )
    chart = None
    try:
        await page.goto(url + "/", wait_until="commit", timeout=patience)
        await page.locator(CHART).first.wait_for(state="visible", timeout=patience)
        chart = time.perf_counter() - start
        with contextlib.suppress(Exception):  # the rest of the page: the script has finished
            await page.locator(RUNNING).wait_for(state="hidden", timeout=60_000)
        if await page.locator("[data-testid='stException']").count():
            errors.append("a Streamlit exception on the page")
    except Exception as e:  # every failure is a figure here
        errors.append(f"{type(e).__name__}: {str(e)[:200]}")
    await context.close()
    return {"chart": chart, "errors": errors}


async def _crowd(url: str, cookies: list[dict]) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            start = time.perf_counter()
            patience = patience_ms(len(cookies))
            return await asyncio.gather(
                *(_visit(browser, url, c, start, patience) for c in cookies)
            )
        finally:
            await browser.close()


def crowd(url: str, pids: list[int], cookies: list[dict]) -> dict:
    """N visits at once; the servers' CPU for them and each visitor's time to a chart."""
    wait_idle(pids)
    idle_from, idle_start = cpu_seconds(pids), time.perf_counter()
    time.sleep(3)  # the idle server's own polling (Streamlit watches its config files)
    before = cpu_seconds(pids)
    idle_rate = (before - idle_from) / (time.perf_counter() - idle_start)
    started = time.perf_counter()
    visits = asyncio.run(_crowd(url, cookies))
    wall = time.perf_counter() - started
    cpu = wait_idle(pids) - before
    window = time.perf_counter() - started
    charts = [v["chart"] for v in visits if v["chart"] is not None]
    errors = [e for v in visits for e in v["errors"]]
    return {
        "visitors": len(cookies),
        "server_cpu_s": cpu,
        "cpu_per_visit_s": cpu / len(cookies),
        "idle_cpu_s": idle_rate * window,
        "net_cpu_per_visit_s": max(0.0, cpu - idle_rate * window) / len(cookies),
        "chart_median_s": statistics.median(charts) if charts else None,
        "chart_worst_s": max(charts) if charts else None,
        "wall_s": wall,
        "errors": errors,
        "pages_with_errors": sum(1 for v in visits if v["errors"]),
    }


def _line(n: int, mode: str, r: dict) -> str:
    chart = (
        f"chart median {r['chart_median_s']:.1f} s, worst {r['chart_worst_s']:.1f} s"
        if r["chart_median_s"] is not None
        else "no chart"
    )
    busy = f", {r['publishes']} publishes" if "publishes" in r else ""
    return (
        f"  N={n:>2} {mode:<10} server CPU {r['server_cpu_s']:5.2f} s "
        f"({r['cpu_per_visit_s']:.2f} s a visit; {r['net_cpu_per_visit_s']:.2f} s less the idle "
        f"polling), {chart}, "
        f"{r['pages_with_errors']} pages with errors{busy}"
    )


@contextlib.contextmanager
def _servers(warehouse: Path, logs: Path, processes: int):
    """(url, server pids, the dashboard processes): one dashboard process, or `processes`
    behind nginx (dashboard/proxy.py)."""
    if processes <= 1:
        with served(warehouse, logs, cpus=SERVER_CPUS) as app:
            yield app.url, [app.process.pid], [app]
        return
    from dashboard.harness import behind_proxy

    with behind_proxy(warehouse, logs, processes, cpus=SERVER_CPUS) as proxy:
        # nginx's own CPU counts too: its master and the worker that serves the bundles
        master = proxy.nginx.pid
        workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        pids = [a.process.pid for a in proxy.apps] + [master, *map(int, workers)]
        yield proxy.url, pids, proxy.apps


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench crowd")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--visitors", default="1,5,10,20")
    parser.add_argument("--through-proxy", type=int, default=0, metavar="K")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    sizes = [int(n) for n in args.visitors.split(",")]
    county = demo_county(args.scale)
    published = build_warehouse(county, args.scale)
    out = OUT / "crowd"
    out.mkdir(parents=True, exist_ok=True)
    cores = set(range(os.cpu_count() or 1))
    os.sched_setaffinity(0, cores - SERVER_CPUS or cores)  # the browsers inherit it
    figures: dict = {"scale": args.scale, "processes": max(1, args.through_proxy), "rounds": []}
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "xunyi.duckdb"
        shutil.copy(published, warehouse)
        if journal_path(published).exists():
            shutil.copy(journal_path(published), journal_path(warehouse))
        month = _latest_month(warehouse)
        with _servers(warehouse, Path(tmp), args.through_proxy) as (url, pids, apps):
            app = apps[0]  # the processes share the session store: any one signs in
            where = f"nginx + {args.through_proxy} processes" if args.through_proxy else "1 process"
            print(f"crowd on the overview, scale {args.scale:g}, {where} on core 0", flush=True)
            for each in apps:  # every process's first imports, each on its own address
                crowd(each.url, pids, [each.session_cookie("leader")])
            for n in sizes:
                for mode in ("quiet", "publishing"):
                    cookies = [app.session_cookie("leader") for _ in range(n)]
                    if mode == "quiet":
                        result = crowd(url, pids, cookies)
                    else:
                        with Publisher(warehouse, month) as publisher:
                            time.sleep(1.0)  # the first validation under way
                            result = crowd(url, pids, cookies)
                        result["publishes"] = publisher.publishes
                        result["publish_failures"] = publisher.failures
                    figures["rounds"].append({"mode": mode, **result})
                    print(_line(n, mode, result), flush=True)
                    for error in result["errors"][:5]:
                        print(f"      {error}")
    twenty = [r for r in figures["rounds"] if r["visitors"] == 20]
    per_visit = max(r["cpu_per_visit_s"] for r in figures["rounds"])
    print(
        f"worst server CPU a visit {per_visit:.2f} s (aim ≤ {AIM_PER_VISIT} s)"
        + (
            f"; 20 at once {max(r['server_cpu_s'] for r in twenty):.1f} s (aim ≤ {AIM_TWENTY} s)"
            if twenty
            else ""
        )
        + f"; pages with errors {sum(r['pages_with_errors'] for r in figures['rounds'])} (aim 0)"
    )
    target = out / f"figures-x{args.scale:g}-p{figures['processes']}.json"
    target.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")


def _latest_month(warehouse: Path) -> str:
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT max(period) FROM v_kpi WHERE period LIKE '____-__'").fetchone()[
            0
        ]
    finally:
        con.close()


if __name__ == "__main__":
    main()
