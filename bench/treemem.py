"""Run a command and report the peak memory of its whole process tree.

`python -m bench.treemem COMMAND ARGS…` samples, every half second, the proportional set
size (Pss, /proc/PID/smaps_rollup: a page shared by forked processes counted once, split
between them) of the command and all its descendants, and prints on stderr
`peak_tree_pss_mib <n>` and `wall_s <s>` when it exits. For commands that fork workers (the
generator's shards), where one process's peak RSS says too little and the sum of RSS too much.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(command: list[str], interval: float = 0.5) -> tuple[int, float, int]:
    """(exit code, wall seconds, peak tree Pss in KiB)."""
    started = time.monotonic()
    proc = subprocess.Popen(command)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(pss_kib(p) for p in tree(proc.pid)))
        time.sleep(interval)
    return proc.returncode, time.monotonic() - started, peak


if __name__ == "__main__":
    code, wall, peak = run(sys.argv[1:])
    print(f"peak_tree_pss_mib {peak / 1024:.0f}\nwall_s {wall:.1f}", file=sys.stderr, flush=True)
    sys.exit(code)
