"""Tests of the generator's welfare domain (``generator/welfare.py``, ``claims.py``,
``income.py``, ``expected_welfare.py``): the ledgers' sizes and values, the checks' truth
(each fails in some month and passes in others, March passes), every planted case in the
truth, a truth computed from the loaded facts alone, and identical bytes for a seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator import generate_county_year, idcard, ledgers
from generator.expected_welfare import CHECKS
from generator.facts import fact
from generator.income import QUARTERS, figures
from generator.truth import CountyYear
from generator.welfare import CARE, NAME, POLICY
from generator.welfare_cases import homophone

SCALE = 0.03
SOURCES = ("insurance", "assistance", "medical_claims", "income")
MONTHS = [f"2024-{m:02d}" for m in range(3, 13)]


def _generate(out: Path) -> CountyYear:
    return generate_county_year(out, 2024, 1, SCALE, lambda _m: None)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, CountyYear]:
    out = tmp_path_factory.mktemp("welfare")
    return out, _generate(out)


@pytest.fixture(scope="module")
def cy(generated) -> CountyYear:
    return generated[1]


@pytest.fixture(scope="module")
def world(cy):
    return cy.county.world[NAME]


def _records(cy, source, index):
    return ledgers.records(cy.county, source, index)


def _ids(rows) -> set[str]:
    return {r.values["身份证号"] for r in rows}


# --------------------------------------------------------------------------- the world


def test_others_are_outside_the_roster(cy, world):
    county = cy.county
    roster_ids = {p.id_number for p in county.persons}
    roster_households = {hh.hh_id for hh in county.households}
    others = [p for hh in world.others for p in hh.members]
    assert len(world.others) >= 0.8 * 900 * SCALE
    assert 1.5 <= len(others) / len(world.others) <= 2.8
    ids = [p.id_number for p in others]
    assert len(set(ids)) == len(ids) and not set(ids) & roster_ids
    assert all(idcard.is_valid(i) for i in ids)
    for hh in world.others:
        assert hh.hh_id not in roster_households and hh.hh_id[12] == "8"
        assert not any(hh.present_at(i) for i in range(10))
    for index in range(10):
        assert not _ids(_records(cy, "roster", index)) & set(ids)
    # Most of them are 在保 in 低保 or 特困供养 (interface for the other domains).
    cared = sum(world.in_care(p, 0) for p in others)
    assert cared >= 0.85 * len(others)
    tekun = [p for p in others if world.in_care(p, 0, ("特困供养",))]
    assert tekun and all(len(p.household.members) == 1 and p.age >= 60 for p in tekun)


def test_ledger_sizes(cy, world):
    county = cy.county
    for index in range(10):
        present = len(county.persons_at(index))
        insurance = _records(cy, "insurance", index)
        assert (
            present <= len(insurance) <= present + 1.2 * sum(len(h.members) for h in world.others)
        )
        assistance = _records(cy, "assistance", index)
        assert 0.1 < len(assistance) / len(insurance) < 0.25
        claims = _records(cy, "medical_claims", index)
        assert 0.05 < len(claims) / len(insurance) < 0.2
        stays = sum(r.values["就诊类型"] == "住院" for r in claims)
        assert stays / len(insurance) < 0.03
    for q in QUARTERS:
        rows = _records(cy, "income", q)
        households = [hh for hh in county.households if hh.present_at(q)]
        assert 0.97 * len(households) <= len(rows) <= len(households)


def test_nothing_listed_twice_but_the_planted(cy):
    keys = {
        "insurance": lambda r: r.values["身份证号"],
        "assistance": lambda r: (r.values["身份证号"], r.values["救助类型"]),
        "medical_claims": lambda r: r.values["结算单号"],
    }
    for source, key in keys.items():
        for index in range(10):
            rows = _records(cy, source, index)
            counts = Counter(map(key, rows))
            twice = {r.person.id_number for r in rows if counts[key(r)] > 1}
            planted = {
                getattr(k, "person", k).id_number
                for k in cy.county.defects.repeated.get((source, index), ())
            }
            assert twice == planted, (source, index)


def test_insurance_values(cy, world):
    county = cy.county
    for index in range(10):
        rows = _records(cy, "insurance", index)
        present = _ids(r for r in rows if r.person.present_at(index))
        if index == 0:  # the reconciled month: every roster person, covered
            assert present == {p.id_number for p in county.persons_at(0)}
        statuses = Counter(r.values["参保状态"] for r in rows)
        assert statuses["已参保"] > 0.9 * len(rows)
        assert 0.01 < statuses["异地参保"] / len(rows) < 0.04
        for r in rows:
            v = r.values
            assert v["参保年度"] == 2024
            planted = (r.person, index) in world.ins_override
            if not planted:
                assert v["资助金额"] == POLICY[v["资助类别"]]
            if v["参保状态"] == "死亡":
                assert not r.person.alive_at(index)
            elif not planted:
                assert v["资助类别"] != "特困人员" or world.in_care(r.person, index, ("特困供养",))
            assert v["参保日期"] <= dt.date(2024, 3 + index, 28)


def test_assistance_values(cy, world):
    for index in range(10):
        month = dt.date(2024, 3 + index, 1)
        for r in _records(cy, "assistance", index):
            v = r.values
            assert v["起始月份"] <= month
            assert (v["供养方式"] is not None) == (v["救助类型"] == "特困供养")
            amount = v["月救助金额"]
            low, high = {
                "低保": (340, 600),
                "特困供养": (900, 1100),
                "临时救助": (500, 3000),
                "困难残疾人生活补贴": (90, 120),
                "重度残疾人护理补贴": (90, 120),
            }[v["救助类型"]]
            assert low <= amount <= high
            if v["救助状态"] == "在保" and (r.person, index) not in world.late_stops:
                assert r.person.alive_at(index)
    # A stopped benefit stays listed, 停保, for the rest of the year.
    listed = [
        {
            (r.values["身份证号"], r.values["救助类型"]): r.values["救助状态"]
            for r in _records(cy, "assistance", index)
        }
        for index in range(10)
    ]
    stopped = [(i, k) for i in range(10) for k, status in listed[i].items() if status == "停保"]
    assert stopped
    for i, k in stopped:
        assert all(listed[j].get(k) == "停保" for j in range(i, 10)) or k in {
            (p.id_number, b.kind) for p, bs in world.benefits.items() for b in bs if b.pause
        }
    # 低保 for every member of a 低保 household, ≈ 10 % of the roster's households.
    county = cy.county
    dibao = {
        hh for hh in county.households if any(world.in_care(p, 0, ("低保",)) for p in hh.members)
    }
    assert 0.07 < len(dibao) / len(county.households) < 0.15
    for hh in dibao:
        assert all(world.in_care(p, 0, CARE) for p in hh.members if p.alive_at(0))


def test_claim_values(cy, world):
    numbers = Counter()
    for index in range(10):
        for r in _records(cy, "medical_claims", index):
            v = r.values
            numbers[(index, v["结算单号"])] += 1
            parts = v["基本医保"] + v["大病保险"] + v["医疗救助"] + (v["其他保障"] or 0)
            claim = next(c for c in world.claims_by_month[index] if c.number == v["结算单号"])
            assert v["个人自付"] >= 0 and claim.total == parts + v["个人自付"]
            assert v["医疗总费用"] == world.typos.get(claim, claim.total)
            assert v["结算单号"] == f"JS{v['结算日期']:%Y%m%d}{v['结算单号'][10:]}"
            assert v["结算日期"].month == 3 + index
    repeated = {k for k, n in numbers.items() if n > 1}
    planted = {
        (i, c.number)
        for (s, i), keys in cy.county.defects.repeated.items()
        if s == "medical_claims"
        for c in keys
    }
    assert repeated == planted and planted


def test_income_values(cy, world):
    county = cy.county
    growth = []
    for hh in county.households:
        if hh.first_period:
            continue
        parts = figures(world, hh)
        net = sum(
            v["wage"] + v["business"] + v["property"] + v["transfer"] - v["cost"]
            for v in parts.values()
        )
        growth.append(net / parts[9]["size"] / hh.income_prev - 1)
        for q in QUARTERS:
            row = world.income.get((hh, q))
            if row is None:
                assert (hh, q) in world.income_missing
                continue
            assert row["户主姓名"] == hh.members[0].name and row["家庭人口数"] >= 1
            assert row["工资性收入"] == parts[q]["wage"]
    # The year's per-capita net income reaches last year's at least (the 人社 wages alone
    # often exceed the target: the wages stand).
    growth.sort()
    assert growth[len(growth) // 10] > Decimal("0.0")
    # The harvest comes in the third and fourth quarters.
    business = {q: sum(r.values["经营性收入"] for r in _records(cy, "income", q)) for q in QUARTERS}
    assert business[9] > business[6] > business[3] > business[0]
    # Missing households: mostly in the lagging township, never in the first quarter.
    assert world.income_missing
    assert all(q != 0 for _hh, q in world.income_missing)


def test_homophones():
    assert homophone("王芳") == "王方"
    assert homophone("刘伟") == "刘玮"
    assert homophone("张") is None or len(homophone("张")) == 1


# --------------------------------------------------------------------------- the truth


def test_checks_fail_and_pass(cy):
    truth = cy.truth()["checks"]
    for check in CHECKS:
        periods = truth[check]
        assert set(periods) == set(MONTHS), check  # every ledger loads every month
        assert periods["2024-03"] == [], check
        assert any(periods.values()), f"{check} never fails"
        assert any(v == [] for v in periods.values()), f"{check} never passes"
        for keys in periods.values():
            assert keys == sorted(set(keys))
    u03 = cy.truth()["checks"]["U03"]  # the settlements' part: totals that do not add up
    assert u03["2024-03"] == []
    assert any(key.startswith("JS") for keys in u03.values() for key in keys)


def test_planted_cases_show(cy, world):
    truth = cy.truth()["checks"]
    period = lambda i: MONTHS[i]  # noqa: E731

    for p, crossing in world.seriously_ill:  # X11
        monitored = p.household.monitoring is not None
        for i in range(10):
            failing = p.id_number in truth["X11"][period(i)]
            assert failing == (not monitored and i >= crossing), (p.id_number, i)
    assert {p.household.monitoring is None for p, _ in world.seriously_ill} == {True, False}

    assert world.late_stops
    for p, d in world.late_stops:  # X20
        assert p.id_number in truth["X20"][period(d)]
        assert p.id_number not in truth["X20"][period(d + 1)]

    assert world.unprotected
    for hh in world.unprotected:  # X12
        ids = {m.id_number for m in hh.members}
        assert any(ids & set(v) for v in truth["X12"].values())

    assert world.names
    for (_source, p, i), name in world.names.items():  # X22
        assert name != p.name and len(name) == len(p.name)
        assert p.id_number in truth["X22"][period(i)]

    for p, i in world.ins_missing:  # X01
        assert p.id_number in truth["X01"][period(i)]
    kinds = Counter()
    for (p, i), values in world.ins_override.items():
        if values.get("参保状态") == "未参保":
            kinds["X01"] += 1
            assert p.id_number in truth["X01"][period(i)]
        elif "资助类别" in values:
            kinds["X03"] += 1
            assert p.id_number in truth["X03"][period(i)]
        else:
            kinds["X02"] += 1
            assert p.id_number in truth["X02"][period(i)]
    assert set(kinds) == {"X01", "X02", "X03"}
    x03 = Counter(v.get("资助类别") for v in world.ins_override.values())
    assert {"特困人员", "监测对象", "脱贫人口", "低保对象"} <= set(x03)

    repeated = cy.county.defects.repeated
    for source in ("insurance", "assistance", "medical_claims"):  # U01
        cases = [(i, k) for (s, i), keys in repeated.items() if s == source for k in keys]
        assert cases, source
        for i, k in cases:
            entity = k.number if source == "medical_claims" else getattr(k, "person", k).id_number
            assert entity in truth["U01"][period(i)]

    u03 = truth["U03"]
    assert world.typos
    for c in world.typos:
        assert c.number in u03[period(c.index)]


def test_truth_from_facts_alone(cy):
    """The welfare checks computed by an object that has nothing but the loaded facts
    (rebuilt from the loaded rows) and the county's year, periods and gazetteer."""
    rebuilt = {}
    for out in cy.files:
        lo = out.layout
        if lo.loaded:
            rows = cy.ledger(lo.source, lo.period)
            rebuilt[(lo.source, lo.period)] = [
                fact(lo.source, r.record, r.row_number) for r in rows
            ]
            assert rebuilt[(lo.source, lo.period)] == cy.facts(lo.source, lo.period)

    class FactsOnly:
        county = SimpleNamespace(
            year=cy.county.year, periods=cy.county.periods, gazetteer=cy.county.gazetteer
        )

        def facts(self, source, period):
            return rebuilt.get((source, period))

        seen = CountyYear.seen

    truth = cy.truth()["checks"]
    for check, fn in CHECKS.items():
        assert fn(FactsOnly()) == truth[check], check


def test_same_seed_same_bytes(generated, tmp_path):
    def digest(root: Path) -> dict[str, str]:
        inbox = root / "inbox"
        return {
            str(p.relative_to(inbox)): hashlib.sha256(p.read_bytes()).hexdigest()
            for source in SOURCES
            for p in sorted((inbox / source).iterdir())
        }

    out, cy = generated
    again = _generate(tmp_path)
    assert digest(out) == digest(tmp_path)
    assert again.truth() == cy.truth()
