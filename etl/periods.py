"""Reporting periods: read from a file name or a 统计月份 cell (docs/contract-readings.md).

A period is text: a month `2024-06`, or a quarter `2024-Q2` for quarterly sources.
"""

from __future__ import annotations

import re
import unicodedata

_CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4}

# Each pattern yields (year, month) or (year, quarter); digits never come out of a longer
# run of digits, and a month followed by a day (2024-06-25) is a date, not a period.
_PATTERNS = [
    ("quarter", re.compile(r"(?<!\d)(20\d\d)\s*年\s*第\s*([1-4一二三四])\s*季度?")),
    ("quarter", re.compile(r"(?<!\d)(20\d\d)\s*[-_ ]?\s*[Qq]\s*([1-4])(?!\d)")),
    ("month", re.compile(r"(?<!\d)(20\d\d)\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)")),
    ("month", re.compile(r"(?<!\d)(20\d\d)[-/.](\d{1,2})(?![\d])(?![-/.]\d)")),
    ("month", re.compile(r"(?<!\d)(20\d\d)(\d\d)(?!\d)")),
]
_YEAR_ONLY = re.compile(r"(?<!\d)(20\d\d)\s*年?(?!\d)")


def _month(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None


def find_periods(text: str) -> list[tuple[str, str]]:
    """Every (kind, period) written in `text`, in order, without repeats."""
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            year, part = int(m.group(1)), m.group(2)
            if kind == "quarter":
                q = _CN_QUARTER.get(part) or int(part)
                period = f"{year:04d}-Q{q}"
            else:
                period = _month(year, int(part))
                if period is None:
                    continue
            taken.append((m.start(), m.end()))
            if (kind, period) not in found:
                found.append((kind, period))
    return found


def quarter_of(month: str) -> str:
    year, mm = month.split("-")
    return f"{year}-Q{(int(mm) - 1) // 3 + 1}"


def period_for(frequency: str, text: str) -> tuple[str | None, str | None]:
    """The period of a `frequency` source written in `text`, or (None, why not) in Chinese."""
    found = find_periods(text)
    if frequency == "quarterly":
        periods = {p if k == "quarter" else quarter_of(p) for k, p in found}
    elif frequency == "yearly":
        periods = {p[:4] + "-01" for _, p in found}
        if not periods:
            periods = {
                f"{m.group(1)}-01" for m in _YEAR_ONLY.finditer(unicodedata.normalize("NFKC", text))
            }
    else:
        periods = {p for k, p in found if k == "month"}
        if not periods and found:
            return None, "这是月报，但只写了季度，没有月份"
    if len(periods) > 1:
        return None, "写了多个不同的期间：" + "、".join(sorted(periods))
    if not periods:
        return None, "没有写明统计月份"
    return periods.pop(), None
