"""The departments' Excel templates (etl/templates.py) and the written contract (docs/extracts.md).

Each of the sixteen templates is written by `python -m etl templates`, then filled in place
the way a clerk does it — opened (openpyxl), rows typed under the header, saved under a name
with no period in it — and loaded by the real loader: it must load whole, nothing
quarantined, no column ignored, the period read from the 统计月份 / 统计期 column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import REPO, load, query, run_etl
from files import make_id

from etl import contract_docs, templates
from etl.declarations import Column, Source, normalise_header, sources
from etl.gazetteer import gazetteer

SOURCES = list(sources())
# What each period column holds in the filled files (two spellings of one period), and
# the period the loader must read from it.
PERIOD_CELLS = {
    "monthly": (["2024-06", "2024年6月"], "2024-06"),
    "quarterly": (["2024-Q2", "2024-05"], "2024-Q2"),
    "yearly": (["2024-01", "2024"], "2024-01"),
}
DATA_ROWS = 2
FILLED_NAME = "我的填报.xlsx"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """The templates as `python -m etl templates DIR` writes them."""
    directory = tmp_path_factory.mktemp("templates")
    result = run_etl("templates", str(directory), check=True)
    assert "16 个报送模板" in result.stdout
    return directory


def _places():
    """Real townships of the gazetteer, each with one of its own villages."""
    g = gazetteer()
    return [(town, g.villages_of(town.code)[0]) for town in g.towns.values()]


def _value(column: Column, n: int, town, village):
    """A valid cell of `column` for data row `n`, as a clerk would type it."""
    kind = column.type
    if kind == "id_number":
        return make_id(f"1980{n + 1:02d}{n + 11:02d}", f"{n + 1:03d}")
    if kind == "name":
        return ["王芳", "李建国", "赵敏"][n]
    if kind == "town":
        return town.name
    if kind == "village":
        return village.name
    if kind == "date":  # a date cell, then a date typed as text
        return dt.datetime(2024, 6, 3) if n % 2 == 0 else "2024/6/4"
    if kind == "month":
        return "2024-03"
    if kind == "money":
        return 1234.5 + n
    if kind == "integer":
        return (column.min or 0) + n + 1
    if kind == "number":
        return 12.5 + n
    if kind == "yes_no":
        return "是" if n % 2 == 0 else "否"
    if kind == "code":
        return column.values[n % len(column.values)]
    if kind == "year":
        return 2024
    return f"{column.name}{n + 1}"


def _columns_by_header(ws) -> dict[str, int]:
    row = ws[templates.HEADER_ROW + 1]
    return {normalise_header(c.value): c.column for c in row if c.value}


def _fill(template: Path, source: Source, target: Path) -> dict:
    """Fill the template in place and save it as `target`; what was written, by row."""
    book = openpyxl.load_workbook(template)
    ws = book[source.title]
    where = _columns_by_header(ws)
    period_col = where[normalise_header(contract_docs.period_header(source))]
    cells, period = PERIOD_CELLS[source.frequency]
    rows = {}
    first = templates.FIRST_DATA_ROW + 1  # openpyxl's rows are 1-based
    places = _places()
    for n in range(DATA_ROWS):
        town, village = places[n]
        values = {c.field: _value(c, n, town, village) for c in source.columns}
        for c in source.columns:
            ws.cell(
                first + n, where[normalise_header(contract_docs.header_text(c))], values[c.field]
            )
        ws.cell(first + n, period_col, cells[n % len(cells)])
        rows[first + n] = values
    next_row = first + DATA_ROWS
    if source.nil_report:
        # A township with nothing to report: its name, 备注 无, everything else empty.
        town, _ = places[DATA_ROWS]
        nil = source.nil_report
        town_col = next(c for c in source.columns if c.type == "town")
        ws.cell(next_row, where[normalise_header(town_col.name)], town.name)
        ws.cell(next_row, where[normalise_header(source.column(nil.marker_field).name)], nil.marker)
        ws.cell(next_row, period_col, cells[0])
        rows[next_row] = {"nil": town.code}
        next_row += 1
    # A summary row and a signature row, which the loader skips.
    ws.cell(next_row, 1, "合计")
    ws.cell(next_row + 2, 1, "填报人：张三    审核人：李四")
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return {"rows": rows, "period": period}


@pytest.fixture(scope="module")
def filled(written, tmp_path_factory):
    """Every template filled and saved as inbox/<source>/我的填报.xlsx, loaded in one go."""
    root = tmp_path_factory.mktemp("filled")
    inbox = root / "county" / "inbox"
    written_rows = {
        name: _fill(templates.template_path(written, source), source, inbox / name / FILLED_NAME)
        for name, source in sources().items()
    }
    warehouse = root / "wh" / "xunyi.duckdb"
    outcomes = {o.source: o for o in load(inbox.parent, warehouse)}
    return written_rows, outcomes, warehouse


def test_the_command_writes_every_template_at_its_documented_path(written):
    files = sorted(p.relative_to(written).as_posix() for p in written.rglob("*.xlsx"))
    assert files == sorted(f"{s.name}/{s.title}（模板）.xlsx" for s in sources().values())
    assert len(files) == 16
    # the CLI writes the bytes the dashboard offers, and they are the same every time
    roster = sources()["roster"]
    assert templates.template_path(written, roster).read_bytes() == templates.template_bytes(
        "roster"
    )


@pytest.mark.parametrize("name", SOURCES)
def test_a_filled_template_loads_whole(filled, name):
    written_rows, outcomes, warehouse = filled
    source = sources()[name]
    expected = written_rows[name]
    outcome = outcomes[name]
    assert outcome.file_name == f"{name}/{FILLED_NAME}"
    assert outcome.status == "loaded", outcome.message
    assert outcome.period == expected["period"]
    assert outcome.rows_quarantined == 0, query(
        warehouse,
        "SELECT row_number, column_name, raw_value, reason FROM v_quarantine WHERE source = ?",
        [name],
    )
    assert outcome.rows_skipped == 2  # 合计 and the signature row
    assert outcome.rows_loaded == len(expected["rows"])
    assert not outcome.message  # no column ignored (已忽略未知列：…), none repeated
    fields = [c.field for c in source.columns]
    loaded = {
        r[0]: dict(zip(fields, r[2:], strict=True))
        for r in query(
            warehouse,
            f"SELECT row_number, period, {', '.join(fields)} FROM {source.table} ORDER BY row_number",
        )
    }
    assert set(loaded) == set(expected["rows"])
    assert {r[0] for r in query(warehouse, f"SELECT DISTINCT period FROM {source.table}")} == {
        expected["period"]
    }
    for row_number, values in expected["rows"].items():
        if "nil" in values:
            continue
        got = loaded[row_number]
        # every declared column was read: nothing written came back empty
        assert all(got[f] is not None for f in fields), (row_number, got)
        for c in source.columns:
            if c.type in ("id_number", "text", "code", "month"):
                assert got[c.field] == values[c.field]
            elif c.type == "money":
                assert got[c.field] == pytest.approx(values[c.field])  # the declared unit


def test_a_nil_report_row_in_the_template_loads_as_the_townships_report(filled):
    written_rows, _, warehouse = filled
    [(row_number, values)] = [
        (r, v) for r, v in written_rows["housing_monitor"]["rows"].items() if "nil" in v
    ]
    assert query(
        warehouse,
        "SELECT town_code, name, id_number, is_nil_report FROM ledger_housing_monitor "
        "WHERE row_number = ?",
        [row_number],
    ) == [(values["nil"], None, None, True)]
    assert query(
        warehouse, "SELECT count(*) FROM ledger_housing_monitor WHERE NOT is_nil_report"
    ) == [(DATA_ROWS,)]


def test_ids_are_text_codes_have_drop_downs_and_required_columns_are_marked(written):
    blank = [templates.FIRST_DATA_ROW + 1, templates.LAST_DATA_ROW + 1]
    assert templates.LAST_DATA_ROW - templates.FIRST_DATA_ROW + 1 >= 2_000
    for name, source in sources().items():
        book = openpyxl.load_workbook(templates.template_path(written, source))
        assert book.sheetnames[:2] == [source.title, templates.INSTRUCTIONS_SHEET]
        assert all(book[s].sheet_state == "hidden" for s in book.sheetnames[2:])
        ws = book[source.title]
        assert ws.freeze_panes == f"A{templates.FIRST_DATA_ROW + 1}"
        where = _columns_by_header(ws)
        assert len(where) == len(source.columns) + 1  # every column and the period column
        lists = {_first_column(v): v for v in ws.data_validations.dataValidation if v.type}
        for c in source.columns:
            col = where[normalise_header(c.name)]
            letter = openpyxl.utils.get_column_letter(col)
            header = ws.cell(templates.HEADER_ROW + 1, col)
            assert header.value == contract_docs.header_text(c)
            if c.required:
                assert header.font.b and header.font.color.rgb.endswith("C00000"), (name, c.name)
                assert header.comment.text == "必填"
            else:
                assert header.comment is None
            formats = {ws[f"{letter}{r}"].number_format for r in blank}
            if c.type in ("id_number", "text", "month"):
                assert formats == {"@"}, (name, c.name)
            elif c.type == "date":
                assert formats == {"yyyy-mm-dd"}, (name, c.name)
            if c.type in ("code", "yes_no", "town"):
                check = lists[col]
                assert check.type == "list", (name, c.name)
                assert str(check.sqref) == f"{letter}{blank[0]}:{letter}{blank[1]}"
                assert _list_values(book, check.formula1) == _allowed(c), (name, c.name)
            if c.type == "village":
                assert lists[col].type == "list" and "INDIRECT" in lists[col].formula1


def _first_column(validation) -> int:
    return min(r.min_col for r in validation.sqref.ranges)


def _allowed(column: Column) -> list[str]:
    if column.type == "code":
        return list(column.values)
    if column.type == "yes_no":
        return ["是", "否"]
    towns = [t.name for t in gazetteer().towns.values()]
    return towns + ["全县"] if column.county_allowed else towns


def _list_values(book, formula: str) -> list[str]:
    """A list validation's values: written inline, or a range of the hidden options sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, cells = formula.split("!")
    assert book[sheet.strip("'")].sheet_state == "hidden"
    return [row[0].value for row in book[sheet.strip("'")][cells.replace("$", "")]]


def test_long_code_lists_live_on_the_hidden_options_sheet(written):
    """指标编码 is longer than Excel's 255-character inline list."""
    source = sources()["indicators"]
    codes = source.column("indicator_code").values
    assert len(",".join(codes)) > 255
    book = openpyxl.load_workbook(templates.template_path(written, source))
    [check] = [
        v for v in book[source.title].data_validations.dataValidation if _first_column(v) == 1
    ]
    assert check.formula1.startswith(f"'{templates.OPTIONS_SHEET}'!")
    assert _list_values(book, check.formula1) == list(codes)


def test_the_instructions_sheet_has_a_line_per_column(written):
    for source in sources().values():
        book = openpyxl.load_workbook(templates.template_path(written, source), read_only=True)
        text = "\n".join(
            str(v)
            for row in book[templates.INSTRUCTIONS_SHEET].iter_rows(values_only=True)
            for v in row
            if v
        )
        first_cells = [
            row[0] for row in book[templates.INSTRUCTIONS_SHEET].iter_rows(values_only=True)
        ]
        for c in source.columns:
            assert contract_docs.header_text(c) in first_cells, (source.name, c.name)
            for alias in c.aliases:
                assert alias in text
            for value in c.values:
                assert value in text
        assert contract_docs.period_header(source) in first_cells
        assert "合计" in text and "签字行" in text
        if any(c.type == "id_number" for c in source.columns):
            assert "文本格式" in text
        assert ("零报告" in text) == (source.nil_report is not None)


def test_docs_extracts_md_is_the_rendered_contract():
    path = REPO / "docs" / "extracts.md"
    assert path.read_text(encoding="utf-8") == contract_docs.render(), (
        "docs/extracts.md differs from the source declarations; regenerate it with "
        f"`{contract_docs.REGENERATE}`"
    )
