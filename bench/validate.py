"""Validate benchmark: every check on the demo year, great-expectations beside raw DuckDB SQL."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from bench.__main__ import REPO


def report(county: Path, scale: float) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        warehouse = Path(scratch) / "xunyi.duckdb"
        subprocess.run(
            [sys.executable, "-m", "etl", "load", str(county), "--warehouse", str(warehouse)],
            cwd=REPO,
            capture_output=True,
        )
        out = subprocess.run(
            [sys.executable, "-m", "bench.validatetime", str(warehouse)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
    words = out.stdout.split()
    figures = {k: float(v) for k, v in zip(words[::2], words[1::2], strict=False)}
    ratio = figures["validate"] / figures["direct"]
    print(
        f"\nvalidate, demo county ×{scale:g}: {int(figures['checks'])} checks × {int(figures['months'])} months"
    )
    print(f"  great-expectations import (once per process): {figures['gx_import']:.2f} s")
    print(
        f"  validate (great-expectations verdicts + every failing row + storing): {figures['validate']:.2f} s"
    )
    print(f"  the same checks' SQL run directly in DuckDB: {figures['direct']:.2f} s")
    print(f"  ratio validate / direct SQL: {ratio:.1f}× (aim ≤ 3×)")
    out = subprocess.run(
        [sys.executable, "-m", "bench.incremental", str(county)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    words = out.stdout.split()
    step = {k: float(v) for k, v in zip(words[::2], words[1::2], strict=False)}
    print(
        f"  run of one new month (December's files of every source): validates "
        f"{int(step['evaluated'])} (check, month) pairs in {step['incremental']:.2f} s, "
        f"keeps {int(step['kept'])} (aim ≤ 15 s; a full validation of the year: "
        f"{step['full']:.2f} s)"
    )
    return {**figures, "ratio": ratio, "incremental": step}
