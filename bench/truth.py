"""`python -m bench.truth [--scale F] [--seed N] [--check ID …]`: every declared check against
the generator's truth, month by month — for developing checks faster than the end-to-end
test (which does the same at scale 1 and asserts it).

Generates the county once per (scale, seed) under bench/out/, runs it into a scratch
warehouse, and prints per check its precision and recall and the months that disagree.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.truth")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", nargs="*", help="only these checks")
    args = parser.parse_args()
    county = REPO / "bench" / "out" / f"truth-x{args.scale:g}-s{args.seed}"
    if not (county / "truth.json").exists():
        subprocess.run(
            [sys.executable, "-m", "etl", "generate", "--out", str(county), "--scale",
             str(args.scale), "--seed", str(args.seed)],
            cwd=REPO, check=True, capture_output=True,
        )  # fmt: skip
    truth = json.loads((county / "truth.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as scratch:
        warehouse = Path(scratch) / "xunyi.duckdb"
        done = subprocess.run(
            [sys.executable, "-m", "etl", "run", str(county), "--warehouse", str(warehouse)],
            cwd=REPO, capture_output=True, text=True,
        )  # fmt: skip
        print(f"run exited {done.returncode}")
        if done.returncode > 1:
            print(done.stderr[-3000:])
        con = duckdb.connect(str(warehouse), read_only=True)
        results = {
            (c, p): (s, n)
            for c, p, s, n in con.execute(
                "SELECT check_id, period, status, note FROM v_check_results"
            ).fetchall()
        }
        failures: dict[tuple[str, str], set[str]] = {}
        for c, p, k in con.execute(
            "SELECT DISTINCT check_id, period, entity_key FROM v_check_failures"
        ).fetchall():
            failures.setdefault((c, p), set()).add(k)
        con.close()
    wrong = 0
    for check in sorted({c for c, _ in results}):
        if args.check and check not in args.check:
            continue
        by_period = truth["checks"].get(check)
        if by_period is None:
            print(f"{check}: the generator has no truth")
            wrong += 1
            continue
        tp = fp = fn = 0
        problems = []
        for (c, period), (status, note) in sorted(results.items()):
            if c != check:
                continue
            if period not in by_period:
                if status != "not_evaluated":
                    problems.append(f"{period}: {status}, truth says not evaluated")
                continue
            if status == "not_evaluated":
                problems.append(f"{period}: not evaluated ({note})")
                continue
            got, want = failures.get((check, period), set()), set(by_period[period])
            tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
            if got != want:
                extra, missing = sorted(got - want)[:3], sorted(want - got)[:3]
                problems.append(f"{period}: extra {extra} missing {missing}")
        problems += [f"{p}: no result" for p in by_period if (check, p) not in results]
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        mine = [p for c, p in results if c == check]
        passing = sum(1 for p in mine if p in by_period and not by_period[p])
        unevaluated = sum(1 for p in mine if p not in by_period)
        print(
            f"{check}: precision {precision:.3f} recall {recall:.3f} ({tp} entities); months "
            f"failing {len(mine) - passing - unevaluated}, passing {passing}, "
            f"not evaluated {unevaluated}"
        )
        for line in problems[:6]:
            print(f"    {line}")
        wrong += bool(problems)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
