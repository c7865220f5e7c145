"""`python -m bench [loader|validate|pages|pack] [--scale F]`: the platform's costs beside their floors.
`python -m bench hundred [--copies N]`: all of it at a hundred counties' volume (bench/hundred.py).
`python -m bench crowd [--visitors 1,5,10,20] [--through-proxy K]`: the overview opened by
many people at once (bench/crowd.py).

Each benchmark prints its figures and its ratio to the floor; README.md quotes them.
Tests never assert times: this is where speed is measured.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"


def demo_county(scale: float) -> Path:
    """The generated county at `scale` (seed 1), generated once and kept under bench/out/."""
    folder = OUT / f"county-x{scale:g}"
    if not (folder / "truth.json").exists():
        print(f"generating the demo county at scale {scale:g} into {folder} …", flush=True)
        subprocess.run(
            [sys.executable, "-m", "etl", "generate", "--out", str(folder), "--scale", str(scale)],
            cwd=REPO,
            check=True,
        )
    return folder


def timed(module: str, *args: str) -> dict:
    """Run `module` under bench.measure; its `key value` lines and peak memory."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.measure", module, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"{module} failed:\n{out.stdout}\n{out.stderr}")
    figures = {}
    for line in (out.stdout + out.stderr).splitlines():
        parts = line.split()
        for key, value in zip(parts[::2], parts[1::2], strict=False):
            if key in {"rows", "seconds", "peak_rss_kib", "checks", "months"}:
                figures[key] = float(value)
    return figures


def main() -> None:
    if sys.argv[1:2] == ["hundred"]:  # its own stages and options: bench/hundred.py
        from bench.hundred import main as hundred

        sys.argv = [sys.argv[0], *sys.argv[2:]]
        return hundred()
    if sys.argv[1:2] == ["crowd"]:  # its own options: bench/crowd.py
        from bench.crowd import main as crowd

        sys.argv = [sys.argv[0], *sys.argv[2:]]
        return crowd()
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "what",
        nargs="*",
        default=["loader", "validate"],
        choices=["loader", "validate", "pages", "pack"],
    )
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    county = demo_county(args.scale)
    for what in args.what:
        if what == "loader":
            from bench.loader import report
        elif what == "validate":
            from bench.validate import report
        elif what == "pages":
            from bench.pages import report
        else:
            from bench.pack import report
        report(county, args.scale)


if __name__ == "__main__":
    main()
