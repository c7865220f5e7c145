"""Run a Python module as `python -m bench.measure MODULE ARGS…` and report its peak memory.

Prints `peak_rss_kib <n>` on stderr when the module exits (resource.getrusage of this process).
"""

import atexit
import resource
import runpy
import sys


def _report() -> None:
    print(
        f"peak_rss_kib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}",
        file=sys.stderr,
        flush=True,
    )


if __name__ == "__main__":
    module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    atexit.register(_report)
    runpy.run_module(module, run_name="__main__", alter_sys=True)
