"""结果录入 — a unit records the results of its drawn targets (one form per target, or a whole task by
upload); the rules of dashboard.entry.rules are enforced at entry (issue #5)."""

from dashboard.ui import page_setup

scope = page_setup("entry")

import json  # noqa: E402
from datetime import date  # noqa: E402

import streamlit as st  # noqa: E402

from dashboard.domain.codes import (  # noqa: E402
    CLASS_LABELS,
    FOLLOWUP_MEASURES,
    RESULT_CODES,
    TASK_STATUSES,
)
from dashboard.entry import bulk, rules, service, workload  # noqa: E402
from dashboard.entry.rules import FollowupInput, InspectionInput  # noqa: E402
from dashboard.reports.safe import to_xlsx_bytes  # noqa: E402
from dashboard.ui import (  # noqa: E402
    XLSX_MIME,
    current_user,
    data_table,
    error,
    get_store,
    show_problems,
    t,
)

store = get_store()
user = current_user()
today = date.today()
FLASH = "entry.flash"
LOADED = "entry.loaded"
BULK = "entry.bulk_preview"
NEXT = "entry.next_target"
DATE_OK = "entry.date_confirmed"  # (task, target, end date) whose early-date warning was shown once

st.title(t("entry.title"))
st.caption(t("entry.caption", limit=service.limits(store)["entry_limit"]))


def task_label(r, work: dict) -> str:
    to_enter, to_backfill = work.get(r.task_code, (0, 0))
    parts = [f"{r.results} {t('entry.results_suffix')}"]
    if to_enter:
        parts.append(t("entry.pending_enter", n=to_enter))
    if to_backfill:
        parts.append(t("entry.pending_backfill", n=to_backfill))
    return f"{r.task_code} {r.task_name}（{'，'.join(parts)}）"


def pick_task(frame, work_frame) -> str:
    """The task selectbox, opening on the task with the most pending work (issue 12)."""
    work = {r.task_code: (int(r.to_enter), int(r.to_backfill)) for r in work_frame.itertuples()}
    labels = {r.task_code: task_label(r, work) for r in frame.itertuples()}
    if st.session_state.get("entry_task") not in labels:
        st.session_state["entry_task"] = workload.busiest_task(work_frame) or next(iter(labels))
    return st.selectbox(t("entry.task"), list(labels), format_func=labels.get, key="entry_task")


def read_only_view() -> None:
    """Leaders and read-only users: the entry status of the tasks they may see, no write widgets."""
    visible = workload.visible_tasks(store, user)
    if visible.empty:
        st.info(t("entry.no_tasks"), icon=":material/info:")
        return
    st.info(t("entry.read_only"), icon=":material/visibility:")
    work_frame = workload.pending_work(store, visible["task_code"].tolist())
    overview = visible[["task_code", "task_name", "lead_unit", "status", "start_on", "results"]]
    overview = overview.merge(work_frame, on="task_code", how="left")
    units = service.unit_names(store)
    overview["lead_unit"] = overview["lead_unit"].map(lambda u: units.get(u, u))
    overview["status"] = overview["status"].map(lambda s: TASK_STATUSES.get(s, s))
    # the question first: which task still waits for entry or backfill, and whose it is
    overview = overview[
        ["task_code", "task_name", "to_enter", "to_backfill", "lead_unit", "status", "start_on",
         "results"]
    ].sort_values(["to_enter", "to_backfill"], ascending=False, kind="stable")  # fmt: skip
    st.subheader(t("entry.status_title"))
    data_table(
        overview.rename(columns=lambda c: t(f"entry.tcol.{c}")),
        key="entry_status_tasks",
        download_basename=t("entry.status_file"),
        column_config={t("entry.tcol.start_on"): st.column_config.DateColumn(format="YYYY-MM-DD")},
    )
    code = pick_task(visible, work_frame)
    targets = service.task_targets(store, code, today)
    if targets.empty:
        st.info(t("entry.no_targets"))
        return
    done = int((targets["state"] != "待录入").sum())
    st.progress(done / len(targets), text=t("entry.progress", done=done, total=len(targets)))
    show_targets(targets)


def show_targets(targets) -> None:
    shown = targets.rename(columns=lambda c: t(f"entry.col.{c}"))
    dates = ("inspected_on", "entered_on", "published_on", "deadline")
    config = {t(f"entry.col.{c}"): st.column_config.DateColumn(format="YYYY-MM-DD") for c in dates}
    data_table(
        shown, key="entry_targets", download_basename=t("entry.targets_file"), column_config=config
    )


tasks = service.writable_tasks(store, user)
if tasks.empty:
    if user is not None and user.role in ("leader", "readonly"):
        read_only_view()
    else:
        st.info(t("entry.no_tasks"), icon=":material/info:")
    st.stop()

flash = st.session_state.pop(FLASH, None)
if flash:
    kind, text = flash
    (st.success if kind == "ok" else st.warning)(text)


def _has(value) -> bool:
    return service._date(value) is not None


def code_label(code: str) -> str:
    rc = RESULT_CODES[code]
    indent = "　" * rc.depth + ("└ " if rc.depth else "")
    return f"{indent}{code} {rc.label}（{CLASS_LABELS[rc.cls]}）"


tab_one, tab_bulk, tab_history = st.tabs(
    [t("entry.tab.form"), t("entry.tab.bulk"), t("entry.tab.history")]
)

# -- 1. one target at a time (一企一表) ---------------------------------------------------------------
with tab_one:
    task_code = pick_task(tasks, workload.pending_work(store, tasks["task_code"].tolist()))
    info = service.task_info(store, task_code)
    targets = service.task_targets(store, task_code, today)
    if targets.empty:
        st.info(t("entry.no_targets"))
    else:
        done = int((targets["state"] != "待录入").sum())
        st.progress(done / len(targets), text=t("entry.progress", done=done, total=len(targets)))
        pending = targets.index[targets["state"] == "待录入"].tolist()
        labels = service.target_labels(targets)
        codes = list(labels)
        if st.session_state.get(NEXT) in codes:  # set by the last save: work down the list
            st.session_state["entry_target"] = st.session_state.pop(NEXT)
        if st.session_state.get("entry_target") not in codes:
            st.session_state["entry_target"] = codes[pending[0]] if pending else codes[0]
        entity_code = st.selectbox(
            t("entry.target"), codes, format_func=labels.get, key="entry_target"
        )
        target = targets.set_index("entity_code").loc[entity_code]
        stored = service.stored_inspection(store, task_code, entity_code)
        stored_fu = service.stored_followup(store, task_code, entity_code)
        limit = service.limits(store)["entry_limit"]

        # load the target's stored values into the widgets once per target
        if st.session_state.get(LOADED) != (task_code, entity_code):
            s = stored or {}
            st.session_state["entry_inspected_on"] = service._date(target["inspected_on"])
            st.session_state["entry_methods"] = [
                m for m in (s.get("methods") or []) if m in rules.METHODS
            ]
            st.session_state["entry_codes"] = list(s.get("result_codes") or [])
            team = list(s.get("inspectors") or target["assigned"] or [])
            st.session_state["entry_inspectors"] = team
            st.session_state["entry_change_reason"] = s.get("inspector_change_reason") or ""
            st.session_state["entry_entered_on"] = service._date(s.get("entered_on")) or today
            st.session_state["entry_published_on"] = service._date(s.get("published_on"))
            st.session_state["entry_note"] = s.get("note") or ""
            notes = json.loads(s["item_notes"]) if s.get("item_notes") else {}
            for item in info["item_codes"]:
                st.session_state[f"entry_item_note_{item}"] = notes.get(item, "")
            st.session_state["entry_fu_measure"] = None
            st.session_state["entry_fu_unit"] = info["lead_unit"]
            st.session_state["entry_fu_due"] = None
            st.session_state["entry_fu_note"] = ""
            st.session_state["entry_reason"] = ""
            st.session_state[LOADED] = (task_code, entity_code)

        c1, c2, c3 = st.columns(3)
        inspected = service._date(target["inspected_on"])
        if inspected is not None:
            deadline = rules.entry_deadline(inspected, limit, service.overrides(store))
            left = rules.workdays_left(inspected, today, limit, service.overrides(store))
            c1.metric(t("entry.inspected_on"), inspected.isoformat())
            c2.metric(t("entry.deadline", limit=limit), deadline.isoformat())
            if _has(target["published_on"]):
                c3.metric(t("entry.workdays_left"), t("entry.published"))
            elif left >= 0:
                c3.metric(t("entry.workdays_left"), t("entry.days", n=left))
            else:
                c3.metric(t("entry.workdays_left"), t("entry.overdue_days", n=-left))
        else:
            c1.metric(t("entry.inspected_on"), "—")
            c2.metric(t("entry.deadline", limit=limit), t("entry.deadline_from_inspection"))
        if target["assigned"]:
            st.caption(t("entry.assigned", team="、".join(target["assigned"])))
        if stored and stored.get("published_on") is not None:
            st.warning(t("entry.edit_published", date=stored["published_on"].isoformat()))

        people = service.task_inspectors(store, task_code)
        for code in st.session_state.get("entry_inspectors", []):
            people.setdefault(code, code)
        items = service.item_names(store, info["item_codes"])
        units = service.unit_names(store)

        with st.form("entry_form"):
            a, b = st.columns(2)
            a.date_input(t("entry.inspected_on"), key="entry_inspected_on", format="YYYY-MM-DD")
            b.multiselect(
                t("entry.methods"),
                list(rules.METHODS),
                key="entry_methods",
                placeholder=t("entry.choose"),
                select_all=False,
            )
            st.multiselect(
                t("entry.codes"),
                list(RESULT_CODES),
                format_func=code_label,
                key="entry_codes",
                help=t("entry.codes_help"),
                placeholder=t("entry.choose"),
                select_all=False,
            )
            st.multiselect(
                t("entry.inspectors"), list(people), format_func=lambda c: f"{c} {people[c]}",
                key="entry_inspectors", placeholder=t("entry.choose"),
                select_all=False,
            )  # fmt: skip
            st.text_input(
                t("entry.change_reason"),
                key="entry_change_reason",
                help=t("entry.change_reason_help"),
            )
            for item in info["item_codes"]:
                st.text_input(
                    t("entry.item_note", item=f"{item} {items.get(item, '')}"),
                    key=f"entry_item_note_{item}",
                )
            st.text_area(t("entry.note"), key="entry_note", height=68)
            a, b = st.columns(2)
            a.date_input(t("entry.entered_on"), key="entry_entered_on", format="YYYY-MM-DD")
            b.date_input(t("entry.published_on"), key="entry_published_on", format="YYYY-MM-DD")
            if stored_fu is None:
                st.markdown(f"**{t('entry.fu_title')}**")
                st.caption(t("entry.fu_help"))
                a, b, c = st.columns(3)
                a.selectbox(
                    t("entry.fu_measure"),
                    list(FOLLOWUP_MEASURES),
                    format_func=lambda m: f"{m} {FOLLOWUP_MEASURES[m]}",
                    key="entry_fu_measure",
                    placeholder=t("entry.choose"),
                )
                b.selectbox(
                    t("entry.fu_unit"), list(units), format_func=lambda u: f"{u} {units[u]}",
                    key="entry_fu_unit",
                )  # fmt: skip
                c.date_input(t("entry.fu_due"), key="entry_fu_due", format="YYYY-MM-DD")
                st.text_input(t("entry.fu_note"), key="entry_fu_note")
            else:
                st.caption(t("entry.fu_exists", measure=stored_fu.get("measure_code") or "—"))
            if stored is not None and stored.get("entered_on") is not None:
                st.text_input(t("entry.reason"), key="entry_reason", help=t("entry.reason_help"))
            submitted = st.form_submit_button(t("entry.save"), type="primary", key="entry_submit")

        if submitted:
            ss = st.session_state
            codes_chosen = tuple(ss["entry_codes"])
            inp = InspectionInput(
                task_code=task_code,
                entity_code=entity_code,
                inspected_on=ss["entry_inspected_on"],
                result_codes=codes_chosen,
                inspectors=tuple(ss["entry_inspectors"]),
                entered_on=ss["entry_entered_on"],
                published_on=ss["entry_published_on"],
                methods=tuple(ss["entry_methods"]),
                item_notes={
                    i: ss[f"entry_item_note_{i}"].strip()
                    for i in info["item_codes"]
                    if ss.get(f"entry_item_note_{i}", "").strip()
                },
                note=ss["entry_note"].strip() or None,
                inspector_change_reason=ss["entry_change_reason"].strip() or None,
            )
            followup = None
            if stored_fu is None and rules.needs_followup(codes_chosen):
                followup = FollowupInput(
                    task_code,
                    entity_code,
                    measure_code=ss.get("entry_fu_measure"),
                    responsible_unit=ss.get("entry_fu_unit"),
                    due_on=ss.get("entry_fu_due"),
                    measure_note=(ss.get("entry_fu_note") or "").strip() or None,
                )
            # an end date before the task's start or its draw: warned before saving (issue 12)
            ctx = service.inspection_context(store, task_code, entity_code)
            early = rules.check_inspection_start(inp.inspected_on, ctx.task_start_on, ctx.draw_date)
            asked = (task_code, entity_code, inp.inspected_on)
            if early and st.session_state.get(DATE_OK) != asked:
                st.session_state[DATE_OK] = asked
                for issue in early:
                    st.warning(f"{issue.message}{t('entry.date_confirm')}", icon=":material/event:")
                st.stop()
            try:
                result = service.save_inspection(
                    store,
                    user,
                    inp,
                    followup=followup,
                    reason=(ss.get("entry_reason") or "").strip() or None,
                    today=today,
                )
            except service.EntryError as exc:
                error(str(exc))
                for issue in exc.issues:
                    (st.error if issue.is_error else st.warning)(
                        f"{rules.FIELD_LABELS.get(issue.field, issue.field)}：{issue.message}"
                    )
            else:
                action = result.action
                if action == "update" and target["state"] == "待录入":
                    action = "insert"  # the drawn target's row existed, the result is new
                parts = [t(f"entry.saved.{action}", target=entity_code)]
                if result.followup_opened:
                    parts.append(t("entry.saved.followup"))
                if result.entity_status:
                    parts.append(
                        t(
                            "entry.saved.status",
                            old=result.entity_status[0],
                            new=result.entity_status[1],
                        )
                    )
                parts += [w.message for w in result.warnings]
                # work down the list: go to the next target still waiting for entry
                remaining = [c for c in codes if c != entity_code and labels[c].endswith("待录入")]
                if remaining:
                    st.session_state[NEXT] = remaining[0]
                st.session_state[FLASH] = ("warn" if result.warnings else "ok", " ".join(parts))
                st.session_state.pop(LOADED, None)
                st.session_state.pop(DATE_OK, None)
                st.rerun()

        with st.expander(t("entry.targets_table")):
            show_targets(targets)

# -- 2. bulk upload ---------------------------------------------------------------------------------
with tab_bulk:
    st.caption(t("entry.bulk.help"))
    st.download_button(
        t("entry.bulk.sheet", task=task_code),
        data=lambda: to_xlsx_bytes({"inspections": service.task_sheet(store, task_code)}),
        file_name=f"{task_code}_inspections.xlsx",
        mime=XLSX_MIME,
        key="entry_bulk_sheet",
        icon=":material/download:",
        on_click="ignore",
    )
    upload = st.file_uploader(
        t("entry.bulk.upload"),
        type=["xlsx", "csv"],
        accept_multiple_files=True,
        key="entry_bulk_file",
    )
    reason = st.text_input(
        t("entry.bulk.reason"), key="entry_bulk_reason", help=t("entry.reason_help")
    )
    if upload:
        files = [(f.name, f.getvalue()) for f in upload]
        prev = bulk.preview(store, user, files, today=today, reason=reason)
        st.session_state[BULK] = prev
        st.markdown(f"**{t('entry.bulk.dry_run')}**")
        counts = prev.counts_frame().rename(columns=lambda c: t(f"entry.bulk.col.{c}"))
        st.dataframe(counts, hide_index=True)
        show_problems(prev.problems_frame(), key="entry_bulk_problems")
        if prev.date_warnings:  # before the confirmation (issue 12)
            st.warning(
                t("entry.bulk.date_warnings", n=len(prev.date_warnings)), icon=":material/event:"
            )
        if not prev.ok:
            error(t("entry.bulk.has_errors", n=len(prev.errors)))
        elif not (prev.inspections or prev.followups):
            st.info(t("entry.bulk.nothing"))
        elif st.button(t("entry.bulk.confirm"), type="primary", key="entry_bulk_confirm"):
            try:
                written = bulk.commit(store, user, prev)
            except service.EntryError as exc:
                error(str(exc))
            else:
                st.success(t("entry.bulk.done", **written))

# -- 3. history of the chosen target ------------------------------------------------------------------
with tab_history:
    target_code = st.session_state.get("entry_target")
    if target_code:
        st.caption(t("entry.history_help", target=f"{task_code}/{target_code}"))
        hist = service.history(store, task_code, target_code)
        data_table(
            hist.rename(columns=lambda c: t(f"entry.hcol.{c}")),
            key="entry_history",
            download_basename=t("entry.history_file"),
            empty=t("metrics.empty.entry_history"),
        )
