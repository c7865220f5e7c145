"""Where things are: the one place paths and environment settings are decided."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "config"
WAREHOUSE_SQL_DIR = REPO_ROOT / "warehouse"
GAZETTEER_FILE = Path(__file__).resolve().parent / "reference" / "gazetteer.csv"

WAREHOUSE_ENV = "XUNYI_WAREHOUSE"
DEFAULT_PLAN_YEAR = 2024


def default_warehouse() -> Path:
    """The published warehouse: $XUNYI_WAREHOUSE, else data/xunyi.duckdb in the repository."""
    configured = os.environ.get(WAREHOUSE_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return REPO_ROOT / "data" / "xunyi.duckdb"


# -- Limits on what a file may cost to read (docs/contract-readings.md, "Uploads and limits")

MAX_INFLATED_ENV = "XUNYI_MAX_INFLATED_MB"
DEFAULT_MAX_INFLATED_MB = 512  # an .xlsx, inflated: the sum of its zip members' sizes
MAX_FILE_ENV = "XUNYI_MAX_FILE_MB"
DEFAULT_MAX_FILE_MB = 100  # an .xls, read whole into memory
MAX_CSV_ENV = "XUNYI_MAX_CSV_MB"
DEFAULT_MAX_CSV_MB = 4096  # a .csv, read in batches: memory stays flat, time grows with it
CSV_BATCH_ROWS_ENV = "XUNYI_CSV_BATCH_ROWS"
DEFAULT_CSV_BATCH_ROWS = 100_000  # records of a CSV read, typed and inserted at a time
DUCKDB_MEMORY_ENV = "XUNYI_DUCKDB_MEMORY_MB"
DEFAULT_DUCKDB_MEMORY_MB = 1024  # DuckDB's own memory while loading; beyond, it writes out
DUCKDB_CHECK_MEMORY_ENV = "XUNYI_DUCKDB_CHECK_MEMORY_MB"
DEFAULT_DUCKDB_CHECK_MEMORY_MB = 4096  # … while checking: joins over the year; beyond, spills
MAX_UPLOAD_ENV = "XUNYI_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 50  # a file uploaded on the dashboard, as sent

MIB = 1 << 20


def _megabytes(env: str, default: float) -> float:
    text = os.environ.get(env, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ValueError(f"环境变量 {env} 应为正数（单位 MB），现为 {text!r}")
    return value


def max_inflated_mb() -> float:
    """How large an .xlsx may inflate to: $XUNYI_MAX_INFLATED_MB, else 512 (MiB)."""
    return _megabytes(MAX_INFLATED_ENV, DEFAULT_MAX_INFLATED_MB)


def max_file_mb() -> float:
    """How large an .xls may be: $XUNYI_MAX_FILE_MB, else 100 (MiB)."""
    return _megabytes(MAX_FILE_ENV, DEFAULT_MAX_FILE_MB)


def max_csv_mb() -> float:
    """How large a .csv may be: $XUNYI_MAX_CSV_MB, else 4096 (MiB)."""
    return _megabytes(MAX_CSV_ENV, DEFAULT_MAX_CSV_MB)


def csv_batch_rows() -> int:
    """How many records of a CSV are read, typed and inserted at a time:
    $XUNYI_CSV_BATCH_ROWS, else 100,000 (at least 100: the header is searched in the first)."""
    text = os.environ.get(CSV_BATCH_ROWS_ENV, "").strip()
    if not text:
        return DEFAULT_CSV_BATCH_ROWS
    if not text.isdigit() or int(text) < 100:
        raise ValueError(f"环境变量 {CSV_BATCH_ROWS_ENV} 应为不小于 100 的整数，现为 {text!r}")
    return int(text)


def duckdb_memory_mb() -> float:
    """How much memory DuckDB may hold while a command loads: $XUNYI_DUCKDB_MEMORY_MB, else
    1024 (MiB). Left alone it keeps every block it wrote, up to 80 % of the machine (a
    load of 100 counties' inbox reached 12.8 GiB); above the limit it writes them out."""
    return _megabytes(DUCKDB_MEMORY_ENV, DEFAULT_DUCKDB_MEMORY_MB)


def duckdb_check_memory_mb() -> float:
    """… while it validates and computes indicators: $XUNYI_DUCKDB_CHECK_MEMORY_MB, else
    4096 (MiB); a query needing more spills to disk beside the private copy."""
    return _megabytes(DUCKDB_CHECK_MEMORY_ENV, DEFAULT_DUCKDB_CHECK_MEMORY_MB)


def max_upload_mb() -> float:
    """How large an uploaded file may be: $XUNYI_MAX_UPLOAD_MB, else 50 (MiB)."""
    return _megabytes(MAX_UPLOAD_ENV, DEFAULT_MAX_UPLOAD_MB)


def shown_mb(megabytes: float) -> str:
    """A limit as a clerk reads it: `512`, `0.5`."""
    return f"{megabytes:g}"
