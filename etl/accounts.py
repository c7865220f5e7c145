"""Who may sign in, and as what: the local accounts file and the five roles.

The roles are declared once, here (`ROLES`): what each may see and do. The dashboard's data
module turns a role into query parameters (dashboard/data.py, `Scope`); pages never decide
on their own who sees what.

Accounts live in a TOML file outside the repository: $XUNYI_ACCOUNTS, else
data/accounts.toml (ignored by git). Passwords are kept only as Argon2id hashes
(argon2-cffi: salted, slow, memory-hard); the file is written atomically with mode 0600.
`python -m etl users add|disable|enable|reset|list` manages it, as does the 管理员 page.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import tempfile
import tomllib
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from filelock import FileLock

from etl.settings import REPO_ROOT

ACCOUNTS_ENV = "XUNYI_ACCOUNTS"
MIN_PASSWORD = 8
USERNAME = re.compile(r"[A-Za-z0-9_.-]{2,32}")


@dataclass(frozen=True)
class Role:
    code: str
    title: str  # Chinese, as people read it
    # which personal rows (a person's ID, name, failing ledger rows, quarantined cells):
    # none | masked (all townships) | own_town (own township, unmasked) | all (unmasked)
    personal: str
    downloads_rows: bool  # may download personal rows (masked as on screen)
    uploads: bool  # may upload corrected extracts and record exceptions
    administers: bool  # may manage accounts and read the audit trail
    needs_town: bool = False


ROLES: dict[str, Role] = {
    r.code: r
    for r in (
        Role("leader", "领导", "none", downloads_rows=False, uploads=False, administers=False),
        Role("analyst", "分析员", "masked", downloads_rows=True, uploads=False, administers=False),
        Role(
            "town_officer",
            "乡镇专员",
            "own_town",
            downloads_rows=True,
            uploads=False,
            administers=False,
            needs_town=True,
        ),
        Role(
            "data_officer", "数据专员", "all", downloads_rows=True, uploads=True, administers=False
        ),
        Role("admin", "管理员", "masked", downloads_rows=False, uploads=False, administers=True),
    )
}


def role_code(text: str) -> str:
    """A role's code from its code or its Chinese title (`领导` → `leader`)."""
    for role in ROLES.values():
        if text in (role.code, role.title):
            return role.code
    names = "、".join(f"{r.title}（{r.code}）" for r in ROLES.values())
    raise AccountError(f"没有这个角色：{text}；可选：{names}")


class AccountError(Exception):
    """A request about accounts that cannot be done, said in Chinese."""


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str  # a code of ROLES
    town: str | None  # 9-digit township code: a 乡镇专员's township
    password_hash: str
    disabled: bool = False
    created_at: str = ""
    demo: bool = False  # made by `make run` for trying the roles: not for real use

    @property
    def role_title(self) -> str:
        return ROLES[self.role].title


def accounts_path() -> Path:
    configured = os.environ.get(ACCOUNTS_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return REPO_ROOT / "data" / "accounts.toml"


_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


# Verifying against this when the user does not exist costs the same as a real check, so
# the time taken does not tell a stranger which usernames exist.
@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def read_accounts(path: Path | None = None) -> dict[str, Account]:
    path = path or accounts_path()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise AccountError(f"账号文件 {path} 无法读取：{e}") from None
    accounts = {}
    for username, fields in data.get("users", {}).items():
        accounts[username] = Account(
            username=username,
            display_name=fields.get("display_name", username),
            role=fields["role"],
            town=fields.get("town") or None,
            password_hash=fields["password_hash"],
            disabled=bool(fields.get("disabled", False)),
            created_at=fields.get("created_at", ""),
            demo=bool(fields.get("demo", False)),
        )
    return accounts


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _write_accounts(accounts: dict[str, Account], path: Path) -> None:
    lines = [
        "# 旬邑县乡村振兴数据平台的本地账号（python -m etl users …）。",
        "# Passwords are Argon2id hashes; keep this file outside the repository, mode 0600.",
        "",
    ]
    for account in sorted(accounts.values(), key=lambda a: a.username):
        lines.append(f"[users.{_toml_string(account.username)}]")
        for key, value in asdict(account).items():
            if key == "username" or value is None:
                continue
            shown = str(value).lower() if isinstance(value, bool) else _toml_string(str(value))
            lines.append(f"{key} = {shown}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".accounts-", suffix=".toml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("\n".join(lines))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _changing(path: Path | None):
    path = path or accounts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, FileLock(str(path) + ".lock", timeout=30)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位")


def add_user(
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    town: str | None = None,
    demo: bool = False,
    path: Path | None = None,
) -> Account:
    from etl.gazetteer import gazetteer

    if not USERNAME.fullmatch(username):
        raise AccountError("账号只能由 2–32 位字母、数字、点、下划线或连字符组成")
    code = role_code(role)
    if ROLES[code].needs_town:
        if town not in gazetteer().towns:
            raise AccountError(f"乡镇专员须指定所在乡镇的 9 位代码，收到 {town or '（空）'}")
    else:
        town = None
    _check_password(password)
    path, lock = _changing(path)
    with lock:
        accounts = read_accounts(path)
        if username in accounts:
            raise AccountError(f"账号 {username} 已存在")
        account = Account(
            username=username,
            display_name=display_name or username,
            role=code,
            town=town,
            password_hash=_hasher.hash(password),
            created_at=datetime.now().isoformat(timespec="seconds"),
            demo=demo,
        )
        accounts[username] = account
        _write_accounts(accounts, path)
    return account


def _update(username: str, path: Path | None, **changes) -> Account:
    path, lock = _changing(path)
    with lock:
        accounts = read_accounts(path)
        if username not in accounts:
            raise AccountError(f"没有账号 {username}")
        accounts[username] = replace(accounts[username], **changes)
        _write_accounts(accounts, path)
    return accounts[username]


def set_disabled(username: str, disabled: bool, path: Path | None = None) -> Account:
    return _update(username, path, disabled=disabled)


def reset_password(username: str, password: str, path: Path | None = None) -> Account:
    _check_password(password)
    return _update(username, path, password_hash=_hasher.hash(password))


def verify(username: str, password: str, path: Path | None = None) -> Account | None:
    """The account when the password is right and the account is enabled, else None (in
    about the same time whether or not the username exists)."""
    account = read_accounts(path).get(username)
    try:
        _hasher.verify(account.password_hash if account else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or account.disabled:
        return None
    return account


def manage(
    action: str,
    username: str,
    *,
    warehouse: Path,
    by: str,
    by_role: str = "",
    source: str,
    path: Path | None = None,
    **fields,
) -> str:
    """Add an account (`fields`: role, display_name, town), disable or enable one, or reset
    its password — for the command line and the 管理员 page alike — and write it to the
    audit trail beside `warehouse` as done by `by` (a `by_role`) from `source`. Returns what to tell the
    one who asked; a new password appears there, once, and nowhere else."""
    from etl import audit

    if action == "add":
        password = new_password()
        made = add_user(username, password, path=path, **fields)
        said = f"已新建账号 {made.username}（{made.role_title}），初始密码：{password}"
        what = f"新建账号 {made.username}（{made.role_title}）"
    elif action == "reset":
        password = new_password()
        reset_password(username, password, path)
        said = f"账号 {username} 的新密码：{password}"
        what = f"重置密码 {username}"
    elif action in ("disable", "enable"):
        set_disabled(username, action == "disable", path)
        what = f"{'停用' if action == 'disable' else '启用'}账号 {username}"
        said = f"已{what}"
    else:
        raise ValueError(action)
    audit.record(warehouse, "account", by, role=by_role, what=what, source=source)
    return said


def new_password() -> str:
    """A password for a new account, given to its holder once (14 characters)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(14))


# `make run`'s accounts for trying each role on the demo county (marked demo = true).
DEMO_ACCOUNTS = (
    ("demo-leader", "leader", "演示·领导", None),
    ("demo-analyst", "analyst", "演示·分析员", None),
    ("demo-town", "town_officer", "演示·乡镇专员（土桥镇）", "610429101"),
    ("demo-officer", "data_officer", "演示·数据专员", None),
    ("demo-admin", "admin", "演示·管理员", None),
)


def demo_password(username: str) -> str:
    return "xunyi-demo-" + username.removeprefix("demo-")


def ensure_demo_accounts(path: Path | None = None) -> list[Account]:
    """The demo accounts, made where missing (an existing one is left as it is)."""
    existing = read_accounts(path)
    made = []
    for username, role, name, town in DEMO_ACCOUNTS:
        if username not in existing:
            add_user(
                username, demo_password(username), role, display_name=name, town=town,
                demo=True, path=path,
            )  # fmt: skip
    accounts = read_accounts(path)
    made = [accounts[u] for u, *_ in DEMO_ACCOUNTS]
    return made
