"""Tests of the generator's places domains: housing safety and renovation, drinking water
(points, tests, survey), transition-fund projects and reported indicators.

A small county-year (scale 0.02, the smallest the tests use) is generated once; the tests
check the ledgers' sizes and values, that each planted case shows in the loaded facts or
in the truth of the checks X09, X10, X15, X16, X17, X18, that every one of those checks
fails in some month and passes in another, and that the files are the same bytes for the
same seed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from generator import generate_county_year
from generator import housing as housing_domain
from generator import projects as projects_domain
from generator import water as water_domain
from generator.expected_places import CHECKS
from generator.gazetteer import COUNTY_CODE
from generator.population import LAGGING_TOWNS
from generator.sources import REPORTED_KPIS

SCALE = 0.02
MONTHS = [f"2024-{m:02d}" for m in range(3, 13)]
SOURCES = (
    "housing_monitor",
    "housing_renovation",
    "water_points",
    "water_tests",
    "water_survey",
    "projects",
    "indicators",
)


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("places")
    return out, generate_county_year(out, 2024, 1, SCALE, lambda _m: None)


def _digest(inbox: Path) -> dict[str, str]:
    return {
        str(p.relative_to(inbox)): hashlib.sha256(p.read_bytes()).hexdigest()
        for source in SOURCES
        for p in sorted((inbox / source).iterdir())
    }


def _facts(cy, source: str) -> dict[str, list]:
    return {m: cy.facts(source, m) for m in MONTHS if cy.facts(source, m) is not None}


# --------------------------------------------------------------------------- ledgers


def test_ledger_sizes(county):
    _out, cy = county
    renov = _facts(cy, "housing_renovation")
    assert set(renov) == set(MONTHS)
    n = housing_domain.RENOVATIONS
    for rows in renov.values():
        assert max(4, round(n * SCALE)) <= len({f.id for f in rows}) <= max(4, round(n * SCALE)) + 2
    points = cy.facts("water_points", "2024-01")
    assert len(points) == 213
    active = [f for f in points if f.active]
    assert len(active) == 210 and len({f.point for f in points}) == 213
    assert sum(1 for f in active if f.scheme == "自备水源工程") == 71
    per_village = Counter(f.village for f in active)
    assert max(per_village.values()) <= 2 and 100 < len(per_village) < 179
    projects = cy.county.world["projects"].projects
    assert len(projects) == max(8, round(projects_domain.PROJECTS * SCALE))
    assert set(_facts(cy, "projects")) == set(MONTHS)
    indicators = _facts(cy, "indicators")
    assert set(indicators) == set(MONTHS)
    for rows in indicators.values():
        assert {f.code for f in rows} <= set(REPORTED_KPIS)
    # The survey: April and October rounds, late villages in May and November.
    assert {m for m in MONTHS if cy.facts("water_survey", m) is not None} == {
        "2024-04",
        "2024-05",
        "2024-10",
        "2024-11",
    }
    assert 170 <= len(cy.facts("water_survey", "2024-04")) < 179
    assert 0 < len(cy.facts("water_survey", "2024-05")) < 10


def test_housing_monitor_nil_reports(county):
    _out, cy = county
    towns = {t.code for t in cy.county.gazetteer.townships}
    for month in MONTHS:
        rows = cy.facts("housing_monitor", month)
        if rows is None:
            assert month == "2024-07"  # rejected: no period in its name
            continue
        nil = [f for f in rows if f.id is None]
        households = [f for f in rows if f.id is not None]
        assert all(f.name is None and f.village is None and f.remark == "无" for f in nil)
        assert all(f.object and f.grade and f.disposal and f.village for f in households)
        # A nil report only where the township has no household, once.
        assert not {f.town for f in nil} & {f.town for f in households}
        assert len({f.town for f in nil}) == len(nil)
        assert {f.town for f in rows} <= towns
    world = cy.county.world["housing"]
    assert 1 <= len(world.empty_towns) <= 2


def test_housing_values(county):
    _out, cy = county
    world = cy.county.world["housing"]
    kinds = set()
    for r in world.renovations:
        assert r.grade in ("C级", "D级", "无房户")
        assert r.started < r.completed <= r.accepted <= r.paid
        assert 3 <= r.started.month <= 6
        if r.method == "加固改造":
            assert Decimal(10_000) <= r.subsidy <= Decimal(15_000)
        if r.method == "拆除重建":
            assert Decimal(30_000) <= r.subsidy <= Decimal(40_000)
        kinds.add(r.kind)
    assert "其他" in kinds
    # Renovation households are on the monitoring list, C级/D级, 纳入危改 until completed.
    dec = cy.facts("housing_monitor", "2024-12")
    graded = {f.id: f for f in dec if f.id is not None}
    for r in world.renovations:
        if r.grade != "无房户" and r.head.id_number in graded:
            assert graded[r.head.id_number].disposal == "已整改"
    kinds = {f.object for m in MONTHS for f in cy.facts("housing_renovation", m)}
    assert kinds & {"脱贫户", "监测户"} and kinds & {"低保户", "分散供养特困户"}


def test_project_values(county):
    _out, cy = county
    world = cy.county.world["projects"]
    assert any(p.town.code == COUNTY_CODE and p.village is None for p in world.projects)
    for p in world.projects:
        for i in range(10):
            assert p.spent[i] <= p.funds
            assert p.claimed[i] is None or p.claimed[i] <= p.spent[i]
            assert i == 0 or p.spent[i] >= p.spent[i - 1]
        if p.finished is not None:
            assert p.started < p.finished
    rows = cy.facts("projects", "2024-12")
    assert {f.status for f in rows} <= {"未开工", "在建", "已完工"}


def test_indicator_values(county):
    _out, cy = county
    world = cy.county.world["reported"]
    for s in world.series:
        if s.code != "A2-CHRONIC-SIGN":
            assert s.cumulative(9) == sum(s.increments)
            assert all(v >= 0 for v in s.increments)
    county_rows = {s.code for s in world.series if s.town.code == COUNTY_CODE}
    town_rows = {s.code for s in world.series if s.town.code != COUNTY_CODE}
    assert county_rows | town_rows == set(REPORTED_KPIS) and not county_rows & town_rows
    by = {(s.code, s.town.code): s for s in world.series}
    toilets = sum(by[("A9-TOILETS", t.code)].cumulative(9) for t in cy.county.gazetteer.townships)
    assert 2_000 < toilets < 3_200  # near the plan's 2,600, not scaled
    collective = sum(
        by[("A3-COLLECTIVE-100K", t.code)].cumulative(9) for t in cy.county.gazetteer.townships
    )
    assert collective / 179 > Decimal("0.35")
    for t in cy.county.gazetteer.townships:  # never more villages than the township has
        assert by[("A3-COLLECTIVE-100K", t.code)].cumulative(9) <= len(t.villages)
    dropouts = [s for s in world.series if s.code == "A2-DROPOUT" and sum(s.increments)]
    assert len(dropouts) == 1 and sum(dropouts[0].increments) == 1


# --------------------------------------------------------------------------- checks


def test_checks_fail_and_pass(county):
    _out, cy = county
    truth = cy.truth()["checks"]
    for check in CHECKS:
        periods = truth[check]
        assert any(periods.values()), f"{check} never fails"
        assert any(v == [] for v in periods.values()), f"{check} never passes"
        assert list(periods) == sorted(periods)
        for keys in periods.values():
            assert keys == sorted(set(keys))
        if check != "X17":  # the survey check starts with the April round
            assert periods["2024-03"] == [], check
    assert "2024-03" not in truth["X17"] and set(truth["X17"]) == set(MONTHS[1:])
    assert "2024-07" not in truth["X09"]  # housing_monitor rejected in July
    assert set(truth["X18"]["2024-07"]) == {t.code for t in cy.county.gazetteer.townships}
    assert all(truth["X10"][m] == [] for m in MONTHS[:7])


def test_x09_planted(county):
    _out, cy = county
    truth = cy.truth()["checks"]["X09"]
    world = cy.county.world["housing"]
    other = next(r for r in world.renovations if r.kind == "其他")
    listed = [m for m in truth if MONTHS.index(m) >= other.first]
    assert listed and all(other.head.id_number in truth[m] for m in listed)
    graded_b = [(r, i) for r in world.renovations for i in r.monitor_values]
    assert graded_b
    for r, i in graded_b:
        assert r.head.id_number in truth[MONTHS[i]]


def test_x10_planted(county):
    _out, cy = county
    truth = cy.truth()["checks"]["X10"]
    world = cy.county.world["housing"]
    late = [r for r in world.renovations if r.completed.month > 10]
    unpaid = [r for r in world.renovations if r.completed.month <= 10 and r.accepted.month > 11]
    assert late and unpaid
    assert all(r.head.id_number in truth["2024-10"] for r in late)
    assert all(r.head.id_number in truth["2024-11"] for r in late + unpaid)
    assert not any(r.head.id_number in truth["2024-10"] for r in unpaid)


def test_x15_behind_in_lagging_townships(county):
    _out, cy = county
    truth = cy.truth()["checks"]["X15"]
    world = cy.county.world["projects"]
    town = {p.code: p.town.name for p in world.projects}
    behind = {code for m in MONTHS for code in truth[m]}
    lagging = [p.code for p in world.projects if p.town.name in LAGGING_TOWNS]
    others = [p.code for p in world.projects if p.town.name not in LAGGING_TOWNS]
    assert behind & set(lagging)
    share = len(behind & set(lagging)) / len(lagging)
    assert share > len(behind & set(others)) / len(others)
    assert any(truth[m] for m in MONTHS[1:]) and town
    # Spending follows the milestones for the others: 30 % by April, 100 % by December.
    april = {f.project: f for f in cy.facts("projects", "2024-04")}
    assert all(
        f.spent >= Decimal("0.3") * f.funds for c, f in april.items() if c not in truth["2024-04"]
    )


def test_x16_planted(county):
    _out, cy = county
    truth = cy.truth()["checks"]["X16"]
    world = cy.county.world["water"]
    december = {
        p.code
        for p in world.points
        if p.active
        and sum(
            1 for i in range(10) for t in world.tests[i] if t.point is p and t.kind == "46项全分析"
        )
        == 1
    }
    assert december and december <= set(truth["2024-12"])
    missing = [
        (p.code, m)
        for i, m in enumerate(MONTHS)
        for p in world.points
        if p.active and not any(t.point is p and t.kind == "21项常规检测" for t in world.tests[i])
    ]
    assert missing and all(code in truth[m] for code, m in missing)


def test_x17_planted(county):
    _out, cy = county
    truth = cy.truth()["checks"]["X17"]
    may = {f.village for f in cy.facts("water_survey", "2024-05")}
    april = {f.village for f in cy.facts("water_survey", "2024-04")}
    late = may - april  # surveyed late, or re-reported after a bad cell in April
    assert 3 <= len(late) <= 7 and late <= set(truth["2024-04"])
    assert all(truth[m] == [] for m in ("2024-05", "2024-06", "2024-07", "2024-08", "2024-09"))
    november = {f.village for f in cy.facts("water_survey", "2024-11")}
    october = {f.village for f in cy.facts("water_survey", "2024-10")}
    assert (november - october) and (november - october) <= set(truth["2024-10"])
    assert all(f.round == "2024-04" for f in cy.facts("water_survey", "2024-05"))


def test_x18_planted(county):
    _out, cy = county
    truth = cy.truth()["checks"]["X18"]
    silent = cy.county.world["housing"].silent
    assert silent
    for town, i in silent:
        assert town in truth[MONTHS[i]]


def test_u_cases_in_the_facts(county):
    """The planted within-ledger cases load (the checks U01–U06 judge what loads)."""
    _out, cy = county
    u01 = cy.truth()["checks"]["U01"]
    failing = {k for keys in u01.values() for k in keys}
    world = cy.county.world
    heads = {r.head.id_number for r in world["housing"].renovations}
    heads |= {m.head.id_number for m in world["housing"].monitored}
    assert failing & heads
    assert failing & {p.code for p in world["projects"].projects}
    assert failing & {v.code for v in cy.county.gazetteer.villages}
    assert any("|" in k for k in failing)  # an indicator row repeated
    assert "2024-03" in u01 and u01["2024-03"] == []

    renov = [f for m in MONTHS for f in cy.facts("housing_renovation", m)]
    assert any(f.started and f.completed and f.completed < f.started for f in renov)  # U02
    projects = [f for m in MONTHS for f in cy.facts("projects", m)]
    assert any(f.started and f.finished and f.finished < f.started for f in projects)  # U02
    assert any(f.claimed is not None and f.claimed > f.spent for f in projects)  # U03
    assert any(f.spent > f.funds for f in projects)
    assert any(f.status == "已完工" and f.finished is None for f in projects)  # U04
    assert any(f.status == "在建" and f.started is None for f in projects)
    survey = [f for m in MONTHS for f in cy.facts("water_survey", m) or ()]
    assert any(f.done > f.due for f in survey) and any(f.fixed > f.found for f in survey)  # U03
    tests = [f for m in MONTHS for f in cy.facts("water_tests", m)]
    assert any(f.result == "不合格" and f.failed_items is None for f in tests)  # U04
    points = {f.point for f in cy.facts("water_points", "2024-01")}
    assert any(f.point not in points for f in tests)  # U06
    # Nothing planted in March.
    march = cy.facts("projects", "2024-03")
    assert all(f.claimed is None or f.claimed <= f.spent <= f.funds for f in march)
    assert all(f.point in points for f in cy.facts("water_tests", "2024-03"))


def test_forced_bad_cells(county):
    _out, cy = county
    reasons = {(q["source"], q["reason_code"]) for q in cy.truth()["quarantine"]}
    assert ("indicators", "bad_number") in reasons
    assert ("projects", "bad_money") in reasons
    assert ("water_survey", "bad_integer") in reasons
    assert reasons & {("indicators", "unknown_town"), ("projects", "unknown_town")}
    # The reconciled files carry no bad cell.
    assert not any(q["period"] in ("2024-03", "2024-01") for q in cy.truth()["quarantine"])


def test_same_seed_same_bytes(county, tmp_path):
    out, _cy = county
    again = generate_county_year(tmp_path, 2024, 1, SCALE, lambda _m: None)
    assert _digest(tmp_path / "inbox") == _digest(out / "inbox")
    assert again.truth()["checks"] == county[1].truth()["checks"]


def test_domain_constants():
    assert projects_domain.MILESTONES[1] == Decimal("0.30")
    assert water_domain.ACTIVE_POINTS == 210 and water_domain.SELF_SUPPLIED == 71


def test_welfare_households_when_welfare_is_simulated():
    """With the welfare domain's world (households outside the roster, ``in_care``), the
    低保户 / 分散供养特困户 come from those households, the roster's are 脱贫户 / 监测户."""
    import random
    from types import SimpleNamespace

    from generator.defects import Planter
    from generator.gazetteer import load_gazetteer
    from generator.population import Household, _IdIssuer, _members, build_county

    county = build_county(load_gazetteer(), 2024, 1, 0.05)
    rng = random.Random("welfare stub")
    ids = _IdIssuer(rng)
    ids.used = {p.id_number for p in county.persons}
    others = []
    for n in range(60):
        village = rng.choice(county.gazetteer.villages)
        hh = Household(
            f"{village.code}7{n:03d}", village, county.gazetteer.town_of(village), 10, False, 0
        )
        _members(rng, ids, hh)
        others.append(hh)
    care = {
        hh.members[0].id_number: ("特困供养" if n % 3 == 0 else "低保")
        for n, hh in enumerate(others)
    }

    def in_care(person, index, kinds=("低保", "特困供养")):
        return care.get(person.id_number) in kinds

    county.world["welfare"] = SimpleNamespace(others=others, in_care=in_care)
    housing_domain.simulate(county, lambda name: random.Random(name))
    housing_domain.plant(Planter(county, random.Random("p")).fork("housing"))
    world = county.world["housing"]
    outside = {p.id_number for hh in others for p in hh.members}
    entries = [(e.head, e.kind) for e in [*world.renovations, *world.monitored]]
    for head, kind in entries:
        if kind in ("低保户", "分散供养特困户"):
            assert head.id_number in outside
            wanted = "特困供养" if kind == "分散供养特困户" else "低保"
            assert care[head.id_number] == wanted
        elif kind is None:
            assert head.household in county.households
    assert any(kind in ("低保户", "分散供养特困户") for _h, kind in entries)
    rows = housing_domain.housing_renovation(county, 5)
    assert {r.values["对象类型"] for r in rows} <= {
        "脱贫户",
        "监测户",
        "低保户",
        "分散供养特困户",
        "其他",
    }
