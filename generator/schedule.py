"""Which files each source sends in the plan year, and for which period.

Monthly sources send one file a month, March to December (the plan's months); the
drinking-water survey only in its rounds' months (April, October) and the month after
each, when the villages surveyed late are reported; quarterly `income` one per quarter
(the first quarter's file serves March); the yearly `water_points` one for the year.

A file's ``index`` is the month (0 = March … 9 = December) whose state its ledger shows:
a quarter's last month, March for the yearly list. Ledger functions take that index.
"""

from __future__ import annotations

from dataclasses import dataclass

from .sources import SOURCES

FIRST_MONTH = 3  # the plan runs March to December
N_PERIODS = 10
# The door-to-door drinking-water survey's rounds (month numbers) and the months after
# them, whose files carry the villages surveyed late.
SURVEY_ROUNDS = (4, 10)
SURVEY_MONTHS = (4, 5, 10, 11)
_QUARTER_WORDS = "一二三四"


@dataclass(frozen=True)
class FilePeriod:
    period: str  # 2024-06 | 2024-Q2 | 2024-01
    kind: str  # month | quarter | year
    index: int  # the month (0 = March) whose state the ledger shows
    month: int  # the calendar month the period ends in (a quarter's last month)

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1


def file_periods(source: str, year: int) -> list[FilePeriod]:
    frequency = SOURCES[source].frequency
    if frequency == "yearly":
        return [FilePeriod(f"{year}-01", "year", 0, 1)]
    if frequency == "quarterly":
        return [
            FilePeriod(f"{year}-Q{q}", "quarter", 3 * q - FIRST_MONTH, 3 * q) for q in range(1, 5)
        ]
    months = SURVEY_MONTHS if source == "water_survey" else range(FIRST_MONTH, 13)
    return [FilePeriod(f"{year}-{m:02d}", "month", m - FIRST_MONTH, m) for m in months]


def period_text(year: int, month: int, form: str) -> str:
    """A period as a clerk writes it in a file name."""
    quarter = (month - 1) // 3 + 1
    return {
        "dash": f"{year}-{month:02d}",
        "compact": f"{year}{month:02d}",
        "cn": f"{year}年{month}月",
        "cn0": f"{year}年{month:02d}月",
        "q_dash": f"{year}-Q{quarter}",
        "q_cn": f"{year}年第{_QUARTER_WORDS[quarter - 1]}季度",
        "q_cn_digit": f"{year}年第{quarter}季度",
        "year_cn": f"{year}年",
        "year": f"{year}",
    }[form]


PERIOD_FORMS = {
    "month": ("dash", "compact", "cn", "cn0"),
    "quarter": ("q_dash", "q_cn", "q_cn_digit"),
    "year": ("year_cn", "year", "dash"),
}


def quarter_of_index(index: int) -> int:
    """The calendar quarter (1–4) a month index falls in."""
    return (FIRST_MONTH + index - 1) // 3 + 1
