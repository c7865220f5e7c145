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
