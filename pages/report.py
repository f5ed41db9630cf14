"""工作报告 — the monthly progress report (Word and Excel) for the liaison officers, from the current scope."""

from dashboard.ui import page_setup

scope = page_setup("report")

import streamlit as st  # noqa: E402

from dashboard.reports import monthly  # noqa: E402
from dashboard.ui import DOCX_MIME, XLSX_MIME, data_table, get_store, t  # noqa: E402

store = get_store()
cur = store.cursor()

st.title(t("supervision.report.title"))
st.caption(t("supervision.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))
st.info(t("supervision.report.intro"))

data = monthly.report_data(cur, scope)
st.subheader(data.title)
st.caption(data.scope_text)
st.markdown("\n".join(f"- {line}" for line in data.summary))
st.subheader(t("supervision.report.kpis"))
data_table(data.kpis, key="report_kpis")
st.subheader(t("supervision.report.units"))
data_table(data.units, key="report_units")

stamp = f"{scope.year}{scope.as_of.month:02d}"
if st.button(
    t("supervision.report.generate"), key="report_generate", icon=":material/description:"
):
    with st.spinner(t("common.working.report")):  # about 3.5 s on the demo
        st.session_state["report_files"] = {
            "scope": scope,
            "docx": monthly.monthly_docx(cur, scope),
            "xlsx": monthly.monthly_xlsx(cur, scope),
        }
files = st.session_state.get("report_files")
if files and files["scope"] == scope:
    row = st.container(horizontal=True, gap="small")
    for kind, mime in (
        ("docx", DOCX_MIME),
        ("xlsx", XLSX_MIME),
    ):
        row.download_button(
            t(f"supervision.report.{kind}"),
            data=files[kind],
            file_name=f"{t('supervision.report.file')}_{stamp}.{kind}",
            mime=mime,
            key=f"report_{kind}",
            icon=":material/download:",
            on_click="ignore",
        )
cur.close()
