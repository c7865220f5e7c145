"""Every indicator of spec/kpis.md on a hand-made county that has every ledger: declared in
the year's configuration, a v_kpi row at each declared level, townships adding up to the
county; and a handful computed by hand — reported (the county from the 全县 row, or the
townships' sum), check-derived (A2-INSURED, with an accepted exception reaching it at the
next publish), the milestone target (A7-SPEND), two ledgers (A1-INCOME-COVER,
A2-WATER-MONTHLY), parts (A4-PUBLIC-JOBS by 岗位类别)."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest
from conftest import query
from county import CHENGGUAN, DIMIAO, TUQIAO, TUQIAO_2, person
from files import ledger, write_xlsx

from etl import cli, journal
from etl.gazetteer import gazetteer
from etl.indicators import refresh_indicators
from etl.load import load_directory
from etl.progress import Progress
from etl.targets import plan
from etl.warehouse import publishing
from expectations.validate import validate

# the contract, as copied into the repository (docs/spec/: the tests never read ../shared)
SPEC = Path(__file__).resolve().parent.parent / "docs" / "spec" / "kpis.md"
T_TUQIAO, T_CHENGGUAN, T_DIMIAO = "610429101", "610429001", "610429107"
P = {
    1: person(1),
    2: person(2, place=TUQIAO_2),
    3: person(3, place=DIMIAO),
    4: person(4, place=CHENGGUAN),
}
for _n in P:
    P[_n].household = f"H{_n}"


def village(place) -> str:
    g = gazetteer()
    return g.village_lookup[f"{g.town_lookup[place[0]]}|{place[1]}"]


def who(p) -> dict:
    return {"姓名": p.name, "身份证号": p.id_number, "镇（街道）": p.place[0], "行政村": p.place[1]}


def write(inbox: Path, source: str, period: str, rows: list[dict]) -> None:
    write_xlsx(inbox / source / f"{source}_{period}.xlsx", ledger(source, rows))


def roster(inbox, period):
    rows = []
    for p in P.values():
        rows.append({**who(p), "户编号": p.household, "户类型": "脱贫户", "务工状态": "未务工"})
    write(inbox, "roster", period, rows)


def write_month(inbox: Path, period: str) -> None:
    roster(inbox, period)
    write(inbox, "employment", period, [{**who(P[1]), "序号": 1}])
    write(inbox, "training", period, [{**who(P[1])}])
    write(inbox, "loans", period, [{**who(P[1]), "借款人姓名": P[1].name}])
    # X01: P3 has no record, P4 is 未参保; P1, P2 covered
    write(
        inbox,
        "insurance",
        period,
        [
            {**who(P[1]), "资助类别": "无", "资助金额（元）": "0"},
            {**who(P[2]), "资助类别": "无", "资助金额（元）": "0"},
            {**who(P[4]), "参保状态": "未参保", "资助类别": "无", "资助金额（元）": "0"},
        ],
    )
    write(inbox, "medical_claims", period, [{**who(P[1]), "结算单号": f"JS{period}"}])
    write(inbox, "assistance", period, [{**who(P[3])}])
    write(inbox, "housing_monitor", period, [{**who(P[1]), "户主姓名": P[1].name}])
    write(inbox, "housing_renovation", period, [{**who(P[1]), "户主姓名": P[1].name}])
    # A4-PUBLIC-JOBS: P1 in two posts, P4 one; P2 left before the month's end; P3 is 低保对象
    write(
        inbox,
        "public_jobs",
        period,
        [
            {**who(P[1]), "岗位类别": "乡村公益岗"},
            {**who(P[1]), "岗位类别": "护林员", "主管部门": "林业局"},
            {**who(P[2]), "岗位类别": "护河员", "主管部门": "水利局", "离岗日期": f"{period}-10"},
            {**who(P[3]), "岗位类别": "光伏公益岗", "主管部门": "发改局", "人员类别": "低保对象"},
            {**who(P[4]), "岗位类别": "乡村公益岗", "上岗日期": "2024-02-01"},
        ],
    )
    # A2-WATER-MONTHLY: SZ-1 tested, SZ-2 had only a 32-item analysis, SZ-3 is not active
    write(
        inbox,
        "water_tests",
        period,
        [
            {"检测点编号": "SZ-1", "检测日期": f"{period}-05"},
            {"检测点编号": "SZ-2", "检测日期": f"{period}-06", "检测类别": "32项全分析"},
            {"检测点编号": "SZ-3", "检测日期": f"{period}-07"},
        ],
    )
    # A7-SPEND: a village's project, a county-wide one, a township's without a village
    write(
        inbox,
        "projects",
        period,
        [
            {"项目编号": "XJ-1", "衔接资金": "100", "累计支出": "30"},
            {
                "项目编号": "XJ-2",
                "镇（街道）": "全县",
                "行政村": None,
                "实施单位": "县乡村振兴局",
                "衔接资金": "100",
                "累计支出": "50",
            },
            {
                "项目编号": "XJ-3",
                "镇（街道）": "底庙镇",
                "行政村": None,
                "衔接资金": "200",
                "累计支出": "20",
            },
        ],
    )
    write(inbox, "indicators", period, reported_rows())


def reported_rows() -> list[dict]:
    rows = []
    # every reported code, from the county
    for k in plan()["kpi"]:
        if k["kind"] == "reported":
            rows.append(
                {
                    "指标编码": k["code"],
                    "指标名称": k["name"],
                    "镇（街道）": "全县",
                    "本月完成": "1",
                    "累计完成": "5",
                }
            )
    rows = [r for r in rows if r["指标编码"] not in ("A3-FARMLAND", "A3-COLLECTIVE-100K")]
    # A9-TOILETS: a 全县 row (5) and township rows (35 + 20): the county is the 全县 row
    rows += [
        {
            "指标编码": "A9-TOILETS",
            "镇（街道）": "土桥镇",
            "本月完成": "3",
            "累计完成": "35",
            "备注": "含整改问题厕所12户",  # shown on the action page (test_overview_page.py)
        },
        {"指标编码": "A9-TOILETS", "镇（街道）": "底庙镇", "本月完成": "2", "累计完成": "20"},
        # A3-FARMLAND: townships only, one without 累计完成 (its 本月完成 summed instead)
        {"指标编码": "A3-FARMLAND", "镇（街道）": "土桥镇", "本月完成": "100", "累计完成": "400"},
        {"指标编码": "A3-FARMLAND", "镇（街道）": "城关街道", "本月完成": "50", "累计完成": None},
        {
            "指标编码": "A3-COLLECTIVE-100K",
            "镇（街道）": "土桥镇",
            "本月完成": "1",
            "累计完成": "9",
        },
        {
            "指标编码": "A3-COLLECTIVE-100K",
            "镇（街道）": "底庙镇",
            "本月完成": "0",
            "累计完成": "63",
        },
    ]
    return rows


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("kpis_catalog")
    inbox = root / "inbox"
    write_month(inbox, "2024-03")
    write_month(inbox, "2024-04")
    roster(inbox, "2024-10")
    write(inbox, "indicators", "2024-10", [])  # a file with no rows: the codes still have rows
    write(
        inbox,
        "water_points",
        "2024-01",
        [
            {"检测点编号": "SZ-1"},
            {
                "检测点编号": "SZ-2",
                "镇（街道）": "土桥镇",
                "行政村": "新峁村",
                "工程类型": "自备水源工程",
            },
            {"检测点编号": "SZ-3", "是否启用": "否"},
        ],
    )
    write_xlsx(
        inbox / "income" / "income_2024-Q1.xlsx",
        ledger(
            "income",
            [
                {**who(P[1]), "户主姓名": P[1].name, "户编号": "H1"},
                {**who(P[3]), "户主姓名": P[3].name, "户编号": "H3"},
                {**who(P[2]), "户主姓名": P[2].name, "户编号": "H9"},  # not in roster
            ],
        ),
    )
    write(inbox, "water_survey", "2024-04", [{"排查批次": "2024年4月"}])
    write(inbox, "water_survey", "2024-10", [{"行政村": "新峁村", "排查批次": "2024年10月"}])
    warehouse = root / "xunyi.duckdb"
    with open(os.devnull, "w") as quiet, publishing(warehouse, say=lambda _: None) as build:
        outcomes = load_directory(build.con, inbox, Progress(0, "加载", stream=quiet))
        validate(build)
        refresh_indicators(build.con)
    assert {o.status for o in outcomes} == {"loaded"}, [(o.file_name, o.message) for o in outcomes]
    return warehouse


def kpi(warehouse, code, period, level="county", town=None, vil=None):
    rows = query(
        warehouse,
        "SELECT value, target, expected, status FROM v_kpi WHERE kpi_code = ? AND period = ? "
        "AND level = ? AND town_code IS NOT DISTINCT FROM ? AND village_code IS NOT DISTINCT FROM ?",
        [code, period, level, town, vil],
    )
    assert len(rows) == 1, (code, period, level, town, vil, rows)
    return rows[0]


def spec_codes() -> set[str]:
    """Every code of spec/kpis.md's table, the split ones (A2-WATER-SURVEY-APR / -OCT)
    expanded, and the parts spec/interfaces.md names."""
    codes = set()
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| A"):
            continue
        cell = line.split("|")[1]
        first = None
        for name in re.findall(r"A\d+-[A-Z0-9-]+|-[A-Z0-9]+", cell):
            if name.startswith("A"):
                first = first or name
                codes.add(name)
            else:  # "-OCT" after "A2-WATER-SURVEY-APR"
                codes.add(first.rsplit("-", 1)[0] + name)
    return codes | {f"A4-PUBLIC-JOBS-{p}" for p in ("VILLAGE", "FOREST", "RIVER", "SOLAR")}


def test_every_spec_code_is_declared():
    declared = {k["code"] for k in plan()["kpi"]}
    assert spec_codes() == declared
    assert len(declared) == 61


def test_every_declaration_has_levels_lead_and_headlines():
    kpis = plan()["kpi"]
    for k in kpis:
        assert k["levels"] and set(k["levels"]) <= {"county", "town", "village"}, k["code"]
        assert k["lead"].startswith("县"), k["code"]
    by_action = {}
    for k in kpis:
        by_action.setdefault(k["action"], []).append(bool(k.get("headline")))
    assert {a: 1 <= sum(h) <= 2 for a, h in by_action.items()} == {a: True for a in range(1, 11)}


def test_every_indicator_has_a_row_at_each_declared_level(county):
    g = gazetteer()
    size = {
        "county": 1,
        "town": len({v.town_code for v in g.villages.values()}),
        "village": len(g.villages),
    }
    rows = query(
        county,
        "SELECT kpi_code, period, level, count(*), min(lead), bool_and(headline), min(name), "
        "count(DISTINCT (lead, headline, name)) FROM v_kpi GROUP BY ALL",
    )
    got = {(c, p, lv): n for c, p, lv, n, *_ in rows}
    plan_of = {
        c: (lead, headline, name, distinct) for c, _, _, _, lead, headline, name, distinct in rows
    }
    for k in plan()["kpi"]:
        period = "2024-10" if k["code"] == "A2-WATER-SURVEY-OCT" else "2024-04"
        levels = {lv: got.get((k["code"], period, lv)) for lv in ("county", "town", "village")}
        assert levels == {lv: size[lv] if lv in k["levels"] else None for lv in levels}, k["code"]
        assert plan_of[k["code"]] == (k["lead"], bool(k.get("headline")), k["name"], 1)


def test_townships_add_up_to_the_county_and_villages_to_their_township(county):
    counts = [k["code"] for k in plan()["kpi"] if k["unit"] != "比例"]
    mismatches = query(
        county,
        """
        WITH towns AS (
            SELECT kpi_code, period, sum(value) AS s FROM v_kpi WHERE level = 'town'
            GROUP BY kpi_code, period
        ), villages AS (
            SELECT kpi_code, period, town_code, sum(value) AS s FROM v_kpi WHERE level = 'village'
            GROUP BY kpi_code, period, town_code
        )
        SELECT c.kpi_code, c.period, c.value, t.s FROM v_kpi AS c
        JOIN towns AS t ON c.kpi_code = t.kpi_code AND c.period = t.period
        WHERE c.level = 'county' AND c.kind <> 'reported' AND c.value IS DISTINCT FROM t.s
        UNION ALL
        SELECT w.kpi_code, w.period, w.value, v.s FROM v_kpi AS w
        JOIN villages AS v ON w.kpi_code = v.kpi_code AND w.period = v.period AND w.town_code = v.town_code
        WHERE w.level = 'town' AND w.value IS DISTINCT FROM v.s
        """,
    )
    assert [m for m in mismatches if m[0] in counts] == []
    # and the counts are not all zero
    assert kpi(county, "A4-MIGRANT", "2024-04")[0] == 1
    assert kpi(county, "A2-HOUSING-REPORT", "2024-04")[0] == 1  # only 土桥镇 reported


def test_reported_county_from_the_county_row_else_the_townships(county):
    # a 全县 row (5) and township rows (35, 20): the county is the 全县 row
    assert kpi(county, "A9-TOILETS", "2024-04")[0] == 5
    assert kpi(county, "A9-TOILETS", "2024-04", "town", T_TUQIAO)[0] == 35
    assert kpi(county, "A9-TOILETS", "2024-04", "town", T_CHENGGUAN)[0] == 0
    # townships only: their sum; an empty 累计完成 is the year's 本月完成 so far (50 + 50)
    assert kpi(county, "A3-FARMLAND", "2024-04")[0] == 400 + 100
    assert kpi(county, "A3-FARMLAND", "2024-03")[0] == 400 + 50
    value, target, expected, status = kpi(county, "A3-FARMLAND", "2024-04")
    assert (target, status) == (42000, "off_track")
    assert expected == pytest.approx(42000 * 61 / 306)
    # a level indicator reads 本月完成 (1 a month: A5-INSPECTIONS ≥ 2 is off track)
    assert kpi(county, "A5-INSPECTIONS", "2024-04") == (1, 2, 2, "off_track")
    # a share of villages: (9 + 63) ÷ 179 at the county, 63 ÷ the township's villages
    assert kpi(county, "A3-COLLECTIVE-100K", "2024-04")[0] == pytest.approx(72 / 179)
    dimiao = sum(v.town_code == T_DIMIAO for v in gazetteer().villages.values())
    assert kpi(county, "A3-COLLECTIVE-100K", "2024-04", "town", T_DIMIAO)[0] == pytest.approx(
        63 / dimiao
    )
    # October's file has no rows: the county's value is not reported (NULL), townships 0
    assert kpi(county, "A9-TOILETS", "2024-10") == (
        None,
        2600,
        pytest.approx(2600 * 245 / 306),
        None,
    )
    assert kpi(county, "A9-TOILETS", "2024-10", "town", T_TUQIAO)[0] == 0


def test_check_derived_insured_and_an_accepted_exception(county, tmp_path):
    # roster P1–P4; P3 has no insurance record and P4 is 未参保 (X01)
    assert kpi(county, "A2-INSURED", "2024-04") == (0.5, 1.0, 1.0, "off_track")
    assert kpi(county, "A2-INSURED", "2024-04", "town", T_TUQIAO)[0] == 1.0
    assert kpi(county, "A2-INSURED", "2024-04", "village", T_DIMIAO, village(DIMIAO))[0] == 0.0
    # no check run in October (X01 not evaluated there: no insurance): no row
    assert query(
        county, "SELECT count(*) FROM v_kpi WHERE kpi_code = 'A2-INSURED' AND period = '2024-10'"
    ) == [(0,)]
    # an exception accepted in the journal reaches the indicator at the next publish
    import shutil

    copy = tmp_path / "xunyi.duckdb"
    shutil.copy(county, copy)
    journal.accept(copy, "X01", P[3].id_number, "2024-12", "异地参保，已核实参保凭证", "测试员")
    assert kpi(copy, "A2-INSURED", "2024-04")[0] == 0.5  # not yet: the journal only
    # the next publish: `validate` (it mirrors the journal, re-runs the checks, refreshes)
    with contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(["validate", "--period", "2024-04", "--warehouse", str(copy)]) == 0
    assert kpi(copy, "A2-INSURED", "2024-04")[0] == 0.75
    assert kpi(copy, "A2-INSURED", "2024-04", "town", T_DIMIAO)[0] == 1.0


def test_milestone_target_spend(county):
    # county: (30 + 50 + 20) ÷ (100 + 100 + 200); expected the April milestone, 30 %
    assert kpi(county, "A7-SPEND", "2024-04") == (0.25, 1.0, 0.30, "at_risk")
    # before the first milestone nothing is expected yet
    assert kpi(county, "A7-SPEND", "2024-03") == (0.25, 1.0, None, None)
    # the county-wide project counts in the county only, the township's in its township
    assert kpi(county, "A7-SPEND", "2024-04", "town", T_TUQIAO) == (0.3, 1.0, 0.30, "on_track")
    assert kpi(county, "A7-SPEND", "2024-04", "town", T_DIMIAO) == (0.1, 1.0, 0.30, "off_track")
    assert kpi(county, "A7-SPEND", "2024-04", "village", T_TUQIAO, village(TUQIAO))[0] == 0.3
    assert kpi(county, "A7-SPEND", "2024-04", "village", T_DIMIAO, village(DIMIAO))[0] is None


def test_two_ledger_indicators(county):
    # households H1–H4 in roster; income Q1 has H1, H3 and H9 (not in roster)
    assert kpi(county, "A1-INCOME-COVER", "2024-04")[0] == 0.5
    assert kpi(county, "A1-INCOME-COVER", "2024-04", "town", T_DIMIAO)[0] == 1.0
    assert kpi(county, "A1-INCOME-COVER", "2024-04", "town", T_CHENGGUAN)[0] == 0.0
    # active points SZ-1 (21-item test) and SZ-2 (32-item only); SZ-3 tested but inactive
    assert kpi(county, "A2-WATER-MONTHLY", "2024-04")[0] == 1
    assert kpi(county, "A2-WATER-MONTHLY", "2024-04", "village", T_TUQIAO, village(TUQIAO))[0] == 1
    # the 32-item analyses accumulate over the year: one in March, one in April
    assert kpi(county, "A2-WATER-FULL32", "2024-04")[0] == 2
    assert kpi(county, "A2-WATER-SELF", "2024-04")[0] == 1
    # the April survey covered one village, counted from April on; October's from October
    assert kpi(county, "A2-WATER-SURVEY-APR", "2024-10")[0] == 1
    assert kpi(county, "A2-WATER-SURVEY-OCT", "2024-10")[0] == 1
    assert query(
        county,
        "SELECT count(*) FROM v_kpi WHERE kpi_code LIKE 'A2-WATER-SURVEY%' AND period = '2024-03'",
    ) == [(0,)]


def test_public_jobs_by_kind(county):
    assert kpi(county, "A4-PUBLIC-JOBS", "2024-04")[0] == 2  # P1 (two posts) and P4
    assert kpi(county, "A4-PUBLIC-JOBS-VILLAGE", "2024-04")[0] == 2
    assert kpi(county, "A4-PUBLIC-JOBS-FOREST", "2024-04")[0] == 1
    assert kpi(county, "A4-PUBLIC-JOBS-RIVER", "2024-04")[0] == 0  # left before the month's end
    assert kpi(county, "A4-PUBLIC-JOBS-SOLAR", "2024-04")[0] == 0  # a 低保对象
    assert kpi(county, "A4-PUBLIC-JOBS-FOREST", "2024-04") == (1, 43, 43, "off_track")
    assert kpi(county, "A4-PUBLIC-JOBS", "2024-04", "town", T_CHENGGUAN) == (1, None, None, None)
