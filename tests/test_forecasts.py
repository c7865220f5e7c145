"""Year-end forecasts (warehouse/marts/kpi_forecasts.sql) computed by hand on a tiny county:
the pace of a cumulative count, the damped trend of a level, the 80 % interval, the bounds
and the outlook against the target; and the method's numbers come from the configuration."""

from __future__ import annotations

import math
import os

import pytest
from apptest_support import charts, covers, opener
from conftest import query
from county import TUQIAO, Month, person, write_county

from dashboard.navigation import ACTION, pages_for
from etl.indicators import refresh_indicators
from etl.load import load_directory
from etl.progress import Progress
from etl.targets import plan
from etl.warehouse import publishing

P = {n: person(n) for n in range(1, 9)}
METHOD = plan(2024)["forecast"]  # config/plan-2024.toml [forecast]
Z, DAMPING = METHOD["interval_z"], METHOD["drift_damping"]

# Trained (cumulative, from March): 2 by April, 4 by May, 8 by June.
# In work (a level): 3 in April, 4 in May, 6 in June.
MONTHS = [
    Month(
        "2024-04",
        employment=[(P[n], TUQIAO) for n in (1, 2, 3)],
        training=[(P[1], True), (P[2], True)],
    ),
    Month(
        "2024-05",
        employment=[(P[n], TUQIAO) for n in (1, 2, 3, 4)],
        training=[(P[3], True), (P[4], True)],
    ),
    Month(
        "2024-06",
        employment=[(P[n], TUQIAO) for n in (1, 2, 3, 4, 5, 6)],
        training=[(P[n], True) for n in (5, 6, 7, 8)],
    ),
    # July: the HR bureau's employment ledger did not come (a gap in A4-MIGRANT's line)
    Month("2024-07", training=[(P[1], True)]),
    Month("2024-08", employment=[(P[n], TUQIAO) for n in (1, 2, 3, 4, 5, 6)]),
]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    root = tmp_path_factory.mktemp("forecasts")
    write_county(root / "inbox", MONTHS)
    warehouse = root / "xunyi.duckdb"
    with open(os.devnull, "w") as quiet, publishing(warehouse, say=lambda _: None) as build:
        load_directory(build.con, root / "inbox", Progress(0, "加载", stream=quiet))
        refresh_indicators(build.con)
    return warehouse


def forecast(warehouse, code, period):
    rows = query(
        warehouse,
        "SELECT due_period, months_ahead, value, forecast, low, high, target, outlook, method "
        "FROM v_kpi_forecast WHERE kpi_code = ? AND period = ? AND level = 'county'",
        [code, period],
    )
    assert len(rows) == 1, rows
    return rows[0]


def test_the_configured_method_is_the_one_used(county):
    assert query(county, "SELECT plan_year, drift_damping, interval_z FROM forecast_method") == [
        (2024, DAMPING, Z)
    ]


def test_a_cumulative_count_goes_on_at_its_pace(county):
    due, ahead, value, centre, low, high, target, outlook, method = forecast(
        county, "A4-TRAINED", "2024-06"
    )
    assert (due, ahead, value, target, method) == ("2024-12", 6, 8, 1400, "pace")
    # 8 in the four months March–June: 2 a month, six months to go
    assert centre == pytest.approx(8 + 2 * 6)
    spread = Z * math.sqrt(2) * math.sqrt(6 + 36 / 2)  # the changes were +2 and +4
    # never below today's 8: a cumulative count does not fall
    assert (low, high) == (pytest.approx(max(20 - spread, 8)), pytest.approx(20 + spread))
    assert outlook == "unlikely"  # far below 1,400 even at the interval's top


def test_a_level_follows_its_recent_trend_damped(county):
    *_, centre, low, high, _, _, method = forecast(county, "A4-MIGRANT", "2024-06")
    assert method == "trend"
    assert centre == pytest.approx(6 + DAMPING * 1.5 * 6)  # changes +1, +2: mean 1.5
    spread = Z * math.sqrt(0.5) * math.sqrt(6 + 36 / 2)  # sd of +1, +2
    assert (low, high) == (pytest.approx(centre - spread), pytest.approx(centre + spread))


def test_with_fewer_than_two_changes_there_is_no_interval(county):
    *_, low, high, _, _, _ = forecast(county, "A4-TRAINED", "2024-05")
    assert (low, high) == (None, None)
    # the first month: its own pace, nothing to measure a spread on
    _, _, value, centre, low, _, _, _, _ = forecast(county, "A4-TRAINED", "2024-04")
    assert (value, centre, low) == (2, pytest.approx(2 + 2 / 2 * 8), None)


def test_a_cumulative_count_never_falls_below_today(county):
    lows = query(
        county,
        "SELECT count(*) FROM v_kpi_forecast f JOIN plan_kpi p USING (kpi_code) "
        "WHERE p.progress = 'cumulative' AND (f.forecast < f.value OR f.low < f.value)",
    )
    assert lows == [(0,)]


@covers(ACTION)
def test_the_action_page_draws_the_forecast_and_says_it(county, monkeypatch):
    at = opener(county, monkeypatch)(ACTION, month="2024-06", kpi="A4-TRAINED")
    spec = charts(at)["trend_A4-TRAINED"]
    # the months in calendar order on to December, the months between drawn empty
    assert spec["layout"]["xaxis"]["categoryarray"] == [f"2024-{m:02d}" for m in range(4, 13)]
    [line] = [t for t in spec["data"] if t.get("name") == "预测"]
    assert line["x"] == ["2024-06", "2024-12"] and line["y"] == [8, pytest.approx(20)]
    [band] = [t for t in spec["data"] if t.get("name") == "预测80%区间"]
    spread = Z * math.sqrt(2) * math.sqrt(6 + 36 / 2)
    assert band["y"][1:3] == [pytest.approx(20 + spread), pytest.approx(max(20 - spread, 8))]
    low, high = (f"{max(20 - spread, 8):,.0f}", f"{20 + spread:,.0f}")
    said = [c.value for c in at.caption if "按当前进度" in c.value]
    # one sentence under each of the action's trends: the trained and the migrants
    assert (
        len(said) == 2
        and (
            f":material/trending_up: 按当前进度，预计12月底达到 20 人（80%区间 {low}–{high} 人），"
            "低于目标 1,400 人，难以达到。"
        )
        in said
    )


@covers(ACTION)
def test_a_month_without_its_ledger_is_a_gap_with_its_reason(county, monkeypatch):
    at = opener(county, monkeypatch)(ACTION, month="2024-08", kpi="A4-MIGRANT")
    spec = charts(at)["trend_A4-MIGRANT"]
    [actual] = [t for t in spec["data"] if t.get("name") == "实际"]
    assert actual["x"] == ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]
    assert actual["y"] == [3, 4, 6, None, 6]  # not drawn across July
    [gap] = [a["text"] for a in spec["layout"]["annotations"] if a["text"].startswith("缺：")]
    assert gap == "缺：脱贫人口务工台账未报送"


def test_every_chart_downloads_as_png(county, monkeypatch):
    import json

    open_page = opener(county, monkeypatch)
    configs = [
        json.loads(c.proto.config)
        for page in pages_for(administers=False)
        for c in open_page(page, month="2024-06", town="610429101").get("plotly_chart")
    ]
    assert len(configs) >= 3  # the action page has a trend, townships, villages
    for config in configs:
        assert "toImage" not in config.get("modeBarButtonsToRemove", [])
        assert config["toImageButtonOptions"]["format"] == "png"


@covers(ACTION)
def test_the_action_page_says_what_moved_since_the_last_dispatch_meeting(county, monkeypatch):
    # June, after May's meeting: 6 in work against 4 in May, 8 trained against 4
    at = opener(county, monkeypatch)(ACTION, month="2024-06", action="4")
    said = [c.value for c in at.caption if "调度" in c.value]
    assert "较2024年5月调度 +2 人；牵头：县人社局" in said
    assert "较2024年5月调度 +4 人；牵头：县人社局" in said
    # in May itself the last meeting before it is none: nothing is said
    at = opener(county, monkeypatch)(ACTION, month="2024-05", action="4")
    assert not [c.value for c in at.caption if "调度" in c.value]
