"""管理 — accounts and the audit trail, for 管理员 only (the navigation lists this page for
them alone, and every call below checks the role again)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import auth, ui
from etl import accounts
from etl.gazetteer import gazetteer

viewer = auth.current()
if viewer is None or not viewer.spec.administers:
    st.error("只有管理员可以打开这个页面。", icon=":material/lock:")
    st.stop()
warehouse = ui.require_warehouse()

st.title("管理：账号与操作记录")
said = st.session_state.pop("admin_said", None)
if said:
    st.success(said, icon=":material/check_circle:")

st.header("账号", divider="gray")
rows = auth.account_rows()
st.dataframe(pl.DataFrame(rows) if rows else pl.DataFrame(), hide_index=True)

towns = {code: t.name for code, t in gazetteer().towns.items()}
left, right = st.columns(2)
with left, st.form("add_account", border=True):
    st.markdown("**新建账号**（初始密码自动生成，只显示一次）")
    username = st.text_input("账号", max_chars=32, key="add_username")
    name = st.text_input("姓名", max_chars=50, key="add_name")
    role = st.selectbox(
        "角色", list(accounts.ROLES), format_func=lambda r: accounts.ROLES[r].title, key="add_role"
    )
    town = st.selectbox(
        "镇（街道）（乡镇专员必填）", ["", *towns], format_func=lambda c: towns.get(c, "—"),
        key="add_town",
    )  # fmt: skip
    if st.form_submit_button("新建", type="primary", key="add_submit"):
        try:
            st.session_state["admin_said"] = auth.manage(
                "add", username.strip(), role=role, display_name=name.strip(), town=town or None
            )
            st.rerun()
        except accounts.AccountError as e:
            st.error(str(e), icon=":material/error:")
with right, st.form("change_account", border=True):
    st.markdown("**停用、启用账号或重置密码**")
    names = [r["账号"] for r in rows]
    chosen = st.selectbox("账号", names, key="change_username")
    action = st.radio(
        "操作",
        ["disable", "enable", "reset"],
        format_func={"disable": "停用", "enable": "启用", "reset": "重置密码"}.get,
        horizontal=True,
        key="change_action",
    )
    if st.form_submit_button("执行", key="change_submit") and chosen:
        try:
            st.session_state["admin_said"] = auth.manage(action, chosen)
            st.rerun()
        except accounts.AccountError as e:
            st.error(str(e), icon=":material/error:")

st.header("操作记录", divider="gray")
st.caption(
    "登录、登录失败、上传、加载、例外、下载与查看未脱敏明细的记录（谁、何时、做了什么、来自哪里），"
    "最新的在前。记录中不含身份证号。"
)
ui.table(warehouse.audit_entries(), file_name="操作记录.xlsx", key="download_audit")
