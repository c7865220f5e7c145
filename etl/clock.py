"""Today's date, from one place: the checks with deadlines and the loader ask here.

`XUNYI_TODAY=YYYY-MM-DD` fixes the date (tests, a re-run "as of" a past day); otherwise it is
the date in Beijing.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

TODAY_ENV = "XUNYI_TODAY"
BEIJING = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    fixed = os.environ.get(TODAY_ENV)
    if fixed:
        return dt.date.fromisoformat(fixed)
    return dt.datetime.now(BEIJING).date()
