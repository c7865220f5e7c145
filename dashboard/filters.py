"""Filters that live in the URL, so a shared link opens the same view.

The URL parameters are the contract's (spec/interfaces.md): `month` (YYYY-MM), `town` and
`village` (codes), `action` (number), `kpi` (code), `check` (id). The URL is the source of truth: each rerun
reads it, keeps a value only if it is one of the choices the data offers (anything else is
dropped with a note), and writes back the value in force. A selector's change is written
to the URL by its callback, before the rerun reads it.

Streamlit's own `bind="query-params"` is not used: it writes the option's *label* to the
URL (a township's name, which repeats across villages) and drops the parameter when the
value equals the default, so a link to "the latest month" would move with new data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

# Changing a filter clears the filters below it (a village belongs to one township).
# An indicator belongs to one action.
DEPENDENTS = {
    "town": ("village",),
    "action": ("kpi",),
    "month": (),
    "village": (),
    "kpi": (),
    "check": (),
}

ALL = ""  # the choice "no filter" (the whole county, every township's villages)


def _key(param: str) -> str:
    return f"filter_{param}"


def _to_url(param: str) -> None:
    value = st.session_state[_key(param)]
    if value in (None, ALL):
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = value
    for dependent in DEPENDENTS.get(param, ()):
        st.query_params.pop(dependent, None)


def url_value(param: str, choices: Sequence[str], default: str | None) -> str | None:
    """The URL's value of `param` when it is one of `choices`, else `default`.

    Writes the value in force back to the URL (dropping an invalid one, with a note).
    """
    wanted = st.query_params.get(param)
    if wanted is not None and wanted not in choices and wanted != ALL:
        st.caption(f":material/link_off: {param}={wanted} 在所选范围内没有数据，已改用默认值。")
        wanted = None
    value = wanted if wanted is not None else default
    if value in (None, ALL):
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != value:
        st.query_params[param] = value
    return value


def select(
    label: str,
    param: str,
    choices: Sequence[str],
    *,
    default: str | None,
    format_func: Callable[[str], str] = str,
    disabled: bool = False,
    help: str | None = None,
) -> str | None:
    """A selectbox bound to the URL parameter `param`; returns the value in force."""
    value = url_value(param, choices, default)
    if not choices:
        st.selectbox(label, ["（无）"], disabled=True, key=_key(param) + "_empty")
        return None
    # The URL wins over what the widget remembers (a link followed, a page switched).
    st.session_state[_key(param)] = value
    st.selectbox(
        label,
        list(choices),
        key=_key(param),
        format_func=format_func,
        on_change=_to_url,
        args=(param,),
        disabled=disabled,
        help=help,
    )
    return value


def current(params: Sequence[str]) -> dict[str, str]:
    """The URL parameters in force among `params` (for links that carry the filters)."""
    return {p: st.query_params[p] for p in params if st.query_params.get(p)}
