"""The plan year's targets and configured values (config/plan-<year>.toml)."""

from __future__ import annotations

import tomllib
from functools import cache

from etl.settings import CONFIG_DIR, DEFAULT_PLAN_YEAR


@cache
def plan(year: int = DEFAULT_PLAN_YEAR) -> dict:
    """The whole configuration of one plan year."""
    path = CONFIG_DIR / f"plan-{year}.toml"
    if not path.exists():
        raise FileNotFoundError(f"没有{year}年的目标配置文件：{path.name}")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def kpis(year: int = DEFAULT_PLAN_YEAR) -> list[dict]:
    return plan(year)["kpi"]


def reported_kpi_codes(year: int = DEFAULT_PLAN_YEAR) -> tuple[str, ...]:
    """The 指标编码 the `indicators` extract may carry: the indicators marked reported."""
    return tuple(k["code"] for k in kpis(year) if k["kind"] == "reported")
