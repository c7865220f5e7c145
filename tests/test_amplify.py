"""bench/amplify.py, the bench's county ×N: copies that never meet, relations kept in each.

A hand-made inbox (a roster and an employment ledger naming the same people, one ID in
full-width digits, one invalid, one of 15 digits) amplified three times, read back as text
and loaded by the real loader.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from bench.amplify import amplify
from etl.load import load_directory
from etl.progress import Progress
from etl.warehouse import publishing
from generator.idcard import is_valid, make_id, wrong_check_digit

A = make_id("610429", dt.date(1973, 1, 6), 71)
B = make_id("610429", dt.date(1980, 5, 12), 42)
C = make_id("610428", dt.date(1990, 2, 1), 13)
WRONG = wrong_check_digit(
    make_id("610429", dt.date(1965, 3, 3), 25), __import__("random").Random(1)
)
OLD15 = "610429" + "580808" + "123"  # born 1958, pre-1999 form
FULL_WIDTH_B = B.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))

ROSTER_HEADER = (
    "户编号,姓名,公民身份号码,镇（街道）,村,与户主关系,户类型,劳动能力,是否易地搬迁,务工状态"
)
ROSTER = [
    f"6104290010010001,王海华,{A},城关,东关社区,户主,脱贫户,有劳动能力,否,务工",
    f"6104290010010001,李兰,{FULL_WIDTH_B},城关,东关社区,配偶,脱贫户,有劳动能力,否,务工",
    f"6104290010010002,张民,{C},城关,东关社区,户主,监测户,无劳动能力,否,未务工",
    f"6104290010010003,赵福,{WRONG},城关,东关社区,户主,脱贫户,无劳动能力,否,未务工",
    f"6104290010010004,周成,{OLD15},城关,东关社区,户主,脱贫户,无劳动能力,否,未务工",
]
EMPLOYMENT_HEADER = "序号,姓名,证件号码,乡镇,村,户类型,就业形式,务工起始月份"
EMPLOYMENT = [
    f"1,王海华,{A},城关街道,东关社区,脱贫户,省外务工,2023-07",
    f"2,李兰,{B},城关街道,东关社区,脱贫户,县内务工,2024-01",
]


def _inbox(tmp_path):
    county = tmp_path / "county"
    roster = county / "inbox" / "roster" / "防返贫监测对象2024年06月.csv"
    employment = county / "inbox" / "employment" / "务工台账2024年06月.csv"
    roster.parent.mkdir(parents=True)
    employment.parent.mkdir(parents=True)
    roster.write_text(
        "\n".join(
            ["旬邑县2024年6月防返贫监测对象和脱贫人口信息表", ROSTER_HEADER, *ROSTER, "合计,5人"]
        )
        + "\n",
        encoding="utf-8",
    )
    employment.write_text("\n".join([EMPLOYMENT_HEADER, *EMPLOYMENT]) + "\n", encoding="gb18030")
    return county


def _records(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_copies_are_disjoint_and_keep_their_relations(tmp_path):
    out = tmp_path / "x3"
    assert amplify(_inbox(tmp_path), out, 3, say=lambda _: None) == 3 * (6 + 2)

    roster = _records(out / "inbox" / "roster" / "防返贫监测对象2024年06月.csv")
    assert roster[0][0] == "旬邑县2024年6月防返贫监测对象和脱贫人口信息表"  # the preamble once
    assert roster[1][:3] == ["户编号", "姓名", "公民身份号码"]
    body = roster[2:]
    assert len(body) == 3 * 6  # the summary row travels with its copy
    copies = [body[i * 6 : (i + 1) * 6] for i in range(3)]
    assert [r[2] for r in copies[0][:5]] == [A, FULL_WIDTH_B, C, WRONG, OLD15]  # copy 0 as sent

    for k in (1, 2):
        ids = [r[2] for r in copies[k]]
        assert ids[0] == f"7{k:02d}" + A[3:17] + ids[0][17] and is_valid(ids[0])
        assert ids[1] == f"7{k:02d}" + B[3:17] + ids[1][17] and is_valid(ids[1])  # cleaned
        assert ids[2].startswith(f"7{k:02d}428") and is_valid(ids[2])
        assert ids[3] == WRONG  # invalid: quarantined in every copy, as sent
        assert ids[4] == f"7{k:02d}" + OLD15[3:]
        assert copies[k][0][0] == f"6104290010010001-{k:02d}"
        assert copies[k][5][0] == "合计"  # no key to rename

    employment = _records(out / "inbox" / "employment" / "务工台账2024年06月.csv")[1:]
    for k in (1, 2):
        # the same person, renamed alike in both ledgers
        assert employment[2 * k][2] == copies[k][0][2]
        assert employment[2 * k + 1][2] == copies[k][1][2]
    valid = [r[2] for r in body if is_valid(r[2])]
    # copy 0's full-width ID is valid only once cleaned (by the loader): 2 + 3 + 3
    assert len(valid) == len(set(valid)) == 8


def test_the_amplified_inbox_loads_as_copies_that_never_meet(tmp_path):
    out = tmp_path / "x3"
    amplify(_inbox(tmp_path), out, 3, say=lambda _: None)
    with open("/dev/null", "w") as quiet, publishing(tmp_path / "w.duckdb") as build:
        load_directory(build.con, out, Progress(0, "", stream=quiet))
        con = build.con
        roster = con.execute(
            "SELECT count(*), count(DISTINCT id_number), count(DISTINCT household_id) FROM ledger_roster"
        ).fetchall()[0]
        assert roster == (12, 12, 9)  # 4 loaded rows a copy (the wrong check digit quarantined)
        quarantined = con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
        assert quarantined == 3
        unmatched = con.execute(
            "SELECT count(*) FROM ledger_employment e "
            "WHERE e.id_number NOT IN (SELECT id_number FROM ledger_roster)"
        ).fetchall()[0][0]
        assert unmatched == 0
        assert con.execute("SELECT count(*) FROM ledger_employment").fetchall()[0][0] == 6
