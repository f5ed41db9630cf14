"""数据管理 — store inventory, import (dry run first, then 确认导入), templates, export (issue #2)."""

from dashboard.ui import page_setup

scope = page_setup("data_management", needs_scope=False)

import hashlib  # noqa: E402
import io  # noqa: E402
import tempfile  # noqa: E402
import zipfile  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import streamlit as st  # noqa: E402

from dashboard import ingest  # noqa: E402
from dashboard.config import PROJECT_ROOT  # noqa: E402
from dashboard.ingest.spec import SPECS  # noqa: E402
from dashboard.metrics.cache import cached_result  # noqa: E402
from dashboard.ops import program_version  # noqa: E402
from dashboard.store import INTERCHANGE_TABLES, LATEST_SCHEMA_VERSION  # noqa: E402
from dashboard.ui import (  # noqa: E402
    XLSX_MIME,
    current_user,
    data_table,
    error,
    get_store,
    show_problems,
    t,
)
from dashboard.ui.backup_panel import backup_panel  # noqa: E402
from dashboard.ui.import_mapping import mapping_editor, saved_mappings  # noqa: E402

TEMPLATES_DIR = PROJECT_ROOT / "data" / "templates"
REPORT_KEY = "data.import_report"
MAPPING_KEY = "data.import_mapping"
UPLOAD_KEY = "data.upload_round"

store = get_store()
user = current_user()


st.title(t("common.page.data_management"))
st.caption(
    t(
        "data.version_line",
        program=program_version(),
        schema=store.schema_version,
        latest=LATEST_SCHEMA_VERSION,
    )
)
if store.is_demo:
    st.info(t("data.demo_note"), icon=":material/science:")

# -- 1. inventory ----------------------------------------------------------------------------------
st.subheader(t("data.inventory.title"))
own = user.allowed_units  # a unit or read-only user: only its own units' share (issue 12)
if own is not None:
    st.caption(t("data.inventory.own_note", units="、".join(sorted(own))))
try:
    # kept until a write
    inv = cached_result(ingest.inventory)(store, as_of=date.today(), units=own)
except Exception as exc:  # noqa: BLE001 - one sentence, no traceback
    error(t("data.inventory.failed", error=str(exc) or type(exc).__name__))
    inv = None
if inv is not None:
    tables = inv["tables"]
    rows = dict(zip(tables["表"], tables["行数"], strict=False))
    years = inv["years"]
    quality = inv["quality"]
    c1, c2, c3, c4 = st.columns(4)
    sfx = "" if own is None else "_own"
    c1.metric(t(f"data.inventory.entities{sfx}"), f"{int(rows.get('entities', 0)):,}")
    c2.metric(t(f"data.inventory.tasks{sfx}"), f"{int(rows.get('tasks', 0)):,}")
    c3.metric(t(f"data.inventory.inspections{sfx}"), f"{int(rows.get('inspections', 0)):,}")
    year_list = [int(y) for y in years.iloc[:, 0].dropna()] if not years.empty else []
    c4.metric(
        t("data.inventory.years"),
        f"{year_list[0]}–{year_list[-1]}"
        if len(year_list) > 1
        else (str(year_list[0]) if year_list else "—"),
    )
    last = inv["imports"]
    if last.empty:
        st.caption(t("data.inventory.no_import"))
    else:
        first = last.iloc[0]
        st.caption(
            t(
                "data.inventory.last_import",
                when=f"{first['时间']:%Y-%m-%d %H:%M}",
                actor=first["操作人"],
            )
        )
    n_quality = int(quality["数量"].sum()) if not quality.empty else 0
    names = [t("data.inventory.tab_tables"), t("data.inventory.tab_years")]
    if own is None:  # the import log counts every unit's rows: the office's view only
        names.append(t("data.inventory.tab_imports"))
    names.append(t("data.inventory.tab_quality", count=n_quality))
    tabs = st.tabs(names)
    tab_rows, tab_years, tab_quality = tabs[0], tabs[1], tabs[-1]
    tab_imports = tabs[2] if own is None else None
    with tab_rows:  # tables by their Chinese names (检查对象, not entities), each once
        data_table(
            tables.drop(columns=["表"]),
            key="inv_tables",
            download_basename=t("data.inventory.basename"),
        )
    with tab_years:
        data_table(years, key="inv_years")
    if tab_imports is not None:
        with tab_imports:
            data_table(last, key="inv_imports", empty=t("metrics.empty.inv_imports"))
    with tab_quality:
        if n_quality:
            st.warning(t("data.inventory.quality_found", count=n_quality), icon=":material/report:")
        data_table(quality, key="inv_quality", empty=t("metrics.empty.inv_quality"), empty_ok=True)
        details = inv.get("quality_details")
        if details is not None and not details.empty:
            data_table(
                details,
                key="inv_quality_details",
                download_basename=t("data.inventory.quality_basename"),
            )


# -- 2. import -------------------------------------------------------------------------------------
def _count(value) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    try:
        return len(value)
    except TypeError:
        return int(value)


def _run(files, *, dry_run: bool, mapping=None):
    bar = st.progress(0.0, text=t("data.import.progress_start"))

    def progress(fraction: float, message: str = "") -> None:
        bar.progress(
            min(max(float(fraction), 0.0), 1.0), text=message or t("data.import.progress_start")
        )

    source = [(Path(f.name).name, f.getvalue()) for f in files]
    try:
        return ingest.run_import(
            store, source, actor=user.username, dry_run=dry_run, progress=progress, mapping=mapping
        )
    finally:
        bar.empty()


def _show_counts(report, *, key: str) -> None:
    st.dataframe(report.counts_frame(), hide_index=True, width="content", key=key)


st.subheader(t("data.import.title"))
if not user.is_admin:
    st.caption(t("data.import.read_only"))
else:
    st.markdown(t("data.import.intro"))
    with st.expander(t("data.import.rules_title"), icon=":material/help:"):
        st.markdown(t("data.import.rules", limit=f"{ingest.limits(store)[1]:,}"))
    round_no = st.session_state.setdefault(UPLOAD_KEY, 0)
    files = st.file_uploader(
        t("data.import.upload_label"),
        type=["csv", "xlsx"],
        accept_multiple_files=True,
        key=f"upload_{round_no}",
        help=t("data.import.upload_help"),
    )
    st.caption(t("data.import.upload_hint"))
    files = list(files or [])
    xlsx_count = sum(f.name.lower().endswith(".xlsx") for f in files)
    if files and (xlsx_count > 1 or (xlsx_count == 1 and len(files) > 1)):
        error(t("data.import.mixed"))
    elif files:
        signature = hashlib.sha256(
            b"".join(f.name.encode() + hashlib.sha256(f.getvalue()).digest() for f in files)
        ).hexdigest()
        chosen = st.session_state.get(MAPPING_KEY)
        mapping = chosen[1] if chosen and chosen[0] == signature else None
        cached = st.session_state.get(REPORT_KEY)
        if not cached or cached[0] != signature:
            try:
                report = _run(files, dry_run=True, mapping=mapping)
            except Exception as exc:  # noqa: BLE001
                error(t("data.import.failed", error=str(exc) or type(exc).__name__))
                report = None
            st.session_state[REPORT_KEY] = (signature, report)
        report = st.session_state[REPORT_KEY][1]
        if report is not None:
            n_errors, n_warnings = report.error_count, report.warning_count
            st.markdown(f"**{t('data.import.dry_run_title')}**")
            if mapping is not None:
                st.info(
                    t("data.mapping.in_use", name=mapping.name or t("data.mapping.unsaved")),
                    icon=":material/swap_horiz:",
                )
            if report.counts:
                _show_counts(report, key="dry_counts")
            show_problems(
                report.problems_frame(),
                key="dry_problems",
                counts=(report.error_count, report.warning_count),
            )
            for i, sheet in enumerate(report.unmatched):
                made = mapping_editor(store, sheet, actor=user.username, key=f"map_{i}")
                if made is not None:
                    st.session_state[MAPPING_KEY] = (signature, made)
                    st.session_state.pop(REPORT_KEY, None)
                    st.rerun()
            if n_errors:
                st.error(t("data.import.has_errors", errors=n_errors), icon=":material/block:")
            elif not report.counts:
                st.error(t("data.import.nothing"), icon=":material/block:")
            else:
                if n_warnings:
                    st.caption(t("data.import.warnings_only", warnings=n_warnings))
                if st.button(
                    t("data.import.confirm"),
                    type="primary",
                    icon=":material/upload:",
                    key="confirm_import",
                ):
                    try:
                        result = _run(files, dry_run=False, mapping=mapping)
                    except Exception as exc:  # noqa: BLE001
                        error(t("data.import.failed", error=str(exc) or type(exc).__name__))
                    else:
                        if not result.ok:
                            st.error(t("data.import.has_errors", errors=result.error_count))
                            show_problems(
                                result.problems_frame(),
                                key="final_problems",
                                counts=(result.error_count, result.warning_count),
                            )
                        else:
                            st.session_state.pop(REPORT_KEY, None)
                            st.session_state[UPLOAD_KEY] = round_no + 1
                            st.cache_data.clear()
                            st.session_state["data.last_result"] = result
                            st.rerun()
    if st.session_state.get("data.last_result") is not None and not files:
        st.success(t("data.import.done"), icon=":material/check_circle:")
        _show_counts(st.session_state.pop("data.last_result"), key="done_counts")
    with st.expander(t("data.mapping.saved_title"), icon=":material/swap_horiz:"):
        saved_mappings(store, actor=user.username, can_edit=True)

# -- 3. templates ----------------------------------------------------------------------------------
st.subheader(t("data.templates.title"))
order = {name: i for i, name in enumerate(INTERCHANGE_TABLES)}
templates = sorted(
    TEMPLATES_DIR.glob("*.csv") if TEMPLATES_DIR.is_dir() else [],
    key=lambda p: (order.get(p.stem, len(order)), p.stem),
)
workbook = TEMPLATES_DIR / "templates.xlsx"
if not templates and not workbook.exists():
    st.caption(t("data.templates.missing"))
else:
    st.caption(t("data.templates.intro"))
    if workbook.exists():
        st.download_button(
            t("data.templates.workbook"),
            data=workbook.read_bytes(),
            file_name="templates.xlsx",
            mime=XLSX_MIME,
            icon=":material/table_view:",
            key="tpl_xlsx",
            on_click="ignore",
        )
    cols = st.columns(4)
    for i, path in enumerate(templates):
        zh = SPECS[path.stem].zh if path.stem in SPECS else ""
        cols[i % 4].download_button(
            f"{zh} {path.name}".strip(),
            data=path.read_bytes(),
            file_name=path.name,
            mime="text/csv",
            icon=":material/description:",
            key=f"tpl_{path.stem}",
            on_click="ignore",
        )

# -- 4. export -------------------------------------------------------------------------------------
st.subheader(t("data.export.title"))
if user.allowed_units is not None:
    st.caption(t("data.export.not_allowed"))
else:
    st.caption(t("data.export.intro"))
    if st.button(t("data.export.prepare"), icon=":material/folder_zip:", key="export_prepare"):
        with (
            st.spinner(t("data.export.working")),
            tempfile.TemporaryDirectory(prefix="export-") as tmp,
        ):
            try:
                ingest.export_store(store, Path(tmp))
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
                    for path in sorted(Path(tmp).rglob("*")):
                        if path.is_file():
                            zf.write(path, path.relative_to(tmp).as_posix())
                st.session_state["data.export_zip"] = buffer.getvalue()
            except Exception as exc:  # noqa: BLE001
                error(t("data.export.failed", error=str(exc) or type(exc).__name__))
    if st.session_state.get("data.export_zip"):
        st.download_button(
            t("data.export.download"),
            data=st.session_state["data.export_zip"],
            file_name=f"双随机数据导出_{date.today():%Y%m%d}.zip",
            mime="application/zip",
            icon=":material/download:",
            key="export_zip",
            on_click="ignore",
        )

# -- 5. backups (issue 13) -------------------------------------------------------------------------
backup_panel(store, user)
