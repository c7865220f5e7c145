"""Resident ID numbers (居民身份证号码, GB 11643-1999) as the generator needs them.

Valid numbers for the population, their 15-digit pre-1999 form, and the near misses a
clerk types (a wrong check digit, a dropped digit, an impossible birth date). Written from
the standard, independently of the loader's own validation.
"""

from __future__ import annotations

import datetime as dt
import random

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

XUNYI = "610429"
# Where spouses married into the county, or people registered before moving, come from:
# neighbouring counties of Xianyang and Tongchuan, and Ningxian/Zhengning across the
# border in Gansu.
OTHER_REGIONS = ("610428", "610482", "610481", "610402", "610203", "621022", "621025")


def check_digit(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def make_id(region: str, birth: dt.date, seq: int) -> str:
    """``seq`` is the 3-digit order code; odd for men, even for women (the standard)."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def birth_of(id18: str) -> dt.date:
    return dt.date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))


def is_valid(id18: str) -> bool:
    return len(id18) == 18 and check_digit(id18[:17]) == id18[17]


def old_15(id18: str) -> str | None:
    """The pre-1999 15-digit form (no century, no check digit), for people born 19xx."""
    if id18[6:8] != "19":
        return None
    return id18[:6] + id18[8:17]


def wrong_check_digit(id18: str, rng: random.Random) -> str:
    """Same number, another check character: a typo the checksum catches."""
    right = id18[17]
    choices = [c for c in "0123456789X" if c != right]
    return id18[:17] + rng.choice(choices)


def impossible_birth_date(id18: str, rng: random.Random) -> str:
    """Same region and order code, a birth date no calendar has (31 February, month 13).
    The check digit is recomputed, so only the date is wrong."""
    year = id18[6:10]
    bad = rng.choice(["0230", "0231", "1301", "0432", "0000", "1131"])
    body = id18[:6] + year + bad + id18[14:17]
    return body + check_digit(body)
