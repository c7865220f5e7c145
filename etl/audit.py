"""The audit trail: who did what, when and from where — appended, never rewritten.

One JSON object per line in `<warehouse>.audit.jsonl` beside the published warehouse
($XUNYI_AUDIT to put it elsewhere). It is its own file, appended under a lock and synced,
so a publish — which renames a new warehouse over the old one — cannot lose an entry.

Recorded: logins and failed logins, logouts, uploads, loads, accepted and withdrawn
exceptions, exports, account changes, and views of unmasked personal rows (the page and
its filters, never the rows). An entry never holds a 身份证号: every text is passed
through `scrub` before it is written, whatever the caller sent.
"""

from __future__ import annotations

import getpass
import json
import os
import re
from datetime import datetime
from pathlib import Path

from filelock import FileLock

AUDIT_ENV = "XUNYI_AUDIT"
AUDIT_SUFFIX = ".audit.jsonl"

# What people read for each kind of entry (the 管理员 page).
ACTIONS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "load": "加载台账",
    "upload": "上传台账",
    "exception_accepted": "记录例外",
    "exception_withdrawn": "撤销例外",
    "export": "下载导出",
    "view_personal": "查看未脱敏明细",
    "account": "账号变更",
    "pack": "生成季调度材料",
}

_ID_LIKE = re.compile(r"(\d{6})\d{8}(\d{3}[0-9Xx])")


def audit_path(warehouse: Path) -> Path:
    configured = os.environ.get(AUDIT_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return warehouse.with_name(warehouse.stem + AUDIT_SUFFIX)


def scrub(value):
    """`value` with every ID-shaped run of digits masked, in strings, lists and dicts."""
    if isinstance(value, str):
        return _ID_LIKE.sub(r"\1********\2", value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def record(
    warehouse: Path,
    action: str,
    who: str,
    *,
    what: str = "",
    source: str = "",
    role: str = "",
    details: dict | None = None,
) -> None:
    """Append one entry: `action` (a key of ACTIONS) by `who` from `source` (an address, or
    命令行), `what` in Chinese, `details` (page, filters, file …)."""
    if action not in ACTIONS:
        raise ValueError(f"not an audit action: {action}")
    entry = scrub(
        {
            "at": datetime.now().isoformat(timespec="seconds"),
            "who": who,
            "role": role,
            "action": action,
            "what": what,
            "from": source,
            "details": details or {},
        }
    )
    path = audit_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    with FileLock(str(path) + ".lock", timeout=30):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


def command_line_user() -> str:
    """Who runs a command on the server (for loads and uploads from the command line)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def entries(warehouse: Path) -> list[dict]:
    """Every entry, oldest first (a torn last line, from a crash mid-write, is skipped)."""
    path = audit_path(warehouse)
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            found.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return found
