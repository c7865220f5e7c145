"""great-expectations' verdict on every (check, month) pair being validated.

Each check's SQL runs once per validation, directly (`validate`), over the pairs it is
evaluated for; its failing rows — every one of them, which great-expectations could not
return (it returns at most 200) — are kept in the table `check_found`. great-expectations
then judges every pair from them: one data asset, the table `check_months` (every month
some check is evaluated for) as one whole-table batch; one suite, for each check an
`UnexpectedRowsExpectation` whose query summarises its rows per month — a row per failing
month with its count of failing rows and of entities and a digest of the entities. The
verdict it returns must agree month by month with the rows (counts and digests): a
great-expectations layer that misreports (DuckDB is not one of its own dialects) stops
the check as a fault instead of storing a wrong verdict.

Running the check's SQL inside great-expectations as well would run it twice more (a
count, then the rows) for the same rows: a validation would cost four times the SQL.
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
    failing_rows: int  # rows the check returned for the month (great-expectations' count)
    entities: int  # distinct entity keys among them
    digest: str | None  # md5 of the sorted distinct entity keys, comma-joined
    error: str | None = None  # why great-expectations could not evaluate it (then no verdict)


def summary_query(check: Check) -> str:
    """The check's failing rows summarised per month of the batch ({batch}: great-expectations'
    placeholder). The check id is a declared, checked identifier."""
    return (
        "SELECT period, count(*) AS failing_rows, count(DISTINCT entity_key) AS entities, "
        "md5(string_agg(DISTINCT entity_key, ',' ORDER BY entity_key)) AS digest\n"
        f"FROM check_found WHERE check_id = '{check.id}' "
        "AND period IN (SELECT period FROM {batch})\nGROUP BY period"
    )


def gx_verdicts(
    warehouse_file: Path, checks: list[Check], pairs: dict[str, list[str]]
) -> dict[tuple[str, str], Verdict]:
    """Every pair of `pairs` (check id → months; also in the table `check_pairs` of
    `warehouse_file`) judged by great-expectations: passed, or failed with its counts."""
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
    judged = [c for c in checks if pairs.get(c.id)]
    if not judged:
        return verdicts
    with gx_compat.released(datasource):
        asset = datasource.add_table_asset(name="check_months", table_name="check_months")
        whole = asset.add_batch_definition_whole_table("all_months")
        suite = context.suites.add(gx.ExpectationSuite(name="xunyi_checks"))
        for check in judged:
            suite.add_expectation(
                gx.expectations.UnexpectedRowsExpectation(
                    unexpected_rows_query=summary_query(check),
                    description=f"{check.id} {check.title}",
                    meta={"check_id": check.id},
                )
            )
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name="checks", data=whole, suite=suite)
        )
        try:
            run = definition.run(result_format="COMPLETE")
        except Exception as e:  # noqa: BLE001 - the run as a whole failed
            for check in judged:
                for period in pairs[check.id]:
                    verdicts[(check.id, period)] = _unresolved(check.id, period, _describe(e))
            return verdicts
        for result in run.results:
            check_id = result.expectation_config.meta["check_id"]
            months = pairs[check_id]
            if "observed_value" not in result.result:
                # A metric that failed to resolve comes back as "failed" with no count.
                why = _exception_text(result.exception_info)
                for period in months:
                    verdicts[(check_id, period)] = _unresolved(check_id, period, why)
                continue
            rows = result.result.get("details", {}).get("unexpected_rows") or []
            failing = {str(r["period"]): r for r in rows}
            if int(result.result.get("observed_value") or 0) != len(failing):
                why = "great-expectations 返回的失败月份不全（超过返回上限）"
                for period in months:
                    verdicts[(check_id, period)] = _unresolved(check_id, period, why)
                continue
            for period in months:
                row = failing.get(period)
                verdicts[(check_id, period)] = Verdict(
                    check_id=check_id,
                    period=period,
                    success=row is None,
                    failing_rows=int(row["failing_rows"]) if row else 0,
                    entities=int(row["entities"]) if row else 0,
                    digest=str(row["digest"]) if row else None,
                )
            for period in set(failing) - set(months):
                verdicts[(check_id, period)] = _unresolved(
                    check_id, period, "great-expectations 在不应核查的月份报告了问题"
                )
    return verdicts


def _unresolved(check_id: str, period: str, error: str) -> Verdict:
    return Verdict(check_id, period, False, 0, 0, None, error=error or "原因不明")


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
