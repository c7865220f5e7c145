"""`python -m bench.forecast [--scale F] [--tune]`: the year-end forecasts backtested.

For seeds 1, 2 and 3 the demo county is generated (bench/out/truth-x<F>-s<seed>, shared with
bench.truth) and run into a scratch warehouse. For forecasts made at the end of May, August
and November (the dispatch meetings), at county level, every indicator with a due date in
the year is compared with its value on the due date: the error (absolute, relative to the
value reached) and whether the 80 % interval held it.

With `--tune`, the method's two numbers (config [forecast]: drift_damping, interval_z) are
chosen on seed 1 from a small grid — the damping by the median error, then z as the
smallest that holds at least 80 % — and the errors are reported on seeds 2 and 3 with them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from bench.__main__ import OUT, REPO
from etl.warehouse import sql_text

MEETINGS = ("05", "08", "11")
DAMPING = (0.0, 0.25, 0.5, 0.75, 1.0)
Z = (0.8, 1.0, 1.28, 1.6, 2.0, 2.5, 3.0)


def county_warehouse(scale: float, seed: int, scratch: Path) -> Path:
    county = OUT / f"truth-x{scale:g}-s{seed}"
    if not (county / "truth.json").exists():
        subprocess.run(
            [sys.executable, "-m", "etl", "generate", "--out", str(county), "--scale",
             str(scale), "--seed", str(seed)],
            cwd=REPO, check=True, capture_output=True,
        )  # fmt: skip
    warehouse = scratch / f"s{seed}.duckdb"
    subprocess.run(
        [sys.executable, "-m", "etl", "run", str(county), "--warehouse", str(warehouse)],
        cwd=REPO, capture_output=True,
    )  # fmt: skip
    return warehouse


def evaluate(warehouse: Path, damping: float, z: float) -> list[tuple]:
    """(code, as of, forecast, low, high, actual) for every county forecast at a meeting."""
    work = warehouse.with_suffix(f".{damping}-{z}.duckdb")
    shutil.copyfile(warehouse, work)
    con = duckdb.connect(str(work))
    try:
        con.execute("UPDATE forecast_method SET drift_damping = ?, interval_z = ?", [damping, z])
        con.execute(sql_text("marts/kpi_forecasts.sql"))
        return con.execute(
            """
            SELECT f.kpi_code, f.period, f.forecast, f.low, f.high, a.value
            FROM kpi_forecasts AS f
            INNER JOIN kpi_values AS a
                ON a.kpi_code = f.kpi_code AND a.period = f.due_period AND a.level = 'county'
            WHERE f.level = 'county'
                AND right(f.period, 2) IN ('05', '08', '11')
                AND f.months_ahead > 0
                AND a.value IS NOT NULL
            ORDER BY f.period, f.kpi_code
            """
        ).fetchall()
    finally:
        con.close()
        work.unlink()


def summary(rows: list[tuple], month: str | None = None) -> tuple[int, float, float, float]:
    """(forecasts, median relative error, median absolute error, share held by the interval)."""
    picked = [r for r in rows if month is None or r[1].endswith(month)]
    if not picked:
        return 0, float("nan"), float("nan"), float("nan")
    relative = [abs(f - a) / max(abs(a), 1e-9) for _, _, f, _, _, a in picked]
    absolute = [abs(f - a) for _, _, f, _, _, a in picked]
    framed = [r for r in picked if r[3] is not None]
    held = sum(1 for _, _, _, lo, hi, a in framed if lo - 1e-9 <= a <= hi + 1e-9)
    share = held / len(framed) if framed else float("nan")
    return len(picked), statistics.median(relative), statistics.median(absolute), share


def report(label: str, rows: list[tuple]) -> None:
    for month in (*MEETINGS, None):
        n, rel, ab, held = summary(rows, month)
        when = f"end of {month}" if month else "all three"
        print(
            f"  {label} {when:>10}: {n:3d} forecasts, median error {rel:6.1%} of the value "
            f"(absolute {ab:,.3g}), 80 % interval held {held:6.1%}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.forecast")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--tune", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        warehouses = {s: county_warehouse(args.scale, s, Path(scratch)) for s in (1, 2, 3)}
        con = duckdb.connect(str(warehouses[1]), read_only=True)
        damping, z = con.execute("SELECT drift_damping, interval_z FROM forecast_method").fetchone()
        con.close()
        if args.tune:
            errors = {d: summary(evaluate(warehouses[1], d, z))[1] for d in DAMPING}
            damping = min(errors, key=errors.get)
            print("tuning on seed 1: median error by damping " + ", ".join(
                f"{d:g}: {e:.1%}" for d, e in errors.items()))  # fmt: skip
            held = {zz: summary(evaluate(warehouses[1], damping, zz))[3] for zz in Z}
            z = next((zz for zz in Z if held[zz] >= 0.8), Z[-1])
            print("  interval held by z " + ", ".join(f"{k:g}: {v:.0%}" for k, v in held.items()))
        print(
            f"\nforecasts, demo county ×{args.scale:g}, drift_damping {damping:g}, interval_z {z:g}"
        )
        for seed in (1, 2, 3):
            report(f"seed {seed}{' (tuned on)' if seed == 1 else ''}", evaluate(
                warehouses[seed], damping, z))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
