"""Page benchmark: each dashboard page's queries, its script, and navigation → first chart.

`python -m bench pages [--scale F]` builds a warehouse from the demo county (`python -m etl
run`, kept under bench/out/), then measures:

- every query each page runs (recorded by running the page under AppTest, so the list is
  the page's own), cold (a new read-only connection: ATTACH + first run) and warm (an open
  connection), p50/p95 over repeated runs — aim ≤ 50 ms p95;
- each page's whole script under AppTest with cold caches and warm caches;
- in headless Chromium (Debian's), the time from navigation to the overview's ten action
  tiles and to the first Plotly chart visible, with an empty browser cache (a first visit) and a
  warm one (a return visit; Streamlit's bundles are served immutable) — aim ≤ 4 s.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import OUT, REPO
from dashboard.harness import CHROMIUM, chromium, served

QUERY_RUNS_COLD, QUERY_RUNS_WARM, SCRIPT_RUNS, BROWSER_RUNS = 10, 50, 5, 5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build_warehouse(county: Path, scale: float) -> Path:
    warehouse = OUT / f"pages-x{scale:g}.duckdb"
    if (
        not warehouse.exists()
        or warehouse.stat().st_mtime < (county / "truth.json").stat().st_mtime
    ):
        print(f"building the warehouse from {county} …", flush=True)
        warehouse.unlink(missing_ok=True)
        result = subprocess.run(
            [sys.executable, "-m", "etl", "run", str(county), "--warehouse", str(warehouse)],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if not warehouse.exists():  # exit 1 only says some files were rejected
            raise SystemExit(f"etl run failed:\n{result.stdout}\n{result.stderr}")
    return warehouse


# -- The pages' queries --------------------------------------------------------------------


def _flows(warehouse: Path) -> list[tuple[str, str, dict]]:
    """(label, page path, URL params) for the views people open most."""
    from etl.warehouse import connect_read_only

    con = connect_read_only(warehouse)
    try:
        town = con.execute("SELECT min(town_code) FROM ref_villages").fetchone()[0]
    finally:
        con.close()
    return [
        ("overview", "views/overview.py", {}),
        ("action", "views/action.py", {"action": "4"}),
        ("action/town", "views/action.py", {"action": "4", "town": town}),
        ("action/3/town", "views/action.py", {"action": "3", "town": town}),
        ("data", "views/data_page.py", {}),
        ("data/town", "views/data_page.py", {"town": town}),
        ("checks", "views/checks_page.py", {}),
    ]


def _run_page(page: str, params: dict, record: list | None = None):
    """Run `page` under AppTest as a browser opens it: the default page first, then a switch.
    With `record`, the queries of the page itself (not of the default page) land in it."""
    from streamlit.testing.v1 import AppTest

    from dashboard import data
    from dashboard.harness import role_accounts, sign_in_apptest

    if "XUNYI_ACCOUNTS" not in os.environ:  # the bench's own accounts, one per role
        os.environ["XUNYI_ACCOUNTS"] = str(role_accounts(OUT / "accounts" / "accounts.toml"))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
    sign_in_apptest(at, "analyst")  # every personal query runs (masked), as an analyst's
    at.query_params.update(params)
    first = page == "views/overview.py"
    with data.recording() if first and record is not None else contextlib.nullcontext() as calls:
        at.run()
    if not first:
        with data.recording() if record is not None else contextlib.nullcontext() as calls:
            at.switch_page(page).run()
    if record is not None:
        record.extend(calls)
    if at.exception:
        raise SystemExit(f"{page} failed: {at.exception}")
    return at


def page_queries(warehouse: Path) -> dict[str, list[tuple[str, dict]]]:
    os.environ["XUNYI_WAREHOUSE"] = str(warehouse)
    recorded = {}
    for label, page, params in _flows(warehouse):
        calls: list = []
        _run_page(page, params, record=calls)
        unique = []
        for call in calls:
            if call not in unique:
                unique.append(call)
        recorded[label] = unique
    return recorded


def time_queries(
    warehouse: Path,
    calls: list[tuple[str, dict]],
    cold_runs: int = QUERY_RUNS_COLD,
    warm_runs: int = QUERY_RUNS_WARM,
) -> list[dict]:
    from dashboard.data import connect, run_query

    rows = []
    for name, params in calls:
        cold = []
        for _ in range(cold_runs):
            start = time.perf_counter()
            con = connect(warehouse)  # as the dashboard opens it: the journal overlay too
            frame = run_query(con, name, params)
            cold.append(time.perf_counter() - start)
            con.close()
        con = connect(warehouse)
        warm = []
        for _ in range(warm_runs):
            start = time.perf_counter()
            run_query(con, name, params)
            warm.append(time.perf_counter() - start)
        con.close()
        rows.append(
            {
                "query": name,
                "params": params,
                "rows": frame.height,
                "cold_p50": statistics.median(cold),
                "cold_p95": percentile(cold, 0.95),
                "warm_p50": statistics.median(warm),
                "warm_p95": percentile(warm, 0.95),
            }
        )
    return rows


def time_scripts(warehouse: Path) -> list[dict]:
    """Each page's whole script under AppTest: caches cleared (cold) and hit (warm)."""
    import streamlit as st

    os.environ["XUNYI_WAREHOUSE"] = str(warehouse)
    rows = []
    for label, page, params in _flows(warehouse):
        cold, warm = [], []
        for _ in range(SCRIPT_RUNS):
            st.cache_data.clear()
            st.cache_resource.clear()
            start = time.perf_counter()
            _run_page(page, params)
            cold.append(time.perf_counter() - start)
            start = time.perf_counter()
            _run_page(page, params)
            warm.append(time.perf_counter() - start)
        rows.append(
            {
                "page": label,
                "cold_p50": statistics.median(cold),
                "warm_p50": statistics.median(warm),
            }
        )
    return rows


# -- The browser ---------------------------------------------------------------------------


PLOTLY_TIMING_JS = """() => performance.getEntriesByType('resource')
    .filter(e => e.name.includes('PlotlyChart'))
    .map(e => ({start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize}))"""


def first_chart(warehouse: Path, runs: int = BROWSER_RUNS) -> dict:
    """Navigation → first headline figure and → first Plotly chart visible, in Chromium."""
    if not CHROMIUM.exists():
        print("  (no Chromium at /usr/bin/chromium: browser timings skipped)")
        return {}

    figures: dict[str, list[float]] = {
        "cold_metric": [],
        "cold_chart": [],
        "warm_metric": [],
        "warm_chart": [],
        "bundle_fetched": [],
    }
    with (
        tempfile.TemporaryDirectory() as logs,
        served(warehouse, Path(logs)) as app,
        chromium() as browser,
    ):
        url = app.url
        # one throwaway visit: the server's first script run imports plotly, polars …
        page = browser.new_page()
        app.sign_in(page.context, "leader")
        page.goto(url + "/")
        page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(
            state="visible", timeout=120_000
        )
        page.close()
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            app.sign_in(context, "leader")  # a leader who has logged in opens the link
            page = context.new_page()
            for visit in ("cold", "warm"):  # an empty HTTP cache, then the same browser again
                start = time.perf_counter()
                page.goto(url + "/")
                # the overview's ten action tiles, the last of them drawn
                page.locator(".st-key-action_10 [data-testid='stMarkdown']").last.wait_for(
                    state="visible", timeout=60_000
                )
                figures[f"{visit}_metric"].append(time.perf_counter() - start)
                page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(
                    state="visible", timeout=60_000
                )
                figures[f"{visit}_chart"].append(time.perf_counter() - start)
                if visit == "cold":
                    fetched = page.evaluate(PLOTLY_TIMING_JS)
                    if fetched:
                        figures["bundle_fetched"].append(
                            (fetched[0]["end"] - fetched[0]["start"]) / 1000
                        )
            context.close()
        browser.close()
    return figures


def report(county: Path, scale: float) -> dict:
    import logging

    # Streamlit warns about a missing runtime for every page run and cached call outside a
    # server (through loggers of its own that ignore levels set from outside): noise here.
    logging.disable(logging.WARNING)
    warehouse = build_warehouse(county, scale)
    recorded = page_queries(warehouse)
    print(
        f"\ndashboard pages, demo county ×{scale:g} ({warehouse.stat().st_size / 2**20:.1f} MiB warehouse)"
    )
    print(
        f"  queries (ms; cold = new connection + ATTACH + overlay + query, {QUERY_RUNS_COLD} runs; "
        f"warm = open connection, {QUERY_RUNS_WARM} runs; aim ≤ 50 ms p95)"
    )
    print(
        f"  {'page':15}{'query':20}{'rows':>7}{'cold p50':>10}{'cold p95':>10}{'warm p50':>10}{'warm p95':>10}"
    )
    worst = 0.0
    all_rows = {}
    for label, calls in recorded.items():
        rows = time_queries(warehouse, calls)
        all_rows[label] = rows
        for r in rows:
            worst = max(worst, r["warm_p95"])
            print(
                f"  {label:15}{r['query'][10:]:20}{r['rows']:>7}{r['cold_p50'] * 1e3:>10.1f}"
                f"{r['cold_p95'] * 1e3:>10.1f}{r['warm_p50'] * 1e3:>10.1f}{r['warm_p95'] * 1e3:>10.1f}"
            )
    print(f"  worst warm p95: {worst * 1e3:.1f} ms")
    scripts = time_scripts(warehouse)
    print("  page script under AppTest (s; cold = caches cleared, warm = cached results)")
    for r in scripts:
        print(f"  {r['page']:15}cold {r['cold_p50']:.3f}   warm {r['warm_p50']:.3f}")
    browser = first_chart(warehouse)
    if browser:
        print(
            f"  headless Chromium, navigation → visible ({BROWSER_RUNS} runs; s, p50 / max; aim ≤ 4 s to the chart)"
        )
        for key, title in (
            ("cold_metric", "first visit: ten tiles"),
            ("cold_chart", "first visit: first chart"),
            ("warm_metric", "return visit: ten tiles"),
            ("warm_chart", "return visit: first chart"),
            ("bundle_fetched", "plotly bundle fetch"),
        ):
            values = browser[key]
            if values:
                print(f"  {title:28}{statistics.median(values):>7.2f} / {max(values):.2f}")
    return {"queries": all_rows, "scripts": scripts, "browser": browser}
