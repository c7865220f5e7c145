"""Indicators A4-MIGRANT, A4-TRAINED and A3-LOAN-OVERDUE, computed by hand on a tiny county:
county, township and village values, targets, expected values and each status boundary."""

from __future__ import annotations

import os
import shutil

import duckdb
import pytest
from conftest import query
from county import CHENGGUAN, DIMIAO, TUQIAO, TUQIAO_2, Month, person, write_county
from files import BASE_ROWS, write_xlsx

from etl.gazetteer import gazetteer
from etl.indicators import refresh_indicators
from etl.load import load_directory
from etl.progress import Progress
from etl.warehouse import publishing, sql_text

P = {
    1: person(1),
    2: person(2, place=TUQIAO_2),
    3: person(3, place=DIMIAO),
    4: person(4, place=CHENGGUAN),
}
TOWN_TUQIAO, TOWN_CHENGGUAN, TOWN_DIMIAO = "610429101", "610429001", "610429107"


def village(place) -> str:
    g = gazetteer()
    return g.village_lookup[f"{g.town_lookup[place[0]]}|{place[1]}"]


MONTHS = [
    Month(
        "2024-03",
        employment=[(P[1], TUQIAO), (P[2], TUQIAO_2), (P[4], CHENGGUAN), (P[1], TUQIAO_2)],
        training=[(P[1], True), (P[2], False)],
        loans=[
            ("L-TQ", P[1], 100000, 500),
            ("L-CG", P[4], 100000, 625),
            ("L-DM", P[3], 100000, 700),
            ("L-DM", P[3], 100000, 700),
        ],
    ),
    Month("2024-04", employment=[(P[1], TUQIAO)]),  # no training file: the trained carry on
    Month("2024-05", employment=[(P[1], TUQIAO)], training=[(P[3], True), (P[1], True)]),
    Month("2024-06", employment=[(P[1], TUQIAO)]),
]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("kpis")
    inbox = root / "inbox"
    write_county(inbox, MONTHS)
    # June's training ledger came, with no class finished: zero events, not a missing month
    write_xlsx(inbox / "training" / "training_2024-06.xlsx", [list(BASE_ROWS["training"])])
    warehouse = root / "xunyi.duckdb"
    with open(os.devnull, "w") as quiet, publishing(warehouse, say=lambda _: None) as build:
        load_directory(build.con, inbox, Progress(0, "加载", stream=quiet))
        refresh_indicators(build.con)
    return warehouse


def kpi(warehouse, code, period, level="county", town=None, vil=None):
    rows = query(
        warehouse,
        "SELECT value, target, expected, unit, status FROM v_kpi WHERE kpi_code = ? AND period = ? "
        "AND level = ? AND town_code IS NOT DISTINCT FROM ? AND village_code IS NOT DISTINCT FROM ?",
        [code, period, level, town, vil],
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_migrant_counts_distinct_persons_at_every_level(county):
    assert kpi(county, "A4-MIGRANT", "2024-03") == (3, 19000, 19000, "人", "off_track")
    # P1 is listed twice: counted once, in the village of the earlier row
    assert kpi(county, "A4-MIGRANT", "2024-03", "town", TOWN_TUQIAO) == (2, None, None, "人", None)
    assert kpi(county, "A4-MIGRANT", "2024-03", "village", TOWN_TUQIAO, village(TUQIAO))[0] == 1
    assert kpi(county, "A4-MIGRANT", "2024-03", "village", TOWN_TUQIAO, village(TUQIAO_2))[0] == 1
    assert kpi(county, "A4-MIGRANT", "2024-03", "town", TOWN_CHENGGUAN)[0] == 1
    assert kpi(county, "A4-MIGRANT", "2024-03", "town", TOWN_DIMIAO)[0] == 0
    assert kpi(county, "A4-MIGRANT", "2024-06")[0] == 1


def test_every_town_and_village_has_a_row(county):
    for period in ("2024-03", "2024-04", "2024-05", "2024-06"):
        counts = query(
            county,
            "SELECT level, count(*) FROM v_kpi WHERE kpi_code = 'A4-MIGRANT' AND period = ? "
            "GROUP BY level ORDER BY level",
            [period],
        )
        assert counts == [("county", 1), ("town", 10), ("village", 179)]
    # townships add up to the county, villages to their township
    assert query(
        county,
        "SELECT count(*) FROM (SELECT period, sum(value) AS s FROM v_kpi WHERE kpi_code = 'A4-MIGRANT' "
        "AND level = 'town' GROUP BY period) t JOIN v_kpi k ON k.kpi_code = 'A4-MIGRANT' "
        "AND k.level = 'county' AND k.period = t.period AND k.value <> t.s",
    ) == [(0,)]


def test_trained_is_cumulative_with_expected_by_days(county):
    expected = {
        "2024-03": 1400 * 31 / 306,
        "2024-04": 1400 * 61 / 306,
        "2024-05": 1400 * 92 / 306,
        "2024-06": 1400 * 122 / 306,
    }
    values = {"2024-03": 1, "2024-04": 1, "2024-05": 2, "2024-06": 2}
    for period in expected:
        value, target, exp, unit, status = kpi(county, "A4-TRAINED", period)
        assert (value, target, unit, status) == (values[period], 1400, "人", "off_track")
        assert exp == pytest.approx(expected[period])
    # P1 trained again in May: still counted once, in March's village
    assert kpi(county, "A4-TRAINED", "2024-05", "village", TOWN_TUQIAO, village(TUQIAO))[0] == 1
    assert kpi(county, "A4-TRAINED", "2024-05", "town", TOWN_DIMIAO)[0] == 1
    assert (
        kpi(county, "A4-TRAINED", "2024-03", "village", TOWN_TUQIAO, village(TUQIAO_2))[0] == 0
    )  # not 结业


def test_loan_overdue_rate_and_its_status_boundaries(county):
    # 500 / 100,000 = 0.5 % exactly: on track; 0.625 % = 0.5 % ÷ 0.8: at risk; 0.7 %: off track
    assert kpi(county, "A3-LOAN-OVERDUE", "2024-03", "town", TOWN_TUQIAO) == (
        0.005,
        0.005,
        0.005,
        "比例",
        "on_track",
    )
    assert kpi(county, "A3-LOAN-OVERDUE", "2024-03", "town", TOWN_CHENGGUAN)[4] == "at_risk"
    assert kpi(county, "A3-LOAN-OVERDUE", "2024-03", "town", TOWN_DIMIAO)[4] == "off_track"
    value, *_, status = kpi(county, "A3-LOAN-OVERDUE", "2024-03")
    assert value == pytest.approx(1825 / 300000)  # the repeated contract counts once
    assert status == "at_risk"
    # a village with no loans: nothing to divide by
    assert kpi(county, "A3-LOAN-OVERDUE", "2024-03", "village", TOWN_TUQIAO, village(TUQIAO_2)) == (
        None,
        0.005,
        0.005,
        "比例",
        None,
    )
    # months without the loans ledger have no row
    assert query(
        county,
        "SELECT count(*) FROM v_kpi WHERE kpi_code = 'A3-LOAN-OVERDUE' AND period <> '2024-03'",
    ) == [(0,)]


@pytest.mark.parametrize("target,status", [(3, "on_track"), (3.75, "at_risk"), (3.76, "off_track")])
def test_at_least_status_boundaries(county, tmp_path, target, status):
    """County value 3 against a level target: ≥ target on track, ≥ 80 % at risk, else off track."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(county, copy)
    con = duckdb.connect(str(copy))
    con.execute("UPDATE plan_kpi SET target = ? WHERE kpi_code = 'A4-MIGRANT'", [target])
    con.execute(sql_text("marts/kpi_values.sql"))
    con.close()
    assert kpi(copy, "A4-MIGRANT", "2024-03")[4] == status


def test_view_columns(county):
    assert [r[0] for r in query(county, "DESCRIBE v_kpi")] == [
        "kpi_code",
        "period",
        "level",
        "town_code",
        "village_code",
        "value",
        "target",
        "expected",
        "unit",
        "status",
        # the plan's, after the interface's columns
        "name",
        "action",
        "kind",
        "lead",
        "headline",
    ]
