"""Signing in: who is looking, for every page and every query (no page without a login).

`app.py` calls `signed_in()` before any page runs: the signed-in `Viewer`, or None — and
then `login_page()` shows the login form and stops. The data module asks `current()` for the viewer of this
session and scopes every query by its role (dashboard/data.py); it refuses to run without one.

Local accounts (etl/accounts.py) sign in with the form here. A session is a random token,
kept server-side as its SHA-256 in a small SQLite store beside the accounts file (so a
reload, a second tab or a second dashboard process behind the proxy finds it), and in the
browser as a cookie signed with the server's secret (itsdangerous) that expires after
$XUNYI_SESSION_HOURS (default 12). Idle for $XUNYI_IDLE_MINUTES (default 30), a session
ends; logging out ends it at once; a disabled account's sessions end at its next click.
Failed logins are slowed: after 3 failures of one account or one address within 15
minutes, each further try waits 2, 4, 8 … up to 30 seconds before it is checked.

With an OIDC provider configured in Streamlit's secrets ([auth], docs/security.md), a
button signs in through it (`st.login`); the provider's claims `xunyi_role` (a role code or
its Chinese title) and `xunyi_town` (a 9-digit township code, for 乡镇专员) decide the role.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from itsdangerous import BadSignature, TimestampSigner

from etl import accounts, audit
from etl.accounts import ROLES, Account, Role

COOKIE = "xunyi_session"
IDLE_ENV = "XUNYI_IDLE_MINUTES"
LIFETIME_ENV = "XUNYI_SESSION_HOURS"
FREE_TRIES = 3
WINDOW_SECONDS = 15 * 60
MAX_DELAY_SECONDS = 30
TOUCH_SECONDS = 30  # last_seen is written at most this often

_TOKEN = "_session_token"
_VIEWER = "_viewer"
_COOKIE_TODO = "_cookie_todo"


@dataclass(frozen=True)
class Viewer:
    username: str
    display_name: str
    role: str  # a code of etl.accounts.ROLES
    town: str | None  # a 乡镇专员's township (9-digit code)
    address: str  # where the browser is (for the audit trail)

    @property
    def spec(self) -> Role:
        return ROLES[self.role]

    @property
    def title(self) -> str:
        return ROLES[self.role].title


def _minutes(env: str, default: float) -> float:
    text = os.environ.get(env, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = default
    return value if value > 0 else default


def idle_seconds() -> float:
    return _minutes(IDLE_ENV, 30) * 60


def lifetime_seconds() -> float:
    return _minutes(LIFETIME_ENV, 12) * 3600


# -- The session store ---------------------------------------------------------------------


def store_path() -> Path:
    return accounts.accounts_path().with_name("sessions.sqlite")


def _store() -> sqlite3.Connection:
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, timeout=10, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(
        "CREATE TABLE IF NOT EXISTS sessions (token_hash TEXT PRIMARY KEY, username TEXT NOT NULL,"
        " created REAL NOT NULL, last_seen REAL NOT NULL, ended REAL, address TEXT)"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS failures (username TEXT, address TEXT, at REAL NOT NULL)"
    )
    os.chmod(path, 0o600)
    return con


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(account: Account, address: str) -> str:
    """A new session for `account`: its token (kept by the browser, hashed here)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with closing(_store()) as con:
        con.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?, NULL, ?)",
            (_hash(token), account.username, now, now, address),
        )
    return token


def resume(token: str) -> Account | None:
    """The account of a live session, touching it; None when it ended, idled out, outlived
    its lifetime, or its account is gone or disabled (the session then ends)."""
    now = time.time()
    with closing(_store()) as con:
        row = con.execute(
            "SELECT username, created, last_seen, ended FROM sessions WHERE token_hash = ?",
            (_hash(token),),
        ).fetchone()
        if row is None or row[3] is not None:
            return None
        username, created, last_seen, _ = row
        account = accounts.read_accounts().get(username)
        alive = now - last_seen <= idle_seconds() and now - created <= lifetime_seconds()
        if not alive or account is None or account.disabled:
            con.execute("UPDATE sessions SET ended = ? WHERE token_hash = ?", (now, _hash(token)))
            return None
        if now - last_seen >= TOUCH_SECONDS:
            con.execute(
                "UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, _hash(token))
            )
    return account


def end_session(token: str) -> None:
    with closing(_store()) as con:
        con.execute(
            "UPDATE sessions SET ended = ? WHERE token_hash = ? AND ended IS NULL",
            (time.time(), _hash(token)),
        )


def recent_failures(username: str, address: str) -> int:
    since = time.time() - WINDOW_SECONDS
    with closing(_store()) as con:
        (by_user,) = con.execute(
            "SELECT count(*) FROM failures WHERE username = ? AND at > ?", (username, since)
        ).fetchone()
        (by_address,) = con.execute(
            "SELECT count(*) FROM failures WHERE address = ? AND at > ?", (address, since)
        ).fetchone()
    return max(by_user, by_address)


def delay_for(failures: int) -> float:
    """How long a try waits after `failures` recent failures: 0, then 2, 4, 8 … ≤ 30 s."""
    if failures < FREE_TRIES:
        return 0.0
    return float(min(2 ** (failures - FREE_TRIES + 1), MAX_DELAY_SECONDS))


def _record_failure(username: str, address: str) -> None:
    with closing(_store()) as con:
        con.execute("INSERT INTO failures VALUES (?, ?, ?)", (username, address, time.time()))


def _clear_failures(username: str) -> None:
    with closing(_store()) as con:
        con.execute("DELETE FROM failures WHERE username = ?", (username,))


def log_in(username: str, password: str, address: str) -> tuple[Account | None, str]:
    """Check a login as the form does (slowed after failures, audited): the account and
    its session token, or None and the message to show."""
    from dashboard.data import warehouse_path

    time.sleep(delay_for(recent_failures(username, address)))
    account = accounts.verify(username, password)
    if account is None:
        _record_failure(username, address)
        audit.record(
            warehouse_path(), "login_failed", username, what="账号或密码不正确", source=address
        )
        return None, "账号或密码不正确，或账号已停用。"
    _clear_failures(username)
    audit.record(
        warehouse_path(), "login", username, role=account.role, what="登录", source=address
    )
    return account, start_session(account, address)


# -- The browser's cookie --------------------------------------------------------------------


def _secret() -> bytes:
    """The server's cookie secret: a file beside the accounts, made once (mode 0600)."""
    path = accounts.accounts_path().with_name("cookie_secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def signed(token: str) -> str:
    return TimestampSigner(_secret(), salt="xunyi-session").sign(token).decode()


def unsigned(cookie: str) -> str | None:
    try:
        value = TimestampSigner(_secret(), salt="xunyi-session").unsign(
            cookie, max_age=lifetime_seconds()
        )
    except BadSignature:
        return None
    return value.decode()


def _cookie_script() -> None:
    """Set or clear the session cookie in the browser, once, after a login or logout."""
    todo = st.session_state.pop(_COOKIE_TODO, None)
    if todo is None:
        return
    if todo == "":
        value, age = "", 0
    else:
        value, age = todo, int(lifetime_seconds())
    url = st.context.url
    secure = "; Secure" if isinstance(url, str) and url.startswith("https") else ""
    st.html(
        f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={age}; "
        f"SameSite=Strict{secure}';</script>",
        unsafe_allow_javascript=True,
    )


# -- Who is looking --------------------------------------------------------------------------


def _address() -> str:
    address = st.context.ip_address  # None on loopback; not a string under AppTest
    if os.environ.get("XUNYI_BEHIND_PROXY") == "1":  # dashboard/proxy.py: loopback only
        forwarded = st.context.headers.get("X-Real-Ip")
        address = forwarded if forwarded and forwarded != "127.0.0.1" else None
    return address if isinstance(address, str) and address else "本机"


def _viewer_of(account: Account) -> Viewer:
    return Viewer(account.username, account.display_name, account.role, account.town, _address())


def current() -> Viewer | None:
    """This session's viewer, or None before a login."""
    return st.session_state.get(_VIEWER)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:
        return False


def _oidc_viewer() -> Viewer | None:
    if not _oidc_configured() or not st.user.is_logged_in:
        return None
    claims = st.user.to_dict()
    try:
        role = accounts.role_code(str(claims.get("xunyi_role", "")))
    except accounts.AccountError:
        st.error("您的统一身份认证账号未分配本平台的角色（xunyi_role），请联系管理员。")
        st.stop()
    town = claims.get("xunyi_town") or None
    username = str(claims.get("email") or claims.get("sub"))
    return Viewer(username, str(claims.get("name") or username), role, town, _address())


def signed_in() -> Viewer | None:
    """This session's viewer — from its session, its browser's cookie (after a reload), or
    the OIDC provider — or None (a session that ended or idled out is forgotten)."""
    _cookie_script()
    token = st.session_state.get(_TOKEN)
    if token is None:
        token = unsigned(st.context.cookies.get(COOKIE, "") or "")
    account = resume(token) if token else None
    if account is not None:
        st.session_state[_TOKEN] = token
        st.session_state[_VIEWER] = _viewer_of(account)
        return st.session_state[_VIEWER]
    oidc = _oidc_viewer()
    if oidc is not None:
        st.session_state[_VIEWER] = oidc
        return oidc
    if st.session_state.pop(_VIEWER, None) is not None:
        st.session_state.pop(_TOKEN, None)
        st.session_state[_COOKIE_TODO] = ""
        st.session_state["_ended"] = True
    return None


def login_page() -> None:
    """The login form and nothing else; then stop."""
    if st.session_state.pop("_ended", False):
        st.info(
            "您已退出，或长时间未操作、账号状态已变更，请重新登录。", icon=":material/lock_clock:"
        )
    _login_form()
    st.stop()


def _login_form() -> None:
    _, middle, _ = st.columns([1, 1.2, 1])
    with middle:
        st.subheader("旬邑县乡村振兴数据平台")
        st.caption("请登录后查看。页面、数据和下载均需登录。")
        with st.form("login", border=True):
            username = st.text_input("账号", key="login_username")
            password = st.text_input("密码", type="password", key="login_password")
            submitted = st.form_submit_button("登录", type="primary", width="stretch")
        if submitted:
            account, result = log_in(username.strip(), password, _address())
            if account is None:
                st.error(result, icon=":material/lock:")
            else:
                st.session_state[_TOKEN] = result
                st.session_state[_VIEWER] = _viewer_of(account)
                st.session_state[_COOKIE_TODO] = signed(result)
                st.rerun()
        if _oidc_configured():
            st.divider()
            if st.button("使用统一身份认证登录", width="stretch", key="login_oidc"):
                st.login()


def account_box(viewer: Viewer) -> None:
    """Who is signed in, and the logout button (in the sidebar)."""
    from dashboard.data import warehouse_path

    with st.sidebar:
        town = ""
        if viewer.town:
            from etl.gazetteer import gazetteer

            town = f" · {gazetteer().towns[viewer.town].name}"
        st.markdown(f"**{viewer.display_name}**  \n{viewer.title}{town}")
        if st.button("退出登录", icon=":material/logout:", key="logout"):
            token = st.session_state.pop(_TOKEN, None)
            if token:
                end_session(token)
            audit.record(
                warehouse_path(),
                "logout",
                viewer.username,
                role=viewer.role,
                what="退出登录",
                source=viewer.address,
            )
            st.session_state.pop(_VIEWER, None)
            st.session_state[_COOKIE_TODO] = ""
            if _oidc_configured() and st.user.is_logged_in:
                st.logout()
            st.rerun()


# -- Accounts, for the 管理员 page ----------------------------------------------------------


def _administrator() -> Viewer:
    viewer = current()
    if viewer is None or not viewer.spec.administers:
        raise PermissionError("只有管理员可以管理账号")
    return viewer


def manage(action: str, username: str, **fields) -> str:
    """Add, disable, enable or reset an account as the signed-in 管理员 (etl.accounts.manage,
    audited). Returns what to tell the administrator (a new password, shown once)."""
    from dashboard.data import warehouse_path

    viewer = _administrator()
    said = accounts.manage(
        action,
        username,
        warehouse=warehouse_path(),
        by=viewer.username,
        by_role=viewer.role,
        source=viewer.address,
        **fields,
    )
    return said + ("（只显示这一次）" if action in ("add", "reset") else "")


def account_rows() -> list[dict]:
    """Every account as the 管理员 page lists it (no hashes)."""
    _administrator()
    from etl.gazetteer import gazetteer

    towns = gazetteer().towns
    return [
        {
            "账号": a.username,
            "姓名": a.display_name,
            "角色": a.role_title,
            "镇（街道）": towns[a.town].name if a.town in towns else "",
            "状态": "已停用" if a.disabled else "正常",
            "演示账号": "是" if a.demo else "",
            "创建时间": a.created_at,
        }
        for a in accounts.read_accounts().values()
    ]
