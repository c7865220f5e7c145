"""Uploading a corrected extract (etl/upload.py) on a hand-made county: the correction turns
X04 green for its month, names are cleaned, the bytes are archived, a refused upload changes
nothing, and an upload and a command-line load at the same moment both land, in lock order."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import REPO, query
from county import TUQIAO, Month, person, write_county, write_month
from filelock import FileLock
from files import EMPLOYMENT_HEADER, employment_row, write_csv, write_xlsx
from test_zip_limit import bomb

import etl.upload as upload_module
from etl.load import load_directory
from etl.progress import Progress
from etl.upload import UploadFailed, archive_dir, clean_name, upload
from etl.warehouse import lock_path, publishing
from expectations.validate import validate

P = {n: person(n) for n in range(1, 5)}

MONTHS = [
    # everything agrees
    Month("2024-04", roster=[(P[1], "务工"), (P[2], "未务工")], employment=[(P[1], TUQIAO)]),
    # X04 fails: P2 is in the HR ledger but not working in the roster; P3 the other way round
    Month(
        "2024-05",
        roster=[(P[1], "务工"), (P[2], "未务工"), (P[3], "务工")],
        employment=[(P[1], TUQIAO), (P[2], TUQIAO)],
    ),
]
CLERKS_NAME = "C:\\Users\\x\\旬邑县2024年5月务工台账.xlsx"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The county loaded, validated and published once; each test works on a copy."""
    root = tmp_path_factory.mktemp("county")
    write_county(root / "inbox", MONTHS)
    warehouse = root / "xunyi.duckdb"
    with open(os.devnull, "w") as quiet, publishing(warehouse, say=lambda _: None) as build:
        load_directory(build.con, root / "inbox", Progress(0, "加载", stream=quiet))
        validate(build)
    return warehouse


@pytest.fixture
def county(built, tmp_path) -> Path:
    warehouse = tmp_path / "wh" / "xunyi.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(built, warehouse)
    return warehouse


def employment_bytes(tmp_path: Path, period: str, people: list) -> bytes:
    folder = tmp_path / f"made-{period}-{len(people)}"
    write_month(folder, Month(period, employment=[(who, TUQIAO) for who in people]))
    return (folder / "employment" / f"employment_{period}.xlsx").read_bytes()


def status_of(warehouse: Path, check_id: str, period: str) -> str:
    return query(
        warehouse,
        "SELECT status FROM v_check_results WHERE check_id = ? AND period = ?",
        [check_id, period],
    )[0][0]


def archived_files(warehouse: Path) -> list[Path]:
    folder = archive_dir(warehouse)
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_corrected_employment_file_turns_x04_green(county, tmp_path):
    assert status_of(county, "X04", "2024-05") == "failed"
    april = query(county, "SELECT evaluated_at FROM check_results WHERE period = '2024-04'")
    data = employment_bytes(tmp_path, "2024-05", [P[1], P[3]])

    result = upload(county, "employment", CLERKS_NAME, data, "officer1")

    assert (result.status, result.reason_code, result.logged) == ("loaded", None, True)
    assert result.file_name == "employment/旬邑县2024年5月务工台账.xlsx"
    assert result.period == "2024-05"
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)
    assert result.message.startswith("已加载 2 行")
    assert result.months == ["2024-05"]
    x04 = next(c for c in result.checks if c.check_id == "X04")
    assert (x04.before, x04.after, x04.failing_before, x04.failing_after) == (
        "failed",
        "passed",
        2,
        0,
    )
    assert x04.turned == "green" and x04 in result.turned_green
    assert result.turned_red == []
    assert {c.period for c in result.checks} == {"2024-05"}

    # published: the check, the load log, the ledger; April was not validated again
    assert status_of(county, "X04", "2024-05") == "passed"
    assert query(
        county,
        "SELECT source, period, status FROM v_load_log WHERE file_name = ?",
        [result.file_name],
    ) == [("employment", "2024-05", "loaded")]
    assert query(county, "SELECT count(*) FROM ledger_employment WHERE period = '2024-05'") == [
        (2,)
    ]
    assert query(county, "SELECT evaluated_at FROM check_results WHERE period = '2024-04'") == (
        april
    )
    assert query(county, "SELECT count(*) FROM v_kpi WHERE period = '2024-05'") == query(
        county, "SELECT count(*) FROM v_kpi WHERE period = '2024-04'"
    )

    # the archive holds the bytes, beside the warehouse, under a name of its own
    assert result.archived.parent == archive_dir(county) / "employment"
    assert re.fullmatch(
        r"\d{8}-\d{6}_" + result.sha256[:8] + r"_旬邑县2024年5月务工台账\.xlsx",
        result.archived.name,
    )
    assert result.archived.read_bytes() == data
    sidecar = result.archived.with_name(result.archived.name + ".json").read_text("utf-8")
    assert '"uploaded_by": "officer1"' in sidecar


def test_the_same_bytes_again_are_unchanged_and_a_bad_correction_turns_red(county, tmp_path):
    data = employment_bytes(tmp_path, "2024-05", [P[1], P[3]])
    first = upload(county, "employment", "务工台账2024-05.xlsx", data, "officer1")
    again = upload(county, "employment", "务工台账2024-05.xlsx", data, "officer1")
    assert (first.status, again.status) == ("loaded", "unchanged")
    assert again.months == [] and again.checks == []
    assert again.message == "与已加载的文件相同，未改动"
    assert len(archived_files(county)) == 4  # each upload kept (with its sidecar)
    assert [
        r[0]
        for r in query(
            county,
            "SELECT status FROM load_log WHERE file_name = 'employment/务工台账2024-05.xlsx' "
            "ORDER BY load_id",
        )
    ] == ["loaded", "unchanged"]

    worse = employment_bytes(tmp_path, "2024-04", [P[1], P[2]])  # P2 does not work
    result = upload(county, "employment", "务工台账2024年4月.xlsx", worse, "officer1")
    # April, and May whose X19 reads the year's employment so far (a second payment)
    assert result.months == ["2024-04", "2024-05"]
    # X04 by person, X05 by the village's count: both now disagree
    assert [c.check_id for c in result.turned_red] == ["X04", "X05"]
    assert status_of(county, "X04", "2024-04") == "failed"


@pytest.mark.parametrize(
    ("original", "cleaned"),
    [
        ("../../etc/passwd 2024-05.xlsx", "passwd 2024-05.xlsx"),
        (CLERKS_NAME, "旬邑县2024年5月务工台账.xlsx"),
        ("..\\..\\.hidden 2024-05.XLSX", "hidden 2024-05.xlsx"),
        ("~$台账 2024-05.xlsx", "台账 2024-05.xlsx"),
        ("台账\x00\x1b\u202e 2024-05.csv", "台账 2024-05.csv"),
        ("台账\n\t2024年5月 .xls ", "台账 2024年5月.xls"),
        ('务工:台账<2024-05>?"*|.xlsx', "务工_台账_2024-05_____.xlsx"),
        (".xlsx", "上传文件.xlsx"),
        ("..", None),
        ("/", None),
        ("台账.pdf", None),
        ("台账.xlsx.exe", None),
        ("台账", None),
    ],
)
def test_names_are_cleaned(original, cleaned):
    if cleaned is None:
        with pytest.raises(upload_module._Refused, match="只接受 .xlsx、.xls 或 .csv"):
            clean_name(original)
    else:
        assert clean_name(original) == cleaned


def test_a_long_name_is_cut_and_keeps_its_extension():
    name = clean_name("旬" * 300 + ".xlsx")
    assert name == "旬" * 120 + ".xlsx"


def test_a_path_in_the_name_never_leaves_the_archive(county, tmp_path):
    data = employment_bytes(tmp_path, "2024-05", [P[1], P[3]])
    result = upload(county, "employment", "../../etc/passwd 2024-05.xlsx", data, "officer1")
    assert result.status == "loaded"
    assert result.file_name == "employment/passwd 2024-05.xlsx"
    assert result.period == "2024-05"
    assert result.archived.resolve().is_relative_to(archive_dir(county) / "employment")


def xlsx_bytes(tmp_path: Path, rows: int = 3) -> bytes:
    body = [employment_row(n) for n in range(1, rows + 1)]
    return write_xlsx(tmp_path / "plain.xlsx", [EMPLOYMENT_HEADER, *body]).read_bytes()


def csv_bytes(tmp_path: Path, rows: int = 3) -> bytes:
    body = [employment_row(n) for n in range(1, rows + 1)]
    return write_csv(tmp_path / "plain.csv", [EMPLOYMENT_HEADER, *body]).read_bytes()


REFUSALS = {
    "not a ledger type": ("台账2024-05.pdf", lambda t: b"%PDF-1.4", "只接受 .xlsx、.xls 或 .csv"),
    "text named xlsx": ("台账2024-05.xlsx", csv_bytes, "内容不是 Excel 工作簿"),
    "xlsx named xls": ("台账2024-05.xls", xlsx_bytes, "请把扩展名改为 .xlsx"),
    "xlsx named csv": ("台账2024-05.csv", xlsx_bytes, "内容不是文本格式的 CSV"),
    "zip without workbook": (
        "台账2024-05.xlsx",
        lambda t: (
            shutil.make_archive(str(t / "z"), "zip", t / "made") and (t / "z.zip").read_bytes()
        ),
        "内容不是 Excel 工作簿",
    ),
    "empty": ("台账2024-05.csv", lambda t: b"", "文件是空的"),
    "too big": ("台账2024-05.csv", lambda t: csv_bytes(t, 200), "超过上传上限 0.01 MB"),
    "zip bomb": (
        "台账2024-05.xlsx",
        lambda t: bomb(t / "bomb.xlsx", t, 600).read_bytes(),
        "文件解压后超过 512 MB 的上限（压缩炸弹或异常文件）",
    ),
    "lying zip bomb": (
        "台账2024-05.xlsx",
        lambda t: bomb(t / "liar.xlsx", t, 1024, declared=4096).read_bytes(),
        "压缩炸弹",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refused_upload_changes_nothing(county, tmp_path, monkeypatch, case):
    name, make, words = REFUSALS[case]
    (tmp_path / "made").mkdir()
    (tmp_path / "made" / "a.txt").write_text("x")
    data = make(tmp_path)
    monkeypatch.setenv("XUNYI_MAX_UPLOAD_MB", "0.01" if case == "too big" else "50")
    before = digest(county)

    result = upload(county, "employment", name, data, "officer1")

    assert (result.status, result.reason_code, result.logged) == ("rejected", "unreadable", False)
    assert words in result.message
    assert result.archived is None and result.months == [] and result.checks == []
    assert digest(county) == before  # nothing published
    assert archived_files(county) == []


def test_a_file_refused_by_the_loader_is_logged_unreadable(county, tmp_path):
    ledger = query(county, "SELECT * FROM ledger_employment ORDER BY ALL")
    # Text, so it passes the checks before loading; bytes no encoding the loader reads.
    data = "序号,姓名\n1,".encode() + b"\x80\x81\xfe\xff" * 10
    result = upload(county, "employment", "务工台账2024-05.csv", data, "officer1")
    assert (result.status, result.reason_code, result.logged) == ("rejected", "unreadable", True)
    assert "编码无法识别" in result.message
    assert result.months == []
    assert query(
        county,
        "SELECT status, reason_code FROM v_load_log WHERE file_name = ?",
        [result.file_name],
    ) == [("rejected", "unreadable")]
    assert query(county, "SELECT * FROM ledger_employment ORDER BY ALL") == ledger
    assert result.archived.read_bytes() == data  # kept, as sent


def test_the_loaders_other_rejections_are_results_too(county, tmp_path):
    data = write_xlsx(tmp_path / "x.xlsx", [["姓名", "备注"], ["王芳", "x"]]).read_bytes()
    result = upload(county, "employment", "务工台账2024-05.xlsx", data, "officer1")
    assert (result.status, result.reason_code, result.logged) == (
        "rejected",
        "missing_column",
        True,
    )
    assert result.message.startswith("缺少必填列")
    assert status_of(county, "X04", "2024-05") == "failed"  # not validated again, unchanged


def test_an_unknown_source_is_a_programming_error(county):
    with pytest.raises(ValueError, match="未知的台账"):
        upload(county, "nonsense", "a.xlsx", b"x", "officer1")


def test_no_personal_data_in_logs_or_failures(county, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    data = employment_bytes(tmp_path, "2024-05", [P[1], P[3]])
    upload(county, "employment", CLERKS_NAME, data, "officer1")

    def failing_load(con, path, file_name):
        raise RuntimeError(f"Conversion Error: could not convert '{P[3].name}' ({P[3].id_number})")

    monkeypatch.setattr(upload_module, "load_file", failing_load)
    before = digest(county)
    other = employment_bytes(tmp_path, "2024-04", [P[1], P[3]])
    with pytest.raises(UploadFailed) as failure:
        upload(county, "employment", "务工台账2024-04.xlsx", other, "officer1")
    assert digest(county) == before
    shown = str(failure.value) + caplog.text
    assert failure.value.__cause__ is None and failure.value.__suppress_context__
    for who in P.values():
        assert who.name not in shown and who.id_number not in shown
    assert "RuntimeError" in shown  # what kind of failure, for the maintainers


# -- An upload and a command-line load at the same moment -------------------------------------


def cli_load(inbox: Path, warehouse: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "load", str(inbox), "--warehouse", str(warehouse)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def load_ids(warehouse: Path) -> dict[str, int]:
    return dict(query(warehouse, "SELECT file_name, load_id FROM load_log WHERE status = 'loaded'"))


def employment_periods(warehouse: Path) -> dict[str, int]:
    return dict(query(warehouse, "SELECT period, count(*) FROM ledger_employment GROUP BY period"))


def test_upload_first_then_the_command_line_both_land(county, tmp_path, monkeypatch):
    holding, go = threading.Event(), threading.Event()
    real = upload_module.load_file

    def slow_load(con, path, file_name):
        holding.set()  # inside the writer: the lock is the upload's
        assert go.wait(60)
        return real(con, path, file_name)

    monkeypatch.setattr(upload_module, "load_file", slow_load)
    data = employment_bytes(tmp_path, "2024-06", [P[1], P[3]])
    results = []
    uploader = threading.Thread(
        target=lambda: results.append(upload(county, "employment", "台账2024-06.xlsx", data, "o"))
    )
    uploader.start()
    try:
        assert holding.wait(60)
        inbox = tmp_path / "cli" / "inbox"
        write_xlsx(
            inbox / "employment" / "2024-07.xlsx",
            [EMPLOYMENT_HEADER, *(employment_row(n) for n in range(1, 4))],
        )
        loader = cli_load(inbox, county)
        assert "等待" in loader.stdout.readline()  # it waits for the upload's lock
    finally:
        go.set()
        uploader.join(120)
    assert loader.wait(120) == 0, loader.stderr.read()
    assert results[0].status == "loaded"

    ids = load_ids(county)
    assert ids["employment/台账2024-06.xlsx"] < ids["employment/2024-07.xlsx"]
    periods = employment_periods(county)
    assert (periods["2024-06"], periods["2024-07"]) == (2, 3)


def test_command_line_first_then_the_upload_both_land(county, tmp_path):
    inbox = tmp_path / "cli" / "inbox"
    for month in range(7, 13):  # enough rows that the load still holds the lock
        write_xlsx(
            inbox / "employment" / f"2024-{month:02d}.xlsx",
            [EMPLOYMENT_HEADER, *(employment_row(n) for n in range(1, 3001))],
        )
    lock = FileLock(str(lock_path(county)))
    lock.acquire()
    try:
        loader = cli_load(inbox, county)
        assert "等待" in loader.stdout.readline()
    finally:
        lock.release()
    assert loader.stdout.readline().startswith("[1/6] ")  # it holds the lock now

    heard = []
    data = employment_bytes(tmp_path, "2024-06", [P[1], P[3]])
    result = upload(county, "employment", "台账2024-06.xlsx", data, "o", say=heard.append)
    assert loader.wait(120) == 0, loader.stderr.read()
    assert result.status == "loaded"
    assert any("等待" in line for line in heard)  # the upload waited for the load

    ids = load_ids(county)
    assert (
        max(ids[f"employment/2024-{m:02d}.xlsx"] for m in range(7, 13))
        < ids["employment/台账2024-06.xlsx"]
    )
    periods = employment_periods(county)
    assert periods["2024-06"] == 2
    assert all(periods[f"2024-{m:02d}"] == 3000 for m in range(7, 13))


def test_the_command_line_uploads_one_file(county, tmp_path):
    from conftest import run_etl

    wrong = write_xlsx(tmp_path / "wrong.xlsx", [["姓名", "备注"], ["王芳", "x"]])
    result = run_etl(
        "upload", "employment", str(wrong), "--name", "../务工台账2024-05.xlsx", warehouse=county
    )
    assert result.returncode == 1, result.stderr
    assert "employment/务工台账2024-05.xlsx：已拒收 —— 缺少必填列" in result.stdout
    assert "已存档：" in result.stdout
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    result = run_etl("upload", "employment", str(pdf), warehouse=county)
    assert result.returncode == 1 and "只接受 .xlsx、.xls 或 .csv" in result.stdout
    assert run_etl("upload", "nonsense", str(pdf), warehouse=county).returncode == 2
