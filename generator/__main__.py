"""Command line: ``python -m generator --out DIR [--year 2024] [--seed N] [--scale F]
[--format mixed|csv] [--shard-scale F]``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import generate
from .layouts import FILE_FORMATS
from .shard import SHARD_SCALE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="生成旬邑县各部门月度台账样例（inbox/<source>/）及 truth.json",
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="output folder (inbox/ and truth.json)"
    )
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument(
        "--format",
        choices=FILE_FORMATS,
        default="mixed",
        help="mixed: .xlsx/.xls/.csv as departments send them; csv: CSV wherever a file can be",
    )
    parser.add_argument(
        "--shard-scale",
        type=float,
        default=SHARD_SCALE,
        help=f"above this scale, simulate the county in shards of at most it, as CSV "
        f"(default {SHARD_SCALE:g})",
    )
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.shard_scale <= 0:
        parser.error("--scale and --shard-scale must be positive")
    started = time.monotonic()
    truth = generate(
        args.out,
        year=args.year,
        seed=args.seed,
        scale=args.scale,
        progress=print,
        file_format=args.format,
        shard_scale=args.shard_scale,
    )
    print(
        f"done in {time.monotonic() - started:.1f} s: {len(truth['quarantine'])} bad cells, "
        f"{len(truth['rejected_files'])} rejected files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
