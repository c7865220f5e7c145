"""The loader: every file accounted for, periods replaced, the load log and quarantine views."""

from __future__ import annotations

import shutil

import pytest
from conftest import load, query, run_etl
from files import EMPLOYMENT_HEADER, employment_row, ledger, write_csv, write_xlsx

from etl.warehouse import publishing

V_LOAD_LOG_COLUMNS = [
    "source",
    "period",
    "file_name",
    "sha256",
    "status",
    "reason_code",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "rows_skipped",
    "message",
    "loaded_at",
]
V_QUARANTINE_COLUMNS = [
    "source",
    "period",
    "file_name",
    "row_number",
    "column_name",
    "raw_value",
    "reason_code",
    "reason",
]


def employment_file(inbox, name, rows):
    return write_xlsx(
        inbox / "employment" / name, [["旬邑县脱贫人口务工台账"], EMPLOYMENT_HEADER, *rows]
    )


def log(warehouse):
    return query(
        warehouse,
        "SELECT source, period, file_name, status, reason_code, rows_read, rows_loaded, "
        "rows_quarantined, rows_skipped FROM v_load_log ORDER BY loaded_at, file_name",
    )


def test_views_have_the_interface_columns(inbox, warehouse):
    employment_file(inbox, "2024-06.xlsx", [employment_row(1)])
    load(inbox, warehouse)
    for view, columns in [
        ("v_load_log", V_LOAD_LOG_COLUMNS),
        ("v_quarantine", V_QUARANTINE_COLUMNS),
    ]:
        got = [r[0] for r in query(warehouse, f"DESCRIBE {view}")]
        assert got == columns


def test_every_row_is_accounted_for(inbox, warehouse):
    employment_file(
        inbox,
        "旬邑县2024年6月务工台账.xlsx",
        [
            employment_row(1),
            employment_row(2, 姓名="王"),
            [None],
            employment_row(3, 身份证号="123", 报送日期="x"),
            ["小计"],
            employment_row(4),
            ["填报人：张三"],
        ],
    )
    load(inbox, warehouse)
    [(source, period, file_name, status, reason, read, loaded, quarantined, skipped)] = log(
        warehouse
    )
    assert (source, period, status, reason) == ("employment", "2024-06", "loaded", None)
    assert file_name == "employment/旬邑县2024年6月务工台账.xlsx"
    assert (read, loaded, quarantined, skipped) == (6, 2, 2, 2)
    assert read == loaded + quarantined + skipped
    assert query(
        warehouse,
        "SELECT row_number, column_name, raw_value, reason_code FROM v_quarantine "
        "ORDER BY row_number, column_name",
    ) == [
        (4, "姓名", "王", "bad_name"),
        (6, "报送日期", "x", "bad_date"),
        (6, "身份证号", "123", "id_format"),
    ]
    assert query(warehouse, "SELECT count(*) FROM ledger_employment WHERE period = '2024-06'") == [
        (2,)
    ]


def test_same_bytes_again_are_unchanged(inbox, warehouse):
    employment_file(inbox, "2024-06.xlsx", [employment_row(1), employment_row(2, 姓名="王")])
    load(inbox, warehouse)
    before = query(warehouse, "SELECT * FROM ledger_employment ORDER BY row_number")
    outcomes = load(inbox, warehouse)
    assert [o.status for o in outcomes] == ["unchanged"]
    assert query(warehouse, "SELECT * FROM ledger_employment ORDER BY row_number") == before
    assert [r[3] for r in log(warehouse)] == ["loaded", "unchanged"]
    assert query(warehouse, "SELECT count(*) FROM v_quarantine") == [(1,)]


def test_a_period_sent_again_replaces_it(inbox, warehouse, tmp_path):
    first = employment_file(
        inbox, "2024-06.xlsx", [employment_row(1), employment_row(2), employment_row(3, 姓名="王")]
    )
    kept = tmp_path / "first.xlsx"
    shutil.copy(first, kept)
    employment_file(inbox, "2024-07.xlsx", [employment_row(1)])
    load(inbox, warehouse)
    # the correction: one row fewer, the bad row fixed
    (inbox / "employment" / "2024-07.xlsx").unlink()
    employment_file(inbox, "2024-06.xlsx", [employment_row(1), employment_row(3, 姓名="王刚")])
    load(inbox, warehouse)
    counts = query(
        warehouse, "SELECT period, count(*) FROM ledger_employment GROUP BY ALL ORDER BY 1"
    )
    assert counts == [("2024-06", 2), ("2024-07", 1)]
    assert query(warehouse, "SELECT count(*) FROM v_quarantine") == [(0,)]
    # resending the older version is a correction too
    shutil.copy(kept, inbox / "employment" / "2024-06.xlsx")
    assert [o.status for o in load(inbox, warehouse)] == ["loaded"]
    assert query(warehouse, "SELECT count(*) FROM ledger_employment WHERE period = '2024-06'") == [
        (2,)
    ]
    assert query(warehouse, "SELECT row_number FROM v_quarantine") == [(5,)]


def test_two_files_for_one_period_are_both_rejected(inbox, warehouse):
    employment_file(inbox, "2024-06.xlsx", [employment_row(1)])
    load(inbox, warehouse)
    employment_file(inbox, "务工台账2024年6月（修改）.xlsx", [employment_row(1), employment_row(2)])
    write_csv(inbox / "employment" / "202406.csv", [EMPLOYMENT_HEADER, employment_row(2)])
    (inbox / "employment" / "2024-06.xlsx").unlink()
    outcomes = load(inbox, warehouse)
    assert sorted((o.file_name, o.status, o.reason_code) for o in outcomes) == [
        ("employment/202406.csv", "rejected", "duplicate_period"),
        ("employment/务工台账2024年6月（修改）.xlsx", "rejected", "duplicate_period"),
    ]
    # what was loaded for the period stays
    assert query(warehouse, "SELECT count(*) FROM ledger_employment WHERE period = '2024-06'") == [
        (1,)
    ]


def test_unknown_folders_and_loose_files_are_rejected(inbox, warehouse):
    write_xlsx(inbox / "低保名单" / "2024-06.xlsx", ledger("employment", [{}]))
    write_xlsx(inbox / "2024-06.xlsx", ledger("employment", [{}]))
    (inbox / "employment").mkdir()
    (inbox / "employment" / ".DS_Store").write_bytes(b"\0")
    (inbox / "employment" / "~$2024-06.xlsx").write_bytes(b"\0")
    outcomes = load(inbox, warehouse)
    assert sorted((o.source, o.file_name, o.reason_code) for o in outcomes) == [
        ("", "2024-06.xlsx", "unknown_source"),
        ("低保名单", "低保名单/2024-06.xlsx", "unknown_source"),
    ]
    assert "低保名单" in outcomes[1].message or "低保名单" in outcomes[0].message


def test_rejections_are_logged_with_reason_and_period(inbox, warehouse):
    employment_file(inbox, "2024-06.xlsx", [employment_row(1)])
    write_xlsx(
        inbox / "employment" / "2024-07.xlsx", [[h for h in EMPLOYMENT_HEADER if h != "户类型"]]
    )
    write_xlsx(inbox / "employment" / "务工台账.xlsx", [EMPLOYMENT_HEADER, employment_row(1)])
    (inbox / "employment" / "2024-08.xlsx").write_bytes(b"garbage")
    load(inbox, warehouse)
    rows = query(
        warehouse,
        "SELECT file_name, period, status, reason_code, message IS NOT NULL FROM v_load_log "
        "ORDER BY file_name",
    )
    assert rows == [
        ("employment/2024-06.xlsx", "2024-06", "loaded", None, False),
        ("employment/2024-07.xlsx", "2024-07", "rejected", "missing_column", True),
        ("employment/2024-08.xlsx", "2024-08", "rejected", "unreadable", True),
        ("employment/务工台账.xlsx", None, "rejected", "no_period", True),
    ]


def test_cli_exit_codes(inbox, warehouse):
    employment_file(inbox, "2024-06.xlsx", [employment_row(1)])
    ok = run_etl("load", str(inbox.parent), warehouse=warehouse)
    assert ok.returncode == 0, ok.stderr
    assert "[1/1] employment/2024-06.xlsx：已加载 1 行" in ok.stdout
    (inbox / "employment" / "2024-07.xlsx").write_bytes(b"garbage")
    rejected = run_etl("load", str(inbox), warehouse=warehouse)  # the inbox folder itself works too
    assert rejected.returncode == 1
    assert "已拒收" in rejected.stdout
    assert run_etl("load", str(inbox / "nowhere"), warehouse=warehouse).returncode == 2
    assert run_etl("load", warehouse=warehouse).returncode == 2
    assert run_etl("frobnicate", warehouse=warehouse).returncode == 2


def test_status_lists_each_source_and_month(inbox, warehouse):
    employment_file(inbox, "2024-06.xlsx", [employment_row(1), employment_row(2, 姓名="王")])
    load(inbox, warehouse)
    out = run_etl("status", warehouse=warehouse, check=True).stdout
    title, header, line = out.strip().splitlines()
    assert title == "# 台账加载情况"
    assert header.split("\t") == [
        "台账",
        "期间",
        "文件",
        "状态",
        "加载行数",
        "隔离行数",
        "跳过行数",
        "时间",
        "说明",
    ]
    assert line.split("\t")[:7] == [
        "脱贫人口务工台账",
        "2024-06",
        "employment/2024-06.xlsx",
        "已加载",
        "1",
        "1",
        "0",
    ]


def test_a_failed_command_publishes_nothing(inbox, warehouse):
    employment_file(inbox, "2024-06.xlsx", [employment_row(1)])
    load(inbox, warehouse)
    before = warehouse.read_bytes()
    with pytest.raises(RuntimeError), publishing(warehouse, say=lambda _: None) as build:
        build.con.execute("DELETE FROM ledger_employment")
        raise RuntimeError("the command failed half-way")
    assert warehouse.read_bytes() == before
    assert [p.name for p in warehouse.parent.iterdir() if p.name.endswith(".building")] == []


def test_a_ledger_with_no_data_rows_loads_as_zero_rows(inbox, warehouse):
    """An events ledger with nothing to report this month: zero events, not a missing month."""
    write_xlsx(inbox / "training" / "2024-06.xlsx", [["旬邑县培训台账"], ledger("training", [])[0]])
    write_csv(inbox / "training" / "2024-07.csv", [ledger("training", [])[0], ["合计", "0"]])
    outcomes = load(inbox, warehouse)
    assert [(o.status, o.rows_read, o.rows_loaded, o.rows_skipped) for o in outcomes] == [
        ("loaded", 0, 0, 0),
        ("loaded", 1, 0, 1),
    ]
