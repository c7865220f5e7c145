"""A compressed workbook is refused before it inflates past the configured limit.

The bombs are built here, cheaply: a sheet's XML padded with a gigabyte and more of spaces,
deflated once per mebibyte and repeated (after a full flush a deflate block stands alone),
so a test writes a few MB to make a file that inflates to 1.5 GiB.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from conftest import REPO, load, query
from files import EMPLOYMENT_HEADER, employment_row, write_csv, write_xls, write_xlsx

from etl.workbook import Unreadable, check_inflation

MIB = 1 << 20
SHEET = "xl/worksheets/sheet1.xml"


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def write_zip(path: Path, members: list[dict]) -> Path:
    """A zip written field by field: each member a dict of name, method (8 deflate, 0 stored),
    data (the bytes as stored), crc, size (the true inflated size) and optionally
    `declared` (the size its headers claim instead)."""
    out = bytearray()
    central = bytearray()
    for m in members:
        name = m["name"].encode()
        declared = m.get("declared", m["size"])
        offset = len(out)
        fields = (20, 0, m["method"], 0, 0x21, m["crc"], len(m["data"]), declared, len(name))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + name + m["data"]
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset)
        central += name
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out + central + end))
    return path


def workbook_members(rows: list[list], tmp: Path) -> list[dict]:
    """The members of a real small workbook (xlsxwriter's), deflated again field by field."""
    source = write_xlsx(tmp / "base.xlsx", rows)
    members = []
    with zipfile.ZipFile(source) as z:
        for info in z.infolist():
            data = z.read(info)
            members.append(
                {
                    "name": info.filename,
                    "method": 8,
                    "data": _deflate(data),
                    "crc": zlib.crc32(data),
                    "size": len(data),
                }
            )
    return members


def padded_sheet(member: dict, original: bytes, mebibytes: int) -> dict:
    """The sheet member with `mebibytes` MiB of spaces inside <sheetData>, deflated cheaply."""
    head, tail = original.split(b"<sheetData>", 1)
    head += b"<sheetData>"
    spaces = b" " * MIB
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    stream = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(spaces) + c.flush(zlib.Z_FULL_FLUSH)  # the same for every mebibyte
    stream += block * mebibytes + c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(mebibytes):
        crc = zlib.crc32(spaces, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + mebibytes * MIB + len(tail)
    return {**member, "data": stream, "crc": crc, "size": size}


def bomb(path: Path, tmp: Path, mebibytes: int, declared: int | None = None) -> Path:
    """A valid-looking employment workbook whose sheet inflates to `mebibytes` MiB; with
    `declared`, its headers claim that size for the sheet instead (a lying zip)."""
    rows = [EMPLOYMENT_HEADER, employment_row(1)]
    members = workbook_members(rows, tmp)
    with zipfile.ZipFile(tmp / "base.xlsx") as z:
        original = z.read(SHEET)
    members = [padded_sheet(m, original, mebibytes) if m["name"] == SHEET else m for m in members]
    if declared is not None:
        for m in members:
            if m["name"] == SHEET:
                m["declared"] = declared
    return write_zip(path, members)


def employment_file(path: Path, rows: int, first: int = 1) -> Path:
    body = [employment_row(n) for n in range(first, first + rows)]
    return write_xlsx(path, [EMPLOYMENT_HEADER, *body])


def run_measured(*args: str, env: dict[str, str], tmp: Path) -> tuple[int, str, int]:
    """`python -m etl …` in a subprocess: (exit status, stdout, its peak RSS in bytes).

    os.wait4 reports the resources of that one child (and the children it waited for), so
    what other tests ran before cannot raise the figure."""
    out = (tmp / "stdout").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "etl", *args],
        cwd=REPO,
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    return process.returncode, out.read(), usage.ru_maxrss * 1024  # Linux: KiB


def snapshot(warehouse: Path) -> list[tuple]:
    return query(
        warehouse,
        "SELECT period, load_id, row_number, id_number FROM ledger_employment ORDER BY ALL",
    )


def test_bombs_are_refused_beside_a_file_that_loads(tmp_path, warehouse):
    earlier = tmp_path / "earlier" / "inbox"
    employment_file(earlier / "employment" / "2024-03.xlsx", 3)
    employment_file(earlier / "employment" / "2024-05.xlsx", 4)
    load(earlier, warehouse)
    before = snapshot(warehouse)

    inbox = tmp_path / "county" / "inbox"
    # 1.5 GiB inflated: the size measured whole in memory (3.3 GiB peak) before the limit.
    bomb(inbox / "employment" / "2024-05.xlsx", tmp_path, 1536)
    bomb(inbox / "employment" / "2024-06.xlsx", tmp_path, 1536, declared=4096)
    employment_file(inbox / "employment" / "2024-07.xlsx", 2)
    assert (inbox / "employment" / "2024-05.xlsx").stat().st_size < 8 * MIB

    status, output, peak = run_measured(
        "load",
        str(inbox),
        "--warehouse",
        str(warehouse),
        env={"XUNYI_MAX_INFLATED_MB": "64"},
        tmp=tmp_path,
    )
    assert status == 1, output
    log = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            "SELECT file_name, status, reason_code, message FROM load_log WHERE load_id > 2",
        )
    }
    assert len(log) == 3, log
    honest, lying, valid = (
        log["employment/2024-05.xlsx"],
        log["employment/2024-06.xlsx"],
        log["employment/2024-07.xlsx"],
    )
    assert honest[:2] == ("rejected", "unreadable")
    assert "文件解压后超过 64 MB 的上限（压缩炸弹或异常文件）" in honest[2]
    assert lying[:2] == ("rejected", "unreadable")
    assert "压缩炸弹" in lying[2]
    assert valid[:2] == ("loaded", None)

    after = snapshot(warehouse)
    assert [r for r in after if r[0] != "2024-07"] == before  # 2024-05 kept as it was
    assert len([r for r in after if r[0] == "2024-07"]) == 2
    assert peak < 1.5 * 1024 * MIB, f"peak RSS {peak / MIB:.0f} MiB"


def test_a_lying_zip_is_stopped_while_inflating(tmp_path):
    # Small in its directory (and well under the default limit), 1 GiB when inflated.
    path = bomb(tmp_path / "lying.xlsx", tmp_path, 1024, declared=100_000)
    with zipfile.ZipFile(path) as z:
        assert sum(i.file_size for i in z.infolist()) < MIB
    with pytest.raises(Unreadable, match="实际大小超过了文件内记录的大小（压缩炸弹"):
        check_inflation(path)


def test_the_declared_sizes_are_checked_before_anything_is_inflated(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNYI_MAX_INFLATED_MB", "2")
    path = bomb(tmp_path / "bomb.xlsx", tmp_path, 3)
    inflated = []
    real = zlib.decompressobj
    monkeypatch.setattr(zlib, "decompressobj", lambda *a: inflated.append(a) or real(*a))
    with pytest.raises(Unreadable, match="文件解压后超过 2 MB 的上限"):
        check_inflation(path)
    assert inflated == []


def test_a_workbook_within_the_limit_loads(tmp_path, warehouse, monkeypatch):
    monkeypatch.setenv("XUNYI_MAX_INFLATED_MB", "4")
    inbox = tmp_path / "county" / "inbox"
    bomb(inbox / "employment" / "2024-05.xlsx", tmp_path, 3)  # 3 MiB of spaces: allowed
    employment_file(inbox / "employment" / "2024-06.xlsx", 500)
    outcomes = load(inbox, warehouse)
    assert [(o.file_name, o.status, o.rows_loaded) for o in outcomes] == [
        ("employment/2024-05.xlsx", "loaded", 1),
        ("employment/2024-06.xlsx", "loaded", 500),
    ]


def test_a_stored_member_counts_as_its_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNYI_MAX_INFLATED_MB", "1")
    data = b"x" * (2 * MIB)
    path = write_zip(
        tmp_path / "stored.xlsx",
        [{"name": SHEET, "method": 0, "data": data, "crc": zlib.crc32(data), "size": 10}],
    )
    with pytest.raises(Unreadable, match="上限"):
        check_inflation(path)


def test_other_compression_methods_are_refused(tmp_path):
    path = tmp_path / "bzip2.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(Unreadable, match="压缩方式"):
        check_inflation(path)


def test_a_zip_of_too_many_parts_is_refused_before_its_directory_is_read(tmp_path):
    members = [
        {"name": f"p{n}", "method": 0, "data": b"", "crc": 0, "size": 0} for n in range(10_001)
    ]
    path = write_zip(tmp_path / "parts.xlsx", members)
    with pytest.raises(Unreadable, match="压缩部件过多（10,001 个）"):
        check_inflation(path)


def test_a_damaged_zip_is_unreadable(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNYI_MAX_INFLATED_MB", "0.1")  # so small that the sheet is inflated
    path = employment_file(tmp_path / "ok.xlsx", 50)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(SHEET)
    start = info.header_offset + 30 + len(SHEET)
    data[start : start + 64] = b"\xff" * 64  # the sheet's deflate stream broken
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    with pytest.raises(Unreadable, match="文件可能已损坏"):
        check_inflation(damaged)


def test_csv_and_xls_are_held_to_their_file_size_limits(tmp_path, warehouse, monkeypatch):
    # An .xls is read whole (XUNYI_MAX_FILE_MB); a CSV in batches, so its own, larger limit.
    monkeypatch.setenv("XUNYI_MAX_FILE_MB", "0.02")  # 20 KiB
    monkeypatch.setenv("XUNYI_MAX_CSV_MB", "0.04")  # 41 KiB
    inbox = tmp_path / "county" / "inbox"
    body = [employment_row(n) for n in range(1, 400)]
    write_csv(inbox / "employment" / "2024-03.csv", [EMPLOYMENT_HEADER, *body[:230]])
    write_csv(inbox / "employment" / "2024-04.csv", [EMPLOYMENT_HEADER, *body])
    write_xls(inbox / "employment" / "2024-05.xls", [EMPLOYMENT_HEADER, *body])
    write_xls(inbox / "employment" / "2024-06.xls", [EMPLOYMENT_HEADER, *body[:3]])
    sizes = {p.name: p.stat().st_size / MIB for p in (inbox / "employment").iterdir()}
    assert 0.02 < sizes["2024-03.csv"] < 0.04 < sizes["2024-04.csv"]
    assert sizes["2024-05.xls"] > 0.02 > sizes["2024-06.xls"]
    outcomes = {o.file_name: o for o in load(inbox, warehouse)}
    for name, limit in (("2024-04.csv", "0.04"), ("2024-05.xls", "0.02")):
        big = outcomes[f"employment/{name}"]
        assert (big.status, big.reason_code) == ("rejected", "unreadable"), name
        assert f"超过 {limit} MB 的上限" in big.message
    assert outcomes["employment/2024-03.csv"].status == "loaded"  # over the .xls limit: fine
    assert outcomes["employment/2024-06.xls"].status == "loaded"


def test_a_bad_limit_setting_is_a_usage_error(tmp_path, warehouse):
    inbox = tmp_path / "county" / "inbox"
    employment_file(inbox / "employment" / "2024-05.xlsx", 1)
    result = subprocess.run(
        [sys.executable, "-m", "etl", "load", str(inbox), "--warehouse", str(warehouse)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "XUNYI_MAX_INFLATED_MB": "lots"},
    )
    assert result.returncode == 2
    assert "XUNYI_MAX_INFLATED_MB" in result.stderr
    assert not warehouse.exists()
