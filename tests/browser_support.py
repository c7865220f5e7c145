"""Support for the dashboard's tests: a small county with known figures, the real app served
by `streamlit run`, and Debian's Chromium for Playwright.

The county is built the way the pipeline builds any warehouse (real .xlsx files, the real
loader, checks and indicator refresh, published by rename). It holds what the pages must
show and must hide: indicators in three townships, failing checks, a quarantined cell
holding a full 18-digit ID and one holding a name, a rejected file. `LATER` is one more
month, loaded while a browser watches.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from county import (
    CHENGGUAN,
    DIMIAO,
    TUQIAO,
    TUQIAO_2,
    Month,
    Person,
    person,
    write_county,
    write_month,
)
from files import make_id, write_xlsx

from dashboard import harness
from dashboard.harness import CHROMIUM, served  # noqa: F401 (served: for the tests)

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
# Anything shaped like a full resident ID (\d{17}[\dXx], not part of a longer number or the
# decimals of a float) must never reach a page, a URL or a download.
FULL_ID = re.compile(r"(?<![\d.])\d{17}[\dXx](?!\d)")

TOWN_TUQIAO, TOWN_CHENGGUAN, TOWN_DIMIAO = "610429101", "610429001", "610429107"

# -- The county ----------------------------------------------------------------------------


def resident(n: int, place: tuple[str, str], household: str) -> Person:
    return Person(
        name=person(n).name,
        id_number=make_id("19800101", f"{n:03d}"),
        place=place,
        household=household,
    )


P = {n: person(n) for n in range(1, 4)}
P[4] = resident(4, CHENGGUAN, "6104290012070004")
P[5] = resident(5, TUQIAO_2, "6104291012020005")
P[6] = resident(6, DIMIAO, "6104291072010006")
P[7] = resident(7, DIMIAO, "6104291072010007")
P[8] = resident(8, CHENGGUAN, "6104290012070008")
P[9] = resident(9, TUQIAO_2, "6104291012020009")

# An ID whose check digit is wrong: quarantined at load, its raw cell an 18-digit number.
_GOOD = make_id("19800101", "777")
BAD_ID = _GOOD[:-1] + ("1" if _GOOD[-1] != "1" else "2")
BAD_ID_PERSON = Person(
    name="测试错号", id_number=BAD_ID, place=TUQIAO, household="6104291012010077"
)
BAD_NAME_PERSON = Person(
    name="李雨静（已于二〇二四年三月外出到西安市务工，联系电话见备注栏）",
    id_number=make_id("19900101", "888"),
    place=DIMIAO,
    household="6104291072010088",
)

ROSTER = [
    (P[1], "务工"),
    (P[2], "务工"),
    (P[3], "未务工"),
    (P[4], "务工"),
    (P[5], "务工"),
    (P[6], "务工"),
    (P[7], "未务工"),
    (P[8], "务工"),
]

FIRST = [
    Month(
        "2024-03",
        roster=ROSTER,
        employment=[(P[1], TUQIAO), (P[2], TUQIAO), (P[4], CHENGGUAN), (BAD_ID_PERSON, TUQIAO)],
        training=[(P[1], True), (P[2], False)],
        loans=[
            ("XD-01", P[1], 100000, 0),
            ("XD-04", P[4], 100000, 2000),
            ("XD-06", P[6], 100000, 0),
        ],
    ),
    Month(
        "2024-04",
        roster=ROSTER,
        employment=[
            (P[1], TUQIAO),
            (P[2], TUQIAO),
            (P[4], CHENGGUAN),
            (P[5], TUQIAO_2),
            (P[6], DIMIAO),
        ],
        training=[(P[4], True)],
        loans=[("XD-01", P[1], 90000, 0), ("XD-04", P[4], 90000, 300), ("XD-06", P[6], 90000, 0)],
    ),
    # P9 works but is not in the roster (X06), P8 is 务工 in the roster but not in the HR ledger
    # (X04), and a clerk wrote a note into a name cell (quarantined).
    Month(
        "2024-05",
        roster=ROSTER,
        employment=[
            (P[1], TUQIAO),
            (P[2], TUQIAO),
            (P[4], CHENGGUAN),
            (P[5], TUQIAO_2),
            (P[6], DIMIAO),
            (P[9], TUQIAO_2),
            (BAD_NAME_PERSON, DIMIAO),
        ],
        training=[(P[5], True), (P[6], True)],
        loans=[("XD-01", P[1], 80000, 0), ("XD-04", P[4], 80000, 0), ("XD-06", P[6], 80000, 100)],
    ),
]
# June: everyone in the roster at work; seven distinct persons in the HR ledger.
LATER = [
    Month(
        "2024-06",
        roster=ROSTER,
        employment=[
            (P[1], TUQIAO),
            (P[2], TUQIAO),
            (P[4], CHENGGUAN),
            (P[5], TUQIAO_2),
            (P[6], DIMIAO),
            (P[7], DIMIAO),
            (P[8], CHENGGUAN),
        ],
        training=[(P[7], True)],
    ),
]
LATEST_FIRST, LATEST_LATER = "2024-05", "2024-06"


def write_first(inbox: Path) -> None:
    write_county(inbox, FIRST)
    # a folder named for no source: the whole file is rejected, and the load log says why
    write_xlsx(
        inbox / "低保名单" / "旬邑县2024年5月低保名单.xlsx",
        [["姓名", "身份证号"], ["王某", make_id()]],
    )


def write_later(inbox: Path) -> None:
    write_county(inbox, LATER)


def build_warehouse(root: Path) -> Path:
    """The first three months, loaded, checked and published as `load`/`run` would."""
    from etl.indicators import refresh_indicators
    from etl.load import load_directory
    from etl.progress import Progress
    from etl.warehouse import publishing
    from expectations.validate import validate

    inbox = root / "first" / "inbox"
    write_first(inbox)
    warehouse = root / "wh" / "xunyi.duckdb"
    with open(os.devnull, "w") as quiet, publishing(warehouse, say=lambda _: None) as build:
        load_directory(build.con, inbox, Progress(0, "加载", stream=quiet))
        validate(build)
        refresh_indicators(build.con)
    return warehouse


def copy_warehouse(warehouse: Path, directory: Path) -> Path:
    """A copy of the warehouse in `directory`, with its journal when it has one."""
    from etl.journal import journal_path

    directory.mkdir(parents=True, exist_ok=True)
    copy = Path(shutil.copy(warehouse, directory / warehouse.name))
    if journal_path(warehouse).exists():
        shutil.copy(journal_path(warehouse), journal_path(copy))
    return copy


# -- The county a data officer works on (the checks page) -------------------------------------

# May as FIRST has it, and P7 (未务工 in the roster) in the HR ledger: X04 fails P7 on two
# rows, side by side (the roster's and the HR ledger's), P8 on the roster's, P9 on the HR
# ledger's; X06 fails P9 alone.
OFFICER_MAY = Month(
    "2024-05",
    roster=ROSTER,
    employment=[
        (P[1], TUQIAO),
        (P[2], TUQIAO),
        (P[4], CHENGGUAN),
        (P[5], TUQIAO_2),
        (P[6], DIMIAO),
        (P[7], DIMIAO),
        (P[9], TUQIAO_2),
        (BAD_NAME_PERSON, DIMIAO),
    ],
    training=[(P[5], True), (P[6], True)],
    loans=[("XD-01", P[1], 80000, 0), ("XD-04", P[4], 80000, 0), ("XD-06", P[6], 80000, 100)],
)
# The HR bureau's corrected April: P8 was at work (X04 and X05 pass in April).
OFFICER_APRIL_FIX = Month(
    "2024-04",
    employment=[
        (P[1], TUQIAO),
        (P[2], TUQIAO),
        (P[4], CHENGGUAN),
        (P[5], TUQIAO_2),
        (P[6], DIMIAO),
        (P[8], CHENGGUAN),
    ],
)
# The HR bureau's corrected May: P9 is not theirs to list (X06 passes in May).
OFFICER_MAY_FIX = Month(
    "2024-05",
    employment=[(who, place) for who, place in OFFICER_MAY.employment if who is not P[9]],
)


def build_officer_warehouse(root: Path) -> Path:
    """The county a data officer works on, built as `python -m etl run` builds it, so its
    journal holds two validations: the first three months (May as OFFICER_MAY), then the
    HR bureau's corrected April (X04 and X05 turn green for April)."""
    from etl.cli import main

    first = root / "officer-first" / "inbox"
    write_county(first, [*FIRST[:2], OFFICER_MAY])
    write_xlsx(
        first / "低保名单" / "旬邑县2024年5月低保名单.xlsx",
        [["姓名", "身份证号"], ["王某", make_id()]],
    )
    correction = root / "officer-april" / "inbox"
    write_month(correction, OFFICER_APRIL_FIX)
    warehouse = root / "officer" / "xunyi.duckdb"
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        for inbox in (first, correction):
            status = main(["run", str(inbox.parent), "--warehouse", str(warehouse)])
            assert status in (0, 1), status  # 1: the file in a folder named for no source
    return warehouse


def write_officer_may_fix(path: Path) -> Path:
    """The corrected May HR ledger (OFFICER_MAY_FIX) as the clerk would send it: one file."""
    inbox = path.parent / "may-fix-inbox"
    write_month(inbox, OFFICER_MAY_FIX)
    written = inbox / "employment" / "employment_2024-05.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(written, path)
    return path


# -- The served app --------------------------------------------------------------------------


# -- Chromium ------------------------------------------------------------------------------


def require_chromium() -> None:
    """Skip without Debian's Chromium — except in CI (CI=true), where that is a failure."""
    if CHROMIUM.exists():
        return
    message = f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless Chromium browser (Playwright, sync API); see require_chromium."""
    require_chromium()
    with harness.chromium() as browser:
        yield browser
