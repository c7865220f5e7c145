"""Pack benchmark: the dispatch-meeting pack and the monthly circulars, stage by stage.

`python -m bench pack [--scale F]` builds the warehouse from the demo county (as `bench
pages` does, kept under bench/out/), copies it (the archive lands beside the copy) and makes
the pack for a dispatch meeting's month:

- as a scheduled run makes it: `python -m etl pack` in a new process, the kaleido server
  started cold — the wall-clock time a cron job waits;
- in one process with the kaleido server warm (the overview's button after its first use),
  RUNS times: each stage's median (figures, charts, PDF, circulars, archive) and the whole —
  aim ≤ 20 s on 2 cores;
- the floor beside the figures stage: the same named queries run alone on an open
  connection (what collecting the figures cannot go below).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.__main__ import REPO
from bench.pages import build_warehouse

MONTH = "2024-08"  # August's dispatch meeting
RUNS = 3
AIM_SECONDS = 20.0
# make()'s progress labels that open each stage (pack/make.py)
STAGES = [
    ("figures", None),
    ("charts", "绘制图表"),
    ("pdf", "排版季调度材料（PDF）"),
    ("circulars", "填写月通报（Word）"),
    ("archive", "存档"),
]


def _copy(warehouse: Path, directory: Path) -> Path:
    import shutil

    from etl.journal import journal_path

    copy = Path(shutil.copy(warehouse, directory / warehouse.name))
    if journal_path(warehouse).exists():
        shutil.copy(journal_path(warehouse), journal_path(copy))
    return copy


def _stage_of(label: str, current: str) -> str:
    for stage, opening in STAGES[1:]:
        if opening is not None and label.startswith(opening):
            return stage
    return current


def make_timed(warehouse: Path) -> tuple[dict[str, float], int, list]:
    """One pack for MONTH, in this process: seconds per stage, the circulars made, and the
    named queries the figures ran."""
    from dashboard import data
    from pack.figures import NO_PERSONAL_ROWS, WarehouseReader
    from pack.make import make

    class Recording(WarehouseReader):
        """The command line's reader, noting each query it runs (name, parameters)."""

        def __init__(self, path: Path):
            super().__init__(path)
            self.calls: list = []

        def query(self, name, **params):
            self.calls.append((name, params | data.scope_params(NO_PERSONAL_ROWS, name)))
            return super().query(name, **params)

    marks: list[tuple[str, float]] = [("figures", time.perf_counter())]

    def progress(label: str, _share: float) -> None:
        stage = _stage_of(label, marks[-1][0])
        if label == "完成":
            marks.append(("end", time.perf_counter()))
        elif stage != marks[-1][0]:
            marks.append((stage, time.perf_counter()))

    reader = Recording(warehouse)
    try:
        made = make(reader, warehouse, MONTH, made_by="基准测试", progress=progress)
    finally:
        reader.close()
    seconds = {
        stage: end - start for (stage, start), (_, end) in zip(marks, marks[1:], strict=False)
    }
    seconds["total"] = marks[-1][1] - marks[0][1]
    return seconds, len(made.circulars), reader.calls


def query_floor(warehouse: Path, calls: list) -> float:
    """The named queries the figures ran, alone, on one open connection (median of 3)."""
    from dashboard.data import connect, run_query

    con = connect(warehouse)
    try:
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            for name, params in calls:
                run_query(con, name, params)
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)
    finally:
        con.close()


def report(county: Path, scale: float) -> None:
    from pack import charts

    warehouse = build_warehouse(county, scale)
    with tempfile.TemporaryDirectory(prefix="bench-pack-") as scratch:
        live = _copy(warehouse, Path(scratch))
        size = live.stat().st_size / 2**20

        start = time.perf_counter()
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "etl",
                "pack",
                "--month",
                MONTH,
                "--out",
                str(Path(scratch) / "out"),
                "--warehouse",
                str(live),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        cli_seconds = time.perf_counter() - start
        if cli.returncode != 0:
            raise SystemExit(f"etl pack failed:\n{cli.stdout}\n{cli.stderr}")

        charts.svg(charts.go.Figure())  # the button's server, warm after its first use
        runs = [make_timed(live) for _ in range(RUNS)]
        floor = query_floor(live, runs[0][2])

    stages = [s for s, _ in STAGES] + ["total"]
    median = {s: statistics.median(r[0].get(s, 0.0) for r in runs) for s in stages}
    print(
        f"\npack for {MONTH} at scale {scale:g} ({size:,.0f} MiB warehouse, {runs[0][1]} circulars)"
    )
    print(f"  python -m etl pack (new process, cold kaleido): {cli_seconds:6.2f} s")
    print(f"  warm server, median of {RUNS}:")
    for stage in stages[:-1]:
        print(f"    {stage:<10} {median[stage]:6.2f} s")
    print(
        f"    {'total':<10} {median['total']:6.2f} s   aim ≤ {AIM_SECONDS:.0f} s: "
        f"{'met' if median['total'] <= AIM_SECONDS else 'MISSED'}"
    )
    print(
        f"  floor: the figures' {len(runs[0][2])} named queries alone {floor:6.2f} s; "
        f"figures stage {median['figures'] / floor if floor else float('nan'):.1f}× the floor"
    )
