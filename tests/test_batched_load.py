"""A CSV read in batches loads exactly as the whole file does (issue 12).

A small county is generated with `--format csv` (every file CSV but the deliberately
unreadable workbook) and loaded twice: whole files, and in batches of 100 records. Every
table of the two warehouses must be equal, and the quarantine must be the truth's. Hand-made
files then put the awkward things on a batch boundary: a quoted cell spanning lines, a
period column that changes in a later batch, a file that breaks after its first batch.
"""

from __future__ import annotations

import duckdb
import polars as pl
import pytest
from conftest import load, loaded_and_planted, query
from files import EMPLOYMENT_HEADER, employment_row, write_csv

import generator
from etl.declarations import sources
from etl.extract import read_extract

SMALL_BATCH = "100"  # the least settings.csv_batch_rows() allows
WHOLE_FILE = "100000000"
# Columns that record when, not what: they differ between two loads of the same files.
CLOCK_COLUMNS = {"loaded_at"}


@pytest.fixture(scope="module")
def csv_county(tmp_path_factory):
    root = tmp_path_factory.mktemp("csv-county")
    truth = generator.generate(
        root / "county", seed=3, scale=0.03, progress=lambda _: None, file_format="csv"
    )
    return root, truth


def _load_with(batch_rows: str, inbox, warehouse, monkeypatch):
    with monkeypatch.context() as env:
        env.setenv("XUNYI_CSV_BATCH_ROWS", batch_rows)
        return load(inbox, warehouse)


def _tables(warehouse) -> dict[str, pl.DataFrame]:
    """Every base table, its clock columns left out, sorted on every column."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_schema = 'main' ORDER BY 1"
            ).fetchall()
        ]
        tables = {}
        for name in names:
            frame = con.sql(f'SELECT * FROM "{name}"').pl()
            frame = frame.drop([c for c in frame.columns if c in CLOCK_COLUMNS])
            tables[name] = frame.sort(frame.columns, nulls_last=True) if frame.width else frame
        return tables
    finally:
        con.close()


def test_every_file_but_the_broken_workbook_is_csv(csv_county):
    root, _ = csv_county
    files = [p for p in (root / "county" / "inbox").rglob("*") if p.is_file()]
    others = sorted(
        p.relative_to(root / "county" / "inbox").as_posix() for p in files if p.suffix != ".csv"
    )
    # the truncated loans workbook, the unknown source's workbook, the stray .docx
    assert len(others) == 3, others
    assert any(o.startswith("loans/") and o.endswith(".xlsx") for o in others)
    assert any(o.endswith(".docx") for o in others)


def test_batched_load_equals_whole_file_load(csv_county, tmp_path, monkeypatch):
    root, truth = csv_county
    inbox = root / "county"
    whole, batched = tmp_path / "whole.duckdb", tmp_path / "batched.duckdb"
    _load_with(WHOLE_FILE, inbox, whole, monkeypatch)
    _load_with(SMALL_BATCH, inbox, batched, monkeypatch)
    # Batches were really used: files of many batches, some with the period in a column.
    many = query(batched, "SELECT count(*) FROM v_load_log WHERE rows_read > 3 * 100")[0][0]
    assert many >= 10

    expected, got = _tables(whole), _tables(batched)
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name].equals(expected[name]), name
    assert sum(f.height for f in got.values()) > 10_000

    # and what the batches quarantined and rejected is what the generator planted
    for what, (loaded, planted) in loaded_and_planted(batched, truth).items():
        assert loaded == planted, what


def _rows(n: int, start: int = 1) -> list[list]:
    return [employment_row(i) for i in range(start, start + n)]


def test_a_quoted_cell_spanning_lines_across_a_batch_boundary_keeps_its_line(tmp_path):
    rows = _rows(250)
    rows[98][1] = "王\n芳"  # record 100 (the header is record 1) spans two lines
    path = write_csv(tmp_path / "务工2024-06.csv", [EMPLOYMENT_HEADER, *rows])
    whole = read_extract(path, sources()["employment"], path.name, batch_rows=10_000)
    parts = list(read_extract(path, sources()["employment"], path.name, batch_rows=100).parts())
    assert len(parts) == 3
    batched = pl.concat([p.data for p in parts])
    assert batched.equals(whole.data)
    assert batched["row"].to_list()[98:101] == [100, 102, 103]  # the line each record starts on
    assert sum(p.rows_read for p in parts) == whole.rows_read == 250


def test_a_period_column_is_read_across_every_batch(tmp_path):
    header = [*EMPLOYMENT_HEADER, "统计月份"]
    rows = [[*r, "2024-06"] for r in _rows(250)]
    rows[230][-1] = "2024-07"  # in the third batch
    path = write_csv(tmp_path / "务工台账.csv", [header, *rows])
    from etl.extract import FileRejected

    with pytest.raises(FileRejected) as rejected:
        read_extract(path, sources()["employment"], path.name, batch_rows=100)
    assert rejected.value.reason_code == "no_period"
    assert "2024-07" in rejected.value.message
    rows[230][-1] = "2024年6月"  # the same month, spelt otherwise
    path = write_csv(tmp_path / "务工台账.csv", [header, *rows])
    extract = read_extract(path, sources()["employment"], path.name, batch_rows=100)
    assert extract.period == "2024-06"
    assert sum(p.data.height for p in extract.parts()) == 250


def test_a_file_breaking_after_its_first_batch_is_rejected_whole(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    warehouse = tmp_path / "xunyi.duckdb"
    write_csv(inbox / "employment" / "务工2024-06.csv", [EMPLOYMENT_HEADER, *_rows(3)])
    _load_with(SMALL_BATCH, inbox, warehouse, monkeypatch)
    before = query(warehouse, "SELECT count(*) FROM stg_employment WHERE period = '2024-06'")
    assert before == [(3,)]

    rows = _rows(250)
    rows[0][1] = "王,芳"  # a quoted cell: the csv module reads the file
    rows[220][1] = "王" * 200_000  # past its field limit, in the third batch
    write_csv(inbox / "employment" / "务工2024-06.csv", [EMPLOYMENT_HEADER, *rows])
    (outcome,) = _load_with(SMALL_BATCH, inbox, warehouse, monkeypatch)
    assert (outcome.status, outcome.reason_code) == ("rejected", "unreadable")
    assert "CSV 文件格式有误" in outcome.message
    # the period keeps the rows it had: none of the broken file's first batches stayed
    assert (
        query(warehouse, "SELECT count(*) FROM stg_employment WHERE period = '2024-06'") == before
    )


def _grids(path, batch_rows, plain):
    from etl.workbook import csv_grids

    return [g.cells for g in csv_grids(path, batch_rows, plain=plain)]


def test_the_fast_reader_of_csv_agrees_with_the_csv_module(csv_county, tmp_path):
    from etl.workbook import _csv_scan

    root, _ = csv_county
    quoted = 0
    for path in sorted((root / "county" / "inbox").rglob("*.csv")):
        with path.open("rb") as raw:
            quoted += _csv_scan(raw)[1]
        for batch_rows in (None, 100):
            fast, reference = _grids(path, batch_rows, True), _grids(path, batch_rows, False)
            assert len(fast) == len(reference), path
            assert all(a.equals(b) for a, b in zip(fast, reference, strict=True)), path
    assert quoted >= 10
    # what a clerk's editor may do: CRLF, a lone CR, blank and white lines, ragged rows,
    # no newline at the end, a BOM, GB18030
    odd = "\ufeff标题\r\n\r\n序号,姓名,身份证号\r\n1,王芳\r2,李四,x,y\n   \n\n3,赵六,610429"
    for encoding in ("utf-8", "gb18030"):
        path = tmp_path / f"odd-{encoding}.csv"
        path.write_bytes(odd.encode(encoding) if encoding == "utf-8" else odd[1:].encode(encoding))
        fast, reference = _grids(path, None, True), _grids(path, None, False)
        assert fast[0].equals(reference[0]), encoding
        assert reference[0]["row"].to_list() == list(range(1, 9))
        assert reference[0].width == 5  # four cells in the widest record, and `row`


def test_quoted_cells_are_split_fast_until_a_record_spans_lines(tmp_path, monkeypatch):
    from etl import workbook

    handed_over = []
    reference_reader = workbook._csv_batches

    def csv_module(text, batch_rows, first_line=1):
        handed_over.append(first_line)
        return reference_reader(text, batch_rows, first_line)

    path = tmp_path / "quoted.csv"
    lines = ["序号,姓名,月收入", '1,"王,芳","4,200"', '2,"说""好""的",', '3,"",""', ",,"] * 3
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reference = _grids(path, 4, False)
    monkeypatch.setattr(workbook, "_csv_batches", csv_module)
    fast = _grids(path, 4, True)
    assert handed_over == []  # every line whole records: polars split them all
    assert len(fast) == len(reference) and all(
        a.equals(b) for a, b in zip(fast, reference, strict=True)
    )
    assert fast[0]["c1"].to_list()[1:3] == ["王,芳", '说"好"的']

    # a cell spanning lines in the third batch: the csv module reads on from that batch
    lines[9] = '10,"第一行\n第二行",1'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reference = _grids(path, 4, False)
    handed_over.clear()
    fast = _grids(path, 4, True)
    assert handed_over == [9]
    assert len(fast) == len(reference) and all(
        a.equals(b) for a, b in zip(fast, reference, strict=True)
    )
    assert reference[-1]["row"].to_list()[-1] == 16  # physical lines, the spanning one too
