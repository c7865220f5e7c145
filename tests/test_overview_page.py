"""The leaders' 十大行动 page (the overview, the default page) under AppTest, on the county with every ledger of
tests/test_kpis_catalog.py: a tile per action coloured by its headline indicators as the
warehouse has them, the decisions list with its links, the month's completeness."""

from __future__ import annotations

import pytest
from apptest_support import charts, covers, opener, sql, table
from test_kpis_catalog import county  # noqa: F401 (the fixture)

from dashboard.navigation import ACTION, OVERVIEW

TILE_WORDS = {"off_track": "滞后", "at_risk": "有风险", "on_track": "正常", None: "无数据或无目标"}


@pytest.fixture
def page(county, monkeypatch):  # noqa: F811
    return opener(county, monkeypatch)


@covers(OVERVIEW)
def test_a_tile_per_action_coloured_by_its_headline_indicators(page, county):  # noqa: F811
    at = page(OVERVIEW, month="2024-04")
    assert at.title[0].value == "十大提升行动：进展一览"
    headlines = sql(
        county,
        "SELECT a.action, a.title, v.status FROM plan_actions a "
        "LEFT JOIN plan_kpi p ON p.action = a.action AND p.headline "
        "LEFT JOIN v_kpi v ON v.kpi_code = p.kpi_code AND v.period = '2024-04' AND v.level = 'county' "
        "ORDER BY a.action",
    )
    by_action: dict[int, tuple[str, list]] = {}
    for action, title, status in headlines:
        by_action.setdefault(action, (title, []))[1].append(status)
    assert len(by_action) == 10
    text = [m.value for m in at.markdown]
    for action, (title, statuses) in by_action.items():
        worst = next((s for s in ("off_track", "at_risk", "on_track") if s in statuses), None)
        heading = f"[{TILE_WORDS[worst]}] **{action}. {title}**"
        assert any(heading in t for t in text), heading


@covers(OVERVIEW)
def test_the_decisions_are_the_off_track_indicators_and_failing_error_checks(page, county):  # noqa: F811
    at = page(OVERVIEW, month="2024-04")
    off = sql(
        county,
        "SELECT kpi_code FROM v_kpi WHERE period = '2024-04' AND level = 'county' "
        "AND status = 'off_track' ORDER BY kpi_code",
    )
    failing = sql(
        county,
        "SELECT r.check_id FROM v_check_results r JOIN check_catalog c USING (check_id) "
        "WHERE r.period = '2024-04' AND r.status = 'failed' AND c.severity = 'error' "
        "ORDER BY r.check_id",
    )
    assert off and failing  # the county has both to decide on
    text = [m.value for m in at.markdown]
    shown_kpis = [t for t in text if t.startswith(":red-badge[指标滞后]")]
    shown_checks = [t for t in text if t.startswith(":orange-badge[核查未通过]")]
    assert len(shown_kpis) == len(off) and len(shown_checks) == len(failing)
    for (code,) in off:
        assert any(f"（{code}，" in t for t in shown_kpis), code
    for (check,) in failing:
        assert any(f"**{check} " in t for t in shown_checks), check
    # each links to its page with the month and the code
    links = [
        (
            p.proto.page,
            dict(
                p.proto.query_string
                and [kv.split("=") for kv in p.proto.query_string.split("&")]
                or []
            ),
        )
        for p in at.get("page_link")
    ]
    assert sum(1 for _, q in links if q.get("check")) == len(failing)
    assert sum(1 for _, q in links if q.get("kpi")) == len(off)


@covers(OVERVIEW)
def test_demo_targets_and_the_months_gaps_are_said(page, county):  # noqa: F811
    at = page(OVERVIEW, month="2024-10")
    text = "\n".join(m.value for m in at.markdown)
    demo = sql(
        county,
        "SELECT count(*) FROM plan_kpi WHERE headline AND is_demo_value AND plan_year = 2024",
    )[0][0]
    assert text.count(":gray-badge[演示]") == demo
    # October has the roster, an empty indicators file and the October survey only
    missing = sql(
        county,
        "SELECT count(*) FROM source_catalog s WHERE frequency = 'monthly' AND NOT EXISTS ("
        "SELECT 1 FROM v_load_status l WHERE l.source = s.source AND l.period = '2024-10')",
    )[0][0]
    assert missing > 0
    assert text.count(":orange-badge[未报送]") == missing


@covers(OVERVIEW)
def test_the_township_ranking_is_the_mean_attainment_with_its_formula(page, county):  # noqa: F811
    at = page(OVERVIEW, month="2024-04")
    shown = table(at, "名次")
    # recomputed here from v_kpi, the configured counts and shares
    rows = sql(
        county,
        """
        SELECT v.town_code, v.kpi_code, v.value, v.target, p.direction, p.target, c.expected, s.share,
               cc.kpi_code IS NOT NULL
        FROM v_kpi v JOIN plan_kpi p USING (kpi_code)
        LEFT JOIN contest_counts cc USING (kpi_code)
        LEFT JOIN contest_shares s ON s.town_code = v.town_code
        LEFT JOIN v_kpi c ON c.kpi_code = v.kpi_code AND c.period = v.period AND c.level = 'county'
        WHERE v.period = '2024-04' AND v.level = 'town' AND p.direction <> 'info' AND v.value IS NOT NULL
        """,
    )
    parts: dict[str, list[float]] = {}
    for town, _, value, target, direction, county_target, expected, share, counted in rows:
        if direction == "exactly" and county_target == 0:
            got = 1.0 if value == 0 else 0.0
        elif (
            target is not None and county_target is not None and county_target <= 1 and not counted
        ):
            got = (
                (1.0 if value <= target else target / value)
                if direction == "at_most"
                else min(value / target, 1.0)
            )
        elif counted and expected:
            got = min(value / (expected * share), 1.0)
        else:
            continue
        parts.setdefault(town, []).append(got)
    names = dict(sql(county, "SELECT DISTINCT town_code, town_name FROM ref_villages"))
    expected_scores = {names[t]: round(100 * sum(v) / len(v), 1) for t, v in parts.items()}
    assert dict(zip(shown["镇（街道）"], shown["得分"], strict=True)) == expected_scores
    assert list(shown["得分"]) == sorted(shown["得分"], reverse=True)
    assert any("得分 = 各项参评指标完成度的平均数 × 100" in c.value for c in at.caption)
    assert "contest_chart" in charts(at)


@covers(OVERVIEW)
@covers(ACTION)
def test_a_tile_opens_its_action_page(page, county):  # noqa: F811
    at = page(OVERVIEW, month="2024-04")
    links = [
        p.proto
        for p in at.get("page_link")
        if "action=4" in p.proto.query_string and "kpi=" not in p.proto.query_string
    ]
    assert len(links) == 1 and "month=2024-04" in links[0].query_string
    at = page(ACTION, month="2024-04", action="4")
    expected = sql(
        county,
        "SELECT kpi_code FROM v_kpi WHERE period = '2024-04' AND level = 'county' AND action = 4 "
        "ORDER BY kpi_code",
    )
    cards = sorted(m.label for m in at.metric)
    names = sql(
        county,
        "SELECT name FROM plan_kpi WHERE action = 4 AND kpi_code IN (SELECT kpi_code FROM v_kpi "
        "WHERE period = '2024-04' AND level = 'county') ORDER BY name",
    )
    assert expected and cards == sorted(n for (n,) in names)
    assert at.query_params["action"] == "4"


@covers(ACTION)
def test_the_action_page_shows_what_the_reporting_units_noted(page, county):  # noqa: F811
    at = page(ACTION, month="2024-04", action="9")
    notes = table(at, "备注")
    assert notes.to_dict("records") == [
        {
            "指标": "改建卫生厕所",
            "指标编码": "A9-TOILETS",
            "镇（街道）": "土桥镇",
            "填报单位": "土桥镇人民政府",
            "备注": "含整改问题厕所12户",
        }
    ]
    # a township sees its own units' notes only
    assert table(page(ACTION, month="2024-04", action="9", town="610429101"), "备注").shape[0] == 1
    at = page(ACTION, month="2024-04", action="9", town="610429107")  # 底庙镇
    assert not [d for d in at.dataframe if "备注" in d.value.columns]


@covers(OVERVIEW)
def test_the_month_selector_moves_every_part_of_the_overview(page, county):  # noqa: F811
    at = page(OVERVIEW)
    months = [m for (m,) in sql(county, "SELECT DISTINCT period FROM v_kpi ORDER BY period DESC")]
    assert at.selectbox(key="filter_month").value == months[0]  # the latest by default
    at.selectbox(key="filter_month").set_value("2024-03").run()
    assert not at.exception
    assert at.query_params["month"] == "2024-03"
    [(migrants,)] = sql(
        county,
        "SELECT value FROM v_kpi WHERE kpi_code = 'A4-MIGRANT' AND period = '2024-03' "
        "AND level = 'county'",
    )
    tile = " ".join(m.value for m in at.markdown)
    assert f"**{migrants:,.0f} 人**" in tile
    assert any("2024年3月需要决策的事项" in h.value for h in at.subheader)
    assert any("乡镇擂台赛（2024年3月）" in h.value for h in at.subheader)
    links = [p.proto.query_string for p in at.get("page_link")]
    assert links and all("month=2024-03" in q for q in links)


@covers(OVERVIEW)
def test_the_pack_button_makes_the_months_pack_in_the_viewers_scope(county, monkeypatch, tmp_path):  # noqa: F811
    """The button makes the chosen month's pack and circulars as the viewer: a 乡镇专员's
    holds the county's circular and their township's, an analyst's every township's; both are
    archived and recorded in the audit trail."""
    import io
    import zipfile

    from browser_support import copy_warehouse

    from etl import audit
    from pack import archive

    live = copy_warehouse(county, tmp_path / "wh")  # the archive lands beside it
    open_page = opener(live, monkeypatch)
    at = open_page(OVERVIEW, month="2024-04", as_role="town_officer")
    assert not [b for b in at.get("download_button") if b.key == "download_pack"]
    at.button(key="make_pack").click().run()
    assert not at.exception, at.exception
    _, month, pdf, zipped = at.session_state["_pack"]
    assert month == "2024-04" and pdf.startswith(b"%PDF")
    assert zipfile.ZipFile(io.BytesIO(zipped)).namelist() == [
        "月通报_2024-04_全县.docx",
        "月通报_2024-04_城关街道.docx",  # the test 乡镇专员's township
    ]
    buttons = {b.key: b.proto for b in at.get("download_button")}
    assert buttons["download_pack"].label == "下载季调度材料（PDF）"
    assert "download_circulars" in buttons

    at = open_page(OVERVIEW, month="2024-03")
    at.button(key="make_pack").click().run()
    assert not at.exception, at.exception
    _, month, _, zipped = at.session_state["_pack"]
    assert month == "2024-03" and len(zipfile.ZipFile(io.BytesIO(zipped)).namelist()) == 11

    kept = {p.parent.name: archive.figures(p)["made_by"] for p in archive.packs(live)}
    assert set(kept) == {"2024-03", "2024-04"}
    assert "town_officer" in kept["2024-04"] and "analyst" in kept["2024-03"]
    made = [e for e in audit.entries(live) if e["action"] == "pack"]
    assert [(e["who"], e["details"]["month"]) for e in made] == [
        ("town_officer", "2024-04"),
        ("analyst", "2024-03"),
    ]
