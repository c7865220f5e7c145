"""great-expectations' verdict on every check, month by month.

One data asset: the table `check_months` (the months being validated), split into monthly
batches on `period_start`. One suite: for each check, an `UnexpectedRowsExpectation` whose
query is the check's SQL with the batch's month as its scope. great-expectations
runs each month's batch and says passed or failed, with the count of failing rows; it
returns at most 200 of them, so every failing row comes from the same SQL run directly.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from expectations.catalog import Check

SAMPLE_LIMIT = 200  # great-expectations returns at most this many unexpected rows


@dataclass
class Verdict:
    check_id: str
    period: str
    success: bool
    failing_rows: int  # rows great-expectations counted
    sample_keys: frozenset[str]  # entity keys of the rows it returned (at most 200 rows)
    error: str | None = None  # why great-expectations could not evaluate it (then no verdict)


def expectation_query(check: Check) -> str:
    """The check's SQL over the batch's month ({batch} is great-expectations' placeholder)."""
    return check.scoped("{batch}")


def gx_verdicts(
    warehouse_file: Path, checks: list[Check], months: list[str]
) -> dict[tuple[str, str], Verdict]:
    """Run every check on every month of `check_months` in `warehouse_file` with great-expectations."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from sqlalchemy.engine import URL

    from expectations import gx_compat

    gx_compat.apply()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    url = URL.create("duckdb", database=str(warehouse_file)).render_as_string(hide_password=False)
    datasource = context.data_sources.add_sql(name="warehouse", connection_string=url)
    verdicts: dict[tuple[str, str], Verdict] = {}
    with gx_compat.released(datasource):
        asset = datasource.add_table_asset(name="check_months", table_name="check_months")
        monthly = asset.add_batch_definition_monthly("monthly", column="period_start")
        suite = context.suites.add(gx.ExpectationSuite(name="xunyi_checks"))
        for check in checks:
            suite.add_expectation(
                gx.expectations.UnexpectedRowsExpectation(
                    unexpected_rows_query=expectation_query(check),
                    description=f"{check.id} {check.title}",
                    meta={"check_id": check.id},
                )
            )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name="monthly_checks", data=monthly, suite=suite)
        )
        for period in months:
            year, month = map(int, period.split("-"))
            try:
                run = definition.run(
                    batch_parameters={"year": year, "month": month}, result_format="COMPLETE"
                )
            except Exception as e:  # noqa: BLE001 - the month's run as a whole failed
                for check in checks:
                    verdicts[(check.id, period)] = _unresolved(check.id, period, _describe(e))
                continue
            for result in run.results:
                check_id = result.expectation_config.meta["check_id"]
                if "observed_value" not in result.result:
                    # A metric that failed to resolve comes back as "failed" with no count.
                    verdicts[(check_id, period)] = _unresolved(
                        check_id, period, _exception_text(result.exception_info)
                    )
                    continue
                rows = result.result.get("details", {}).get("unexpected_rows") or []
                verdicts[(check_id, period)] = Verdict(
                    check_id=check_id,
                    period=period,
                    success=bool(result.success),
                    failing_rows=int(result.result.get("observed_value") or 0),
                    sample_keys=frozenset(str(r["entity_key"]) for r in rows),
                )
    return verdicts


def _unresolved(check_id: str, period: str, error: str) -> Verdict:
    return Verdict(check_id, period, False, 0, frozenset(), error=error or "原因不明")


def _describe(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def _exception_text(info) -> str:
    """The first exception message great-expectations recorded for a result."""
    if isinstance(info, dict):
        if "exception_message" in info:
            text = info.get("exception_message") or ""
        else:  # keyed by metric: the first one that failed
            text = next(
                (v.get("exception_message") or "" for v in info.values() if isinstance(v, dict)),
                "",
            )
    else:
        text = str(info or "")
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
