"""系统设置 (admin) — targets, thresholds and limits (dashboard.config.DEFAULTS), manual calendar days."""

from dashboard.ui import page_setup

scope = page_setup("settings", roles={"admin"}, needs_scope=False)

from datetime import date  # noqa: E402

import streamlit as st  # noqa: E402

from dashboard import admin, config  # noqa: E402
from dashboard.domain import workdays  # noqa: E402
from dashboard.ui import current_user, data_table, get_store, t  # noqa: E402
from dashboard.ui.i18n import catalog, current_lang  # noqa: E402

store = get_store()
user = current_user()


def setting_label(key: str) -> str:
    k = f"admin.setting_names.{key.replace('.', '_')}"
    return t(k) if k in catalog(current_lang()) else key


st.title(t("common.page.settings"))

# -- settings --------------------------------------------------------------------------------------
st.subheader(t("admin.settings.title"))
frame = admin.settings_frame(store)
shown = frame.assign(name=frame["key"].map(setting_label))[
    ["name", "key", "value", "default", "updated_at", "updated_by"]
]
shown = shown.astype({"value": str, "default": str})
data_table(
    shown.rename(
        columns={
            "name": t("admin.settings.col.name"),
            "key": t("admin.settings.col.key"),
            "value": t("admin.settings.col.value"),
            "default": t("admin.settings.col.default"),
            "updated_at": t("admin.settings.col.updated_at"),
            "updated_by": t("admin.settings.col.updated_by"),
        }
    ),
    key="settings_table",
    download_basename=t("admin.settings.basename"),
)

with st.form("setting_edit"):
    key = st.selectbox(
        t("admin.settings.col.name"),
        list(config.DEFAULTS),
        format_func=lambda k: f"{setting_label(k)}（{k}）",
        key="setting_key",
    )
    text = st.text_input(
        t("admin.settings.new_value"), key="setting_value", help=t("admin.settings.value_help")
    )
    c1, c2 = st.columns(2)
    save = c1.form_submit_button(t("admin.settings.save"), type="primary", icon=":material/save:")
    reset = c2.form_submit_button(t("admin.settings.reset"), icon=":material/restart_alt:")
if save:
    try:
        value = admin.parse_setting(key, text)
        config.set_setting(store, key, value, user.username)
    except (ValueError, KeyError) as exc:
        st.error(str(exc).strip("'\""), icon=":material/error:")
    else:
        st.cache_data.clear()
        st.success(t("admin.settings.saved", name=setting_label(key), value=value))
if reset:
    admin.reset_setting(store, key, user.username)
    st.cache_data.clear()
    st.success(t("admin.settings.was_reset", name=setting_label(key), value=config.DEFAULTS[key]))

# -- calendar overrides ----------------------------------------------------------------------------
st.subheader(t("admin.calendar.title"))
years = workdays.fallback_years(date.today().year - 1, workdays.CALENDAR_END.year)
if years:
    st.info(
        t("admin.calendar.fallback", years="、".join(str(y) for y in years)),
        icon=":material/event_busy:",
    )
overrides = admin.calendar_overrides(store)
data_table(
    overrides.rename(
        columns={
            "day": t("admin.calendar.col.day"),
            "is_workday": t("admin.calendar.col.is_workday"),
            "note": t("admin.calendar.col.note"),
        }
    ),
    key="calendar_table",
    download_basename=t("admin.calendar.basename"),
)
with st.form("calendar_edit"):
    c1, c2, c3 = st.columns([1, 1, 2])
    day = c1.date_input(
        t("admin.calendar.col.day"),
        value=date.today(),
        min_value=workdays.CALENDAR_START,
        max_value=workdays.CALENDAR_END,
        format="YYYY-MM-DD",
        key="cal_day",
    )
    kind = c2.radio(
        t("admin.calendar.col.is_workday"),
        [True, False],
        format_func=lambda w: t("admin.calendar.workday") if w else t("admin.calendar.holiday"),
        key="cal_kind",
        horizontal=True,
    )
    note = c3.text_input(t("admin.calendar.col.note"), key="cal_note")
    b1, b2 = st.columns(2)
    add = b1.form_submit_button(
        t("admin.calendar.save"), type="primary", icon=":material/event_available:"
    )
    remove = b2.form_submit_button(t("admin.calendar.delete"), icon=":material/delete:")
if add:
    with st.spinner(t("admin.calendar.working")):
        admin.set_calendar_override(store, day, kind, note.strip() or None, actor=user.username)
    st.cache_data.clear()
    st.toast(t("admin.calendar.saved", day=day.isoformat()), icon=":material/check_circle:")
    st.rerun()
if remove:
    with st.spinner(t("admin.calendar.working")):
        found = admin.delete_calendar_override(store, day, actor=user.username)
    if found:
        st.cache_data.clear()
        st.toast(t("admin.calendar.deleted", day=day.isoformat()), icon=":material/check_circle:")
        st.rerun()
    else:
        st.warning(t("admin.calendar.not_found", day=day.isoformat()))
