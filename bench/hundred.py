"""The platform at a hundred counties' volume, end to end: `python -m bench hundred`.

Stages, each printed beside its floor and aim (issue 12), in this order:

1. the demo county generated as CSV (`generate --format csv`, seed 1, scale 1), kept under
   bench/out/county-x1-csv/;
2. the county ×COPIES (default 100) written by `bench.amplify` into bench/out/county-x100/
   (see that module for what is multiplied and why not `generate --scale 100`);
3. `load` of every month but the last (read, rules, quarantine, insert, indicators,
   publish: `bench.loadtime`) — peak ≤ 2 GiB; its floor (`bench.floor`: polars reads the
   same files, DuckDB inserts them; aim ≤ 1.3×) is measured last;
4. `validate` of those months (every check, every month, indicators, publish);
5. `run` of the last month's files (load, the changed (check, month) pairs, indicators,
   publish) — aim ≤ 5 minutes;
6. the dashboard's queries on every page (recorded under AppTest), cold and warm, and each
   page's script — aim p95 ≤ 2 s;
7. the same queries on the published warehouse while `run` publishes the last month again:
   errors (aim 0) and their p95.

Takes about two hours on the project's 2-core machine and about 20 GB of disk; not part of
`make test`. `--copies N` measures another multiple; `--skip-floor` leaves out the floor.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.__main__ import OUT, REPO, timed
from bench.incremental import _is_last

GIB = 2**30


def csv_county() -> Path:
    folder = OUT / "county-x1-csv"
    if not (folder / "truth.json").exists():
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "etl", "generate", "--out", str(folder), "--format", "csv"],
            cwd=REPO,
            check=True,
        )
        print(f"generate --format csv (scale 1): {time.perf_counter() - start:.0f} s", flush=True)
    return folder


def amplified(county: Path, copies: int) -> tuple[Path, int]:
    folder = OUT / f"county-x{copies}"
    done = folder / "rows.txt"
    if not done.exists():
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "bench.amplify", str(county), str(folder), str(copies)],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        )
        rows = int(out.stdout.split()[-1])
        done.write_text(str(rows))
        seconds = time.perf_counter() - start
        print(f"amplify ×{copies}: {rows:,} data rows written in {seconds:.0f} s", flush=True)
    return folder, int(done.read_text())


def split(county: Path, into: Path) -> tuple[Path, Path]:
    """Hard links of the inbox: every month but the last, and the last month's files."""
    early, last = into / "early" / "inbox", into / "last" / "inbox"
    if into.exists():
        shutil.rmtree(into)
    for path in (county / "inbox").rglob("*"):
        if path.is_file():
            target = (last if _is_last(path) else early) / path.relative_to(county / "inbox")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    return early.parent, last.parent


def command(*args: str) -> dict:
    """An `etl` command under bench.measure: wall-clock seconds and peak memory."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.measure", "etl", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if out.returncode not in (0, 1):  # 1: some files rejected, or some checks failed
        raise SystemExit(
            f"etl {' '.join(args)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
        )
    peak = [ln for ln in out.stderr.splitlines() if ln.startswith("peak_rss_kib")]
    return {"seconds": seconds, "peak_rss_kib": float(peak[-1].split()[1])}


def during_load(warehouse: Path, last: Path, calls: list[tuple[str, dict]]) -> dict:
    """The pages' queries, round after round, while `run` publishes the last month again."""
    from dashboard.data import connect, run_query

    times, errors, stop = [], [], threading.Event()

    def query() -> None:
        while not stop.is_set():
            for name, params in calls:
                start = time.perf_counter()
                try:
                    con = connect(warehouse)
                    run_query(con, name, params)
                    con.close()
                except Exception as e:  # every failure is a figure here, not a crash
                    errors.append(f"{name}: {type(e).__name__}: {e}")
                times.append(time.perf_counter() - start)

    worker = threading.Thread(target=query, daemon=True)
    worker.start()
    run = command("run", str(last), "--warehouse", str(warehouse))
    stop.set()
    worker.join()
    return {"run": run, "queries": len(times), "errors": errors, "times": times}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench hundred")
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--skip-floor", action="store_true")
    args = parser.parse_args()
    from bench.pages import page_queries, percentile, time_queries, time_scripts

    county, rows = amplified(csv_county(), args.copies)
    work = OUT / f"hundred-x{args.copies}"
    early, last = split(county, work)
    warehouse = work / "xunyi.duckdb"
    inbox_bytes = sum(p.stat().st_size for p in (county / "inbox").rglob("*") if p.is_file())
    print(f"\nthe county ×{args.copies}: {rows:,} data rows, {inbox_bytes / GIB:.1f} GiB of files")
    figures: dict = {"copies": args.copies, "rows": rows}

    load = timed("bench.loadtime", str(early), str(warehouse))
    figures["load"] = load
    line = f"load, all months but the last: {load['seconds']:.0f} s, {load['rows'] / load['seconds']:,.0f} rows/s, peak {load['peak_rss_kib'] / 2**20:.2f} GiB (aim ≤ 2 GiB)"
    print(line, flush=True)
    size = warehouse.stat().st_size
    print(f"  warehouse {size / GIB:.2f} GiB")

    figures["validate"] = v = command("validate", "--warehouse", str(warehouse))
    print(
        f"validate (every check, every month, indicators, publish): {v['seconds']:.0f} s, peak {v['peak_rss_kib'] / 2**20:.2f} GiB",
        flush=True,
    )
    figures["run"] = r = command("run", str(last), "--warehouse", str(warehouse))
    print(
        f"run of the last month (load, changed checks, indicators, publish): {r['seconds']:.0f} s, peak {r['peak_rss_kib'] / 2**20:.2f} GiB (aim ≤ 300 s)",
        flush=True,
    )

    import logging

    logging.disable(logging.WARNING)
    recorded = page_queries(warehouse)
    print(
        "dashboard queries, every page's (s; cold = new connection, 3 runs; warm 10 runs; aim p95 ≤ 2 s)"
    )
    worst, everything = 0.0, []
    for label, calls in recorded.items():
        for q in time_queries(warehouse, calls, cold_runs=3, warm_runs=10):
            worst = max(worst, q["cold_p95"])
            print(
                f"  {label:15}{q['query'][10:]:24}{q['rows']:>7}  cold p95 {q['cold_p95']:.3f}  warm p95 {q['warm_p95']:.3f}",
                flush=True,
            )
        everything += [c for c in calls if c not in everything]
    figures["queries_worst_cold_p95"] = worst
    print(f"  worst p95 (cold): {worst:.3f} s")
    scripts = time_scripts(warehouse)
    figures["scripts"] = scripts
    for s in scripts:
        print(
            f"  page script {s['page']:15}cold {s['cold_p50']:.2f} s   warm {s['warm_p50']:.2f} s"
        )

    busy = during_load(warehouse, last, everything)
    figures["during_load"] = {k: busy[k] for k in ("run", "queries", "errors")}
    times = busy["times"]
    print(
        f"while run publishes ({busy['run']['seconds']:.0f} s): {busy['queries']} queries, "
        f"{len(busy['errors'])} errors (aim 0), p50 {statistics.median(times):.3f} s, "
        f"p95 {percentile(times, 0.95):.3f} s"
    )
    for e in busy["errors"][:5]:
        print(f"  {e}")
    if not args.skip_floor:
        floor = timed("bench.floor", str(early))
        figures["floor"] = floor
        print("\nthe floor of step 3 (measured last: it only adds a figure)")
        print(
            f"  floor (polars read + DuckDB insert): {floor['seconds']:.0f} s, peak {floor['peak_rss_kib'] / 2**20:.2f} GiB; "
            f"ratio {load['seconds'] / floor['seconds']:.2f}× (aim ≤ 1.3×)",
            flush=True,
        )
    (work / "figures.json").write_text(
        json.dumps(figures, ensure_ascii=False, indent=1, default=str)
    )


if __name__ == "__main__":
    main()
