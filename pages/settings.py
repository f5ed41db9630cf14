"""系统设置 (admin) — targets, thresholds and limits (declared in dashboard.config.SETTINGS with their help and
range), manual calendar days (the notice's days for a provisional year)."""

from dashboard.ui import page_setup

scope = page_setup("settings", roles={"admin"}, needs_scope=False)

from datetime import date  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard import config  # noqa: E402
from dashboard.domain import workdays  # noqa: E402
from dashboard.store import calendar as store_calendar  # noqa: E402
from dashboard.store import settings_view  # noqa: E402
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
frame = settings_view.settings_frame(store)
shown = frame.assign(name=frame["key"].map(setting_label))[
    ["name", "value_shown", "default_shown", "range", "help", "updated_at", "updated_by"]
]
data_table(
    shown.rename(
        columns={
            "name": t("admin.settings.col.name"),
            "value_shown": t("admin.settings.col.value"),
            "default_shown": t("admin.settings.col.default"),
            "range": t("admin.settings.col.range"),
            "help": t("admin.settings.col.help"),
            "updated_at": t("admin.settings.col.updated_at"),
            "updated_by": t("admin.settings.col.updated_by"),
        }
    ),
    key="settings_table",
    download_basename=t("admin.settings.basename"),
)

# The choice stays outside the form so that its help and range show as soon as it is picked.
key = st.selectbox(
    t("admin.settings.col.name"),
    [s.key for s in config.SETTINGS],
    format_func=setting_label,
    key="setting_key",
)
spec = config.setting_spec(key)
st.caption(
    t(
        "admin.settings.selected",
        help=spec.help,
        range=spec.range_text(),
        value=spec.display(config.get_setting(store, key)),
        default=spec.display(spec.default),
    )
)
with st.form("setting_edit"):
    text = st.text_input(
        t("admin.settings.new_value"),
        key="setting_value",
        help=t("admin.settings.value_help"),
        placeholder=spec.range_text(),
    )
    c1, c2 = st.columns(2)
    save = c1.form_submit_button(t("admin.settings.save"), type="primary", icon=":material/save:")
    reset = c2.form_submit_button(t("admin.settings.reset"), icon=":material/restart_alt:")
if save:
    try:
        value = settings_view.parse_setting(key, text)
        config.set_setting(store, key, value, user.username)
    except (ValueError, KeyError) as exc:
        st.error(str(exc).strip("'\""), icon=":material/error:")
    else:
        st.cache_data.clear()
        st.success(t("admin.settings.saved", name=setting_label(key), value=spec.display(value)))
if reset:
    settings_view.reset_setting(store, key, user.username)
    st.cache_data.clear()
    st.success(
        t("admin.settings.was_reset", name=setting_label(key), value=spec.display(spec.default))
    )

# -- calendar overrides ----------------------------------------------------------------------------
st.subheader(t("admin.calendar.title"))
years = workdays.fallback_years(date.today().year - 1, workdays.CALENDAR_END.year)
if years:
    st.info(
        t("admin.calendar.fallback", years="、".join(str(y) for y in years)),
        icon=":material/event_busy:",
    )
    st.markdown(t("admin.calendar.how_to"))
    weekdays = t("admin.calendar.weekdays").split()
    for year in years:
        days_off = workdays.statutory_days_off(year)
        with st.expander(t("admin.calendar.provisional_days", year=year, count=len(days_off))):
            data_table(
                pd.DataFrame(
                    {
                        t("admin.calendar.col.day"): list(days_off),
                        t("admin.calendar.col.weekday"): [weekdays[d.weekday()] for d in days_off],
                        t("admin.calendar.col.name"): list(days_off.values()),
                    }
                ),
                key=f"provisional_days_{year}",
                download_basename=t("admin.calendar.provisional_basename", year=year),
            )
overrides = store_calendar.calendar_overrides(store)
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
        store_calendar.set_calendar_override(
            store, day, kind, note.strip() or None, actor=user.username
        )
    st.cache_data.clear()
    st.toast(t("admin.calendar.saved", day=day.isoformat()), icon=":material/check_circle:")
    st.rerun()
if remove:
    with st.spinner(t("admin.calendar.working")):
        found = store_calendar.delete_calendar_override(store, day, actor=user.username)
    if found:
        st.cache_data.clear()
        st.toast(t("admin.calendar.deleted", day=day.isoformat()), icon=":material/check_circle:")
        st.rerun()
    else:
        st.warning(t("admin.calendar.not_found", day=day.isoformat()))
