"""The dispatch-meeting pack and the monthly circulars, made for a month of the shared demo
county as a scheduled run makes them (`python -m etl pack`), read back with poppler's tools
and python-docx; and the archive that keeps what was presented.

Every expected figure is the dashboard's own: its named query on the warehouse, formatted by
dashboard/labels.py — the pack must read exactly as the pages do.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from apptest_support import opener, table
from browser_support import ARTIFACTS, copy_warehouse
from conftest import run_etl

from dashboard import data, labels
from dashboard.navigation import ACTION, OVERVIEW
from etl import audit
from etl.gazetteer import gazetteer
from pack import archive, circulars, pdf
from pack.figures import WarehouseReader
from pack.make import NoData, make

MONTH = "2024-08"  # a dispatch meeting's month; May's meeting is the one before it
MEETING = "2024-05"


def poppler(*command: str) -> str:
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} is missing: install poppler-utils (.ci/run does)")
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def made(demo_county, tmp_path_factory):
    """The demo county's warehouse (a copy: the archive and audit trail land beside it) and
    the pack for MONTH written by the command line."""
    _, warehouse, _, _ = demo_county
    root = tmp_path_factory.mktemp("pack")
    live = copy_warehouse(warehouse, root / "wh")
    out = root / "out"
    result = run_etl("pack", "--month", MONTH, "--out", str(out), warehouse=live, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return live, out, result


def county_indicators(warehouse: Path, month: str, town: str | None = None) -> list[dict]:
    """The dashboard's figures of the month (its named query, on its connection)."""
    con = data.connect(warehouse)
    try:
        place = data.Place(town=town).params()
        return data.run_query(con, "dashboard_indicators", {"month": month, **place}).to_dicts()
    finally:
        con.close()


def year_end_forecasts(warehouse: Path, figures: list[dict]) -> dict[str, str]:
    """Indicator → its year-end forecast's figure as the action page's query has it."""
    con = data.connect(warehouse)
    try:
        found = {}
        for kpi in figures:
            params = {"kpi": kpi["kpi_code"], "month": MONTH, **data.Place().params()}
            rows = data.run_query(con, "dashboard_forecast", params).to_dicts()
            ahead = rows and rows[0]["months_ahead"] > 0
            found[kpi["kpi_code"]] = (
                labels.number(rows[0]["forecast"], kpi["unit"]) if ahead else "—"
            )
        return found
    finally:
        con.close()


def squeeze(text: str) -> str:
    """Text without white space: a table cell may wrap anywhere."""
    return re.sub(r"\s+", "", text)


def test_the_command_writes_the_pack_and_every_circular_and_says_so(made):
    _, out, result = made
    towns = [t.name for t in gazetteer().towns.values()]
    expected = {f"季调度材料_{MONTH}.pdf", f"月通报_{MONTH}_全县.docx"} | {
        f"月通报_{MONTH}_{name}.docx" for name in towns
    }
    assert {p.name for p in out.iterdir()} == expected
    assert len(towns) == 10
    assert "读取各项指标" in result.stdout and "100% 完成" in result.stdout  # progress
    assert f"已写出 {out / f'季调度材料_{MONTH}.pdf'}" in result.stdout


def test_the_pdf_embeds_its_fonts_a_noto_cjk_font_and_no_type_3(made):
    _, out, _ = made
    listing = poppler("pdffonts", str(out / f"季调度材料_{MONTH}.pdf")).splitlines()
    fonts = [line for line in listing[2:] if line.strip()]
    assert fonts
    for line in fonts:
        # name, type…, encoding, emb, sub, uni, object, generation: emb is 5th from the end
        assert line.split()[-5] == "yes", f"not embedded: {line}"
        assert "Type 3" not in line, line
    assert any("Noto-Sans-CJK-SC" in line or "NotoSansCJK" in line for line in fonts), listing
    info = poppler("pdfinfo", str(out / f"季调度材料_{MONTH}.pdf"))
    assert "(A4)" in info


def test_each_actions_section_holds_its_indicators_as_the_dashboard_formats_them(made):
    live, out, _ = made
    text = poppler("pdftotext", "-layout", str(out / f"季调度材料_{MONTH}.pdf"), "-")
    assert "数据截至 2024年8月" in text
    starts = {
        int(m.group(1)): m.start() for m in re.finditer(r"第(\d+)项行动：", text)
    }  # the section headings, in order
    assert sorted(starts) == list(range(1, 11))
    ends = sorted(starts.values())[1:] + [text.index("三、乡镇擂台赛")]
    sections = {
        n: squeeze(text[s:e]) for (n, s), e in zip(sorted(starts.items()), ends, strict=True)
    }
    figures = county_indicators(live, MONTH)
    assert len(figures) > 40
    forecasts = year_end_forecasts(live, figures)
    assert sum(f != "—" for f in forecasts.values()) > 10
    for kpi in figures:
        section = sections[kpi["action"]]
        for shown in (
            labels.number(kpi["value"], kpi["unit"]),
            pdf.target_text(kpi),
            pdf.expected_text(kpi),
            labels.status_word(kpi["status"], kpi["progress"]),
            forecasts[kpi["kpi_code"]],
        ):
            assert squeeze(shown) in section, (kpi["kpi_code"], shown)
        assert kpi["kpi_code"] in section
    # the other parts: the ranking, the off-track list's lead departments, checks, completeness
    for heading in (
        "一、总体情况",
        "滞后指标及牵头单位",
        "三、乡镇擂台赛",
        "四、未通过的错误级数据核查",
        "五、本月数据完整性",
    ):
        assert heading in text, heading
    late = [k for k in figures if k["status"] == "off_track"]
    assert late
    overall = squeeze(text[: text.index("二、分行动进展")])
    for kpi in late:
        assert squeeze(kpi["name"]) in overall and squeeze(kpi["lead"]) in overall


def test_a_page_is_rendered_to_png_and_kept(made):
    _, out, _ = made
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / "pack_page"
    for old in ARTIFACTS.glob("pack_page*.png"):
        old.unlink()
    # page 3: the first action's table and its headline charts
    poppler(
        "pdftoppm",
        "-png",
        "-r",
        "80",
        "-f",
        "3",
        "-l",
        "3",
        str(out / f"季调度材料_{MONTH}.pdf"),
        str(stem),
    )
    (page,) = ARTIFACTS.glob("pack_page*.png")
    assert page.stat().st_size > 20_000  # a page with tables and charts, not a blank one


def test_each_circular_holds_its_townships_figures_and_ranking(made):
    live, out, _ = made
    con = data.connect(live)
    try:
        scores = data.township_scores(
            data.run_query(con, "dashboard_township_scores", {"month": MONTH})
        )
    finally:
        con.close()
    rank = {r["town_code"]: r["rank"] for r in scores.iter_rows(named=True)}
    for code, town in gazetteer().towns.items():
        document = docx.Document(out / f"月通报_{MONTH}_{town.name}.docx")
        paragraphs = "\n".join(p.text for p in document.paragraphs)
        assert f"（{town.name} · 2024年8月）" in paragraphs
        assert "{{" not in paragraphs and "{%" not in paragraphs  # every field filled
        figures_table, ranking_table, _behind = document.tables[:3]
        shown = {
            row.cells[1].text: row.cells[2].text for row in figures_table.rows[1:]
        }  # 指标 → 本月
        for kpi in county_indicators(live, MONTH, town=code):
            name = kpi["name"] + ("（演示目标）" if kpi["is_demo_value"] and kpi["target"] else "")
            assert shown[name] == labels.number(kpi["value"], kpi["unit"]), (town.name, name)
        mine = [r for r in ranking_table.rows[1:] if "（本" in r.cells[1].text]
        assert len(mine) == 1 and mine[0].cells[1].text.startswith(town.name)
        assert mine[0].cells[0].text == str(rank[code])
        assert f"排名第 {rank[code]} 名" in paragraphs
        assert len(ranking_table.rows) == 1 + len(rank)
    county = docx.Document(out / f"月通报_{MONTH}_全县.docx")
    shown = {row.cells[1].text: row.cells[2].text for row in county.tables[0].rows[1:]}
    figures = county_indicators(live, MONTH)
    assert len(shown) == len(figures)
    behind = {row.cells[0].text: row.cells[3].text for row in county.tables[2].rows[1:]}
    assert behind == {k["name"]: k["lead"] for k in figures if k["status"] == "off_track"}
    # the county's own: the open error-level checks by department
    departments = [row.cells[0].text for row in county.tables[3].rows[1:]]
    assert "县乡村振兴局" in departments


def test_the_template_asks_only_for_fields_the_platform_fills(made):
    from docxtpl import DocxTemplate

    live, _, _ = made
    reader = WarehouseReader(live)
    try:
        from pack.figures import collect

        figures = collect(reader, MONTH)
    finally:
        reader.close()
    wanted = DocxTemplate(circulars.TEMPLATE).get_undeclared_template_variables()
    assert wanted == set(circulars.context(figures, None))


def test_the_archive_keeps_what_was_shown_and_since_the_meeting_reads_it(
    made, tmp_path, monkeypatch
):
    live, out, _ = made
    (folder,) = archive.packs(live, MONTH)  # the command's pack
    kept = archive.figures(folder)
    assert kept["month"] == MONTH and kept["made_by"].startswith("命令行")
    assert (folder / f"季调度材料_{MONTH}.pdf").read_bytes() == (
        out / f"季调度材料_{MONTH}.pdf"
    ).read_bytes()
    values = {k["kpi_code"]: k["value"] for a in kept["actions"] for k in a["indicators"]}
    assert values == {k["kpi_code"]: k["value"] for k in county_indicators(live, MONTH)}
    assert kept["meeting"] == {"period": MEETING, "presented_at": None}  # nothing kept for May
    assert any(e["action"] == "pack" for e in audit.entries(live))

    # May's pack is made and archived; what it showed is then edited in the archive (as if
    # the ledgers had been corrected since): August's "since the meeting" reads the archive
    reader = WarehouseReader(live)
    try:
        may = make(reader, live, MEETING, made_by="测试")
        shown_may = archive.figures(may.folder)
        code = "A4-TRAINED"
        changed = next(
            k for a in shown_may["actions"] for k in a["indicators"] if k["kpi_code"] == code
        )
        changed["value"] = changed["value"] - 100
        top = shown_may["ranking"][0]
        top["rank"] = 10
        (may.folder / archive.FIGURES).write_text(json.dumps(shown_may, ensure_ascii=False))
        august = make(reader, live, MONTH, made_by="测试").figures
        with pytest.raises(NoData):
            make(reader, live, "2023-01", made_by="测试")
    finally:
        reader.close()
    assert august["meeting"] == {"period": MEETING, "presented_at": shown_may["made_at"]}
    trained = next(k for a in august["actions"] for k in a["indicators"] if k["kpi_code"] == code)
    assert trained["meeting_value"] == changed["value"]
    moved = next(r for r in august["ranking"] if r["town_code"] == top["town_code"])
    assert moved["rank_before"] == 10
    assert len(archive.packs(live, MONTH)) == 2  # made again: kept beside the first

    # the dashboard reads the same archive: the action page's 较5月调度 and the overview's
    # 名次变化 are the archived May figures', and the overview says so
    open_page = opener(live, monkeypatch)
    at = open_page(ACTION, month=MONTH, action="4")
    since = labels.since(trained["value"], changed["value"], trained["unit"], "2024年5月调度")
    assert since and any(since in c.value for c in at.caption), since
    at = open_page(OVERVIEW, month=MONTH)
    assert any("按当时存档的季调度材料所载数字计算" in c.value for c in at.caption)
    ranking = table(at, "名次变化")
    row = ranking[ranking["镇（街道）"] == moved["town_name"]].iloc[0]
    expected_move = "持平" if moved["rank"] == 10 else f"上升 {10 - moved['rank']} 名"
    assert row["名次变化"] == expected_move


def test_a_month_without_data_exits_2_and_writes_nothing(made, tmp_path):
    live, _, _ = made
    result = run_etl("pack", "--month", "2023-01", "--out", str(tmp_path / "out"), warehouse=live)
    assert result.returncode == 2
    assert "没有 2023-01 的指标数据" in result.stderr
    assert not (tmp_path / "out").exists()
    bad = run_etl("pack", "--month", "2024-8", "--out", str(tmp_path / "out"), warehouse=live)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
