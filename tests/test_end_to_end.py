"""The demo county end to end: generate a county-year, `run` it, and compare the warehouse
with what the generator says it injected (truth.json): every file, every quarantined cell,
every rejected file, every check's failing entities, every indicator value. The same for a
small county-year simulated in two shards (generator/shards.py): its files are merged from
the shards' parts and its truth added up from theirs. (That the same seed gives the same
bytes is tests/test_generator.py's, at a small scale.)"""

from __future__ import annotations

import pytest
from conftest import loaded_and_planted, query

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["demo_county", "sharded_county"])
def county(request):
    return request.getfixturevalue(request.param)


def test_run_publishes_and_reports_the_rejected_files(county):
    _, warehouse, truth, result = county
    assert result.returncode == 1, result.stderr  # the demo holds rejected files on purpose
    assert warehouse.exists()
    assert f"拒收 {len(truth['rejected_files'])} 个" in result.stdout


def test_every_file_is_in_the_load_log(county):
    root, warehouse, _, _ = county
    inbox = root / "county" / "inbox"
    offered = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())
    logged = sorted(r[0] for r in query(warehouse, "SELECT file_name FROM v_load_log"))
    assert logged == offered
    assert query(
        warehouse,
        "SELECT count(*) FROM v_load_log WHERE status = 'loaded' "
        "AND rows_read <> rows_loaded + rows_quarantined + rows_skipped",
    ) == [(0,)]


def test_quarantine_and_rejections_equal_the_truth(county):
    _, warehouse, truth, _ = county
    for what, (loaded, planted) in loaded_and_planted(warehouse, truth).items():
        assert loaded == planted, what


def test_checks_report_exactly_the_injected_entities(county):
    """Every check the catalog declares, month by month, against the truth: a declared check
    or a month the truth has for it that is missing from the warehouse fails."""
    from expectations.catalog import checks

    _, warehouse, truth, _ = county
    declared = [c.id for c in checks()]
    missing_truth = sorted(set(declared) - set(truth["checks"]))
    assert not missing_truth, f"the generator has no truth for {missing_truth}"
    results = {
        (c, p): s
        for c, p, s in query(warehouse, "SELECT check_id, period, status FROM v_check_results")
    }
    not_evaluated: dict[str, list[str]] = {}
    for check_id in declared:
        by_period = truth["checks"][check_id]
        assert any(by_period.values()), f"{check_id}: no defect injected"
        stored = sorted(p for c, p in results if c == check_id)
        assert stored, f"{check_id} is declared but the warehouse has no result for it"
        missing = sorted(set(by_period) - set(stored))
        assert not missing, f"{check_id}: no result for {missing}"
        tp = fp = fn = 0
        for period in stored:
            if period not in by_period:
                assert results[(check_id, period)] == "not_evaluated", (check_id, period)
                continue
            expected = set(by_period[period])
            got = {
                r[0]
                for r in query(
                    warehouse,
                    "SELECT DISTINCT entity_key FROM v_check_failures WHERE check_id = ? AND period = ?",
                    [check_id, period],
                )
            }
            tp, fp, fn = (
                tp + len(got & expected),
                fp + len(got - expected),
                fn + len(expected - got),
            )
            assert results[(check_id, period)] == ("failed" if expected else "passed"), (
                check_id,
                period,
            )
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        passing = [p for p in stored if p in by_period and not by_period[p]]
        unevaluated = [p for p in stored if p not in by_period]
        print(
            f"{check_id}: precision {precision:.3f} recall {recall:.3f} ({tp} entities); "
            f"months failing {len(stored) - len(passing) - len(unevaluated)}, "
            f"passing {len(passing)}, not evaluated {len(unevaluated)}"
        )
        assert (precision, recall) == (1.0, 1.0), check_id
        assert passing, f"{check_id} fails in every month it judges"
        not_evaluated[check_id] = unevaluated
    # a missing or rejected file leaves the checks that need it not evaluated that month
    assert sum(map(len, not_evaluated.values())) > 0


def test_indicators_equal_the_truth_at_every_level(county):
    """Every indicator of the truth (all of spec/kpis.md), at every month and level it
    exists at: the same (code, month, level, township, village) rows as v_kpi, and the
    same values."""
    _, warehouse, truth, _ = county
    assert truth["kpis"], "the generator computed no indicator truth"
    got = {
        (k, p, lvl, t, v): value
        for k, p, lvl, t, v, value in query(
            warehouse, "SELECT kpi_code, period, level, town_code, village_code, value FROM v_kpi"
        )
    }
    codes = {t["kpi_code"] for t in truth["kpis"]}
    assert len(codes) == 61
    assert sorted(codes - {k[0] for k in got}) == [], "indicators of the truth missing in v_kpi"
    assert sorted({k[0] for k in got} - codes) == [], "indicators of v_kpi without a truth"
    keys = {
        (t["kpi_code"], t["period"], t["level"], t["town_code"], t["village_code"])
        for t in truth["kpis"]
    }
    for code in sorted(codes):
        want = {k for k in keys if k[0] == code}
        have = {k for k in got if k[0] == code}
        assert have == want, (code, sorted(have - want)[:5], sorted(want - have)[:5])
    for t in truth["kpis"]:
        key = (t["kpi_code"], t["period"], t["level"], t["town_code"], t["village_code"])
        if t["value"] is None:
            assert got[key] is None, key
        else:
            assert got[key] == pytest.approx(t["value"], rel=1e-9, abs=1e-12), key
