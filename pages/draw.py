"""随机抽取 — step by step: task → pool preview and hash → public value → draw → review → confirm;
documents, ledger with redraws, verification (DESIGN.md §6, issue #4)."""

from dashboard.ui import page_setup

scope = page_setup("draw")

import json  # noqa: E402
from datetime import date  # noqa: E402

import streamlit as st  # noqa: E402

from dashboard import draw  # noqa: E402
from dashboard.draw import review  # noqa: E402
from dashboard.draw import tasks as draw_tasks  # noqa: E402
from dashboard.ui import (  # noqa: E402
    XLSX_MIME,
    current_user,
    data_table,
    download_buttons,
    error,
    get_store,
    t,
)

store = get_store()
user = current_user()
is_admin = bool(user and user.is_admin)

st.title(t("draw.title"))
st.caption(t("draw.intro"))


def cached_preview(task_code: str, ratios) -> draw.DrawPreview:
    """The dry run, kept for this session until the store changes: a large pool takes seconds to
    resolve and the page reruns on every widget. The draw reuses it while nothing was written
    since; otherwise it resolves the pool again and refuses if its hash differs from the one shown."""
    held = st.session_state.get("draw_preview")
    if held is None or not held.is_current(
        store, draw.preview_request(task_code, date.today(), ratios)
    ):
        with st.spinner(t("draw.step2.computing")):
            held = draw.preview(store, task_code, date.today(), ratios)
        st.session_state["draw_preview"] = held
    return held


def show_review(draw_id: str, key: str) -> None:
    """Targets and teams of one draw, unstaffed highlighted, confirmation and documents."""
    led = draw.ledger(store)
    row = led[led["draw_id"] == draw_id]
    if row.empty:
        error(t("draw.review.unknown", draw_id=draw_id))
        return
    row = row.iloc[0]
    targets = review.targets_frame(store, draw_id)
    cols = st.columns(4)
    cols[0].metric(t("draw.review.selected"), len(targets))
    cols[1].metric(t("draw.review.pool_size"), int(row["pool_size"]))
    cols[2].metric(t("draw.review.unstaffed"), int(row["unstaffed"]))
    deadline = review.confirm_deadline(store, row["draw_date"])
    cols[3].metric(t("draw.review.deadline"), deadline.isoformat())
    st.caption(t("draw.review.hash_label"))
    st.code(row["pool_hash"], language=None)
    short = targets[targets["人员不足"] == "是"]
    if not short.empty:
        st.warning(
            t("draw.review.unstaffed_list", codes="、".join(short["主体编码"])),
            icon=":material/warning:",
        )
    st.dataframe(
        targets.style.apply(
            lambda r: ["background-color: #ffe0e0" if r["人员不足"] == "是" else "" for _ in r],
            axis=1,
        ),
        key=f"{key}_targets",
        hide_index=True,
        width="stretch",
    )
    superseded = row["status"] == "superseded"
    confirmed = bool(row["confirmed_by"]) if row["confirmed_by"] is not None else False
    if superseded:
        st.info(t("draw.review.superseded", by=row["superseded_by"]))
    elif confirmed:
        st.success(t("draw.review.confirmed", by=row["confirmed_by"], at=row["confirmed_at"]))
    elif is_admin:
        st.caption(t("draw.review.confirm_help", deadline=deadline.isoformat()))
        if st.button(t("draw.review.confirm"), key=f"{key}_confirm", type="primary"):
            try:
                draw.confirm_draw(store, draw_id, user)
            except draw.DrawError as exc:
                error(str(exc))
            else:
                st.success(t("draw.review.confirmed_now", draw_id=draw_id))
                st.rerun()
    else:
        st.info(t("draw.review.unconfirmed", deadline=deadline.isoformat()))

    st.subheader(t("draw.docs.title"))
    cert = draw.certificate(store, draw_id)
    names = draw.names_for(store, cert)
    row_dl = st.container(horizontal=True, gap="small")

    def doc_button(
        label: str, data: bytes, name: str, mime: str, suffix: str, icon="download"
    ) -> None:
        row_dl.download_button(
            label,
            data=data,
            file_name=f"{draw_id}_{name}",
            mime=mime,
            key=f"{key}_{suffix}",
            icon=f":material/{icon}:",
            on_click="ignore",
        )

    cert_json = json.dumps(cert, ensure_ascii=False, indent=1).encode("utf-8")
    doc_button(t("draw.docs.cert_json"), cert_json, "抽取证书.json", "application/json", "json")
    cert_html = draw.certificate_html(cert, names).encode("utf-8")
    doc_button(t("draw.docs.cert_html"), cert_html, "抽取证书.html", "text/html", "html", "print")
    public_html = draw.public_certificate_html(cert, names).encode("utf-8")
    doc_button(
        t("draw.docs.public_html"),
        public_html,
        "抽取结果公示.html",
        "text/html",
        "public_html",
        "print",
    )
    dispatch = draw.dispatch_sheet(store, draw_id, role=user.role if user else None)
    doc_button(t("draw.docs.dispatch"), dispatch, "派单表.xlsx", XLSX_MIME, "dispatch")
    st.markdown(t("draw.docs.publication"))
    st.caption(t("draw.docs.publication_help"))
    publication = draw.publication_list(store, draw_id)
    download_buttons(
        draw.publication_with_head(store, publication), f"{draw_id}_公示名单", key=f"{key}_pub"
    )
    st.caption(t("draw.docs.head_help"))
    st.code(names["chain_head"], language=None)


tab_names = [t("draw.tab.ledger")]
if is_admin:
    tab_names.insert(0, t("draw.tab.new"))
tabs = st.tabs(tab_names)

# -- the draw (admin only) ----------------------------------------------------------------------
if is_admin:
    with tabs[0]:
        st.subheader(t("draw.step1.title"))
        mode = st.radio(
            t("draw.step1.mode"),
            [t("draw.step1.mode_planned"), t("draw.step1.mode_adhoc")],
            horizontal=True,
            key="draw_mode",
        )
        if mode == t("draw.step1.mode_adhoc"):
            unit_df = draw_tasks.units(store)
            unit_label = dict(zip(unit_df["unit_code"], unit_df["unit_name"], strict=True))
            item_df = draw_tasks.items(store)
            item_label = dict(zip(item_df["item_code"], item_df["item_name"], strict=True))
            with st.form("draw_adhoc_form"):
                name = st.text_input(t("draw.adhoc.name"), key="draw_adhoc_name")
                picked_items = st.multiselect(
                    t("draw.adhoc.items"),
                    list(item_label),
                    format_func=lambda c: f"{item_label[c]}（{c}）",
                    key="draw_adhoc_items",
                )
                c1, c2 = st.columns(2)
                lead = c1.selectbox(
                    t("draw.adhoc.lead"),
                    list(unit_label),
                    format_func=lambda c: f"{unit_label[c]}（{c}）",
                    key="draw_adhoc_lead",
                )
                partners = c2.multiselect(
                    t("draw.adhoc.partners"),
                    list(unit_label),
                    format_func=lambda c: f"{unit_label[c]}（{c}）",
                    key="draw_adhoc_partners",
                )
                kinds = ["auto", *draw_tasks.JOINT_KINDS]
                joint = c1.selectbox(
                    t("draw.adhoc.joint"),
                    kinds,
                    format_func=lambda k: (
                        t("draw.adhoc.joint_auto") if k == "auto" else draw_tasks.JOINT_KINDS[k]
                    ),
                    key="draw_adhoc_joint",
                )
                start_on = c2.date_input(t("draw.adhoc.start"), value=None, key="draw_adhoc_start")
                end_on = c2.date_input(t("draw.adhoc.end"), value=None, key="draw_adhoc_end")
                st.caption(t("draw.adhoc.ratio_note"))
                if st.form_submit_button(t("draw.adhoc.create")):
                    try:
                        code = draw_tasks.create_adhoc_task(
                            store,
                            name=name,
                            item_codes=picked_items,
                            lead_unit=lead,
                            partner_units=partners,
                            joint_kind=None if joint == "auto" else joint,
                            start_on=start_on,
                            end_on=end_on,
                            actor=user.username,
                        )
                    except draw.DrawError as exc:
                        error(str(exc))
                    else:
                        st.session_state["draw_task"] = code
                        st.success(t("draw.adhoc.created", code=code))

        tasks = draw_tasks.planned_tasks(store, scope)
        chosen = None
        if tasks.empty:
            st.info(t("draw.step1.none"))
        else:
            labels = dict(zip(tasks["task_code"], tasks["task_name"], strict=True))
            codes = list(labels)
            if st.session_state.get("draw_task") not in codes:
                st.session_state.pop("draw_task", None)
            chosen = st.selectbox(
                t("draw.step1.task"),
                codes,
                format_func=lambda c: f"{c}　{labels[c]}",
                key="draw_task",
            )
        if chosen is not None:
            task = tasks[tasks["task_code"] == chosen].iloc[0].to_dict()
            info = draw_tasks.task_summary(store, task)
            st.markdown(
                t(
                    "draw.step1.summary",
                    lead=info["lead"],
                    partners=info["partners"] or t("draw.step1.no_partner"),
                    items=info["items"],
                    joint=info["joint"],
                    period=info["period"],
                )
            )
            ratios = None
            if task["plan_code"]:
                st.caption(t("draw.step1.plan_ratio", plan=task["plan_code"], ratio=info["ratio"]))
            else:
                ratio_text = st.text_input(
                    t("draw.step1.ratio"),
                    key=f"draw_ratio_{chosen}",
                    placeholder="0.05　或　A=1% B=3% C=10% D=30% U=5%",
                    help=t("draw.step1.ratio_help"),
                )
                ratios = review.ratio_args(ratio_text)

            st.subheader(t("draw.step2.title"))
            st.caption(t("draw.step2.why_hash"))
            # the hash on screen when the operator clicked is the last render's: if the data changed
            # since, this rerun shows a new preview and the draw below is refused for it
            shown = st.session_state.get("draw_shown")
            try:
                prev = cached_preview(chosen, ratios)
            except draw.DrawError as exc:
                error(str(exc))
                prev = None
            if prev is not None:
                seen_hash = shown[1] if shown and shown[0] == prev.request else prev.pool_hash
                st.session_state["draw_shown"] = (prev.request, prev.pool_hash)
                c1, c2, c3 = st.columns(3)
                c1.metric(t("draw.step2.pool_size"), prev.pool_size)
                c2.metric(t("draw.step2.total"), prev.total_size)
                c3.metric(t("draw.step2.min_team"), max(prev.min_inspectors, 2))
                st.caption(t("draw.step2.hash_label"))
                st.code(prev.pool_hash, language=None)
                data_table(review.strata_frame(prev.strata), key="draw_strata")
                st.markdown(t("draw.step2.inspectors"))
                data_table(
                    review.inspector_pool_by_unit(store, prev.inspector_pool, prev.units),
                    key="draw_inspectors",
                )
                for w in prev.warnings:
                    st.warning(w, icon=":material/warning:")
                if not prev.ready:
                    st.warning(
                        t("draw.step2.missing", strata="、".join(prev.missing_ratios)),
                        icon=":material/warning:",
                    )

                st.subheader(t("draw.step3.title"))
                with st.form("draw_run_form"):
                    public_value = st.text_input(
                        t("draw.step3.public_value"),
                        key="draw_public_value",
                        help=t("draw.step3.public_value_help"),
                    )
                    witnesses = st.text_input(
                        t("draw.step3.witnesses"),
                        key="draw_witnesses",
                        help=t("draw.step3.witnesses_help"),
                    )
                    st.caption(t("draw.step3.operator", name=user.display_name))
                    agree = st.checkbox(t("draw.step3.agree"), key="draw_agree")
                    go = st.form_submit_button(t("draw.step3.run"), type="primary")
                if go:
                    value = (public_value or "").strip()
                    if not value:
                        error(t("draw.step3.need_value"))
                    elif not agree:
                        error(t("draw.step3.need_agree"))
                    else:
                        # a rerun that interrupts this one (a second click) still finds the draw
                        st.session_state["draw_pending"] = chosen
                        try:
                            with st.spinner(t("draw.step3.running")):
                                record = draw.run_draw(
                                    store,
                                    chosen,
                                    value,
                                    operator=user.display_name,
                                    draw_date=prev.draw_date,
                                    ratios=ratios,
                                    witnesses=review.split_list(witnesses),
                                    expected_pool_hash=seen_hash,
                                    previewed=prev,
                                )
                        except draw.DrawError as exc:
                            st.session_state.pop("draw_pending", None)
                            error(str(exc))
                        else:
                            st.session_state["draw_last"] = record["draw_id"]
                            st.session_state["draw_done_task"] = chosen
                            st.rerun()

        pending = st.session_state.pop("draw_pending", None)
        if pending and not st.session_state.get("draw_last"):
            found = review.current_draw(store, pending)
            if found:
                st.session_state["draw_last"] = found
        last = st.session_state.get("draw_last")
        if last:
            st.subheader(t("draw.step4.title", draw_id=last))
            st.success(t("draw.step4.done", draw_id=last), icon=":material/check_circle:")
            show_review(last, "draw_new")

# -- ledger, review, redraw, verification -------------------------------------------------------
with tabs[-1]:
    led = draw.ledger(store, scope)
    st.subheader(t("draw.ledger.title"))
    data_table(
        review.ledger_view(led),
        key="draw_ledger",
        download_basename=t("draw.ledger.file"),
        column_config={
            "状态": st.column_config.TextColumn(pinned=True),
            "抽取编号": st.column_config.TextColumn(pinned=True),
        },
    )
    redraws = draw.redraws_per_unit(store, scope)
    st.markdown(t("draw.ledger.redraws"))
    flagged = review.redraw_units_text(store, scope)
    if not flagged:
        st.caption(t("draw.ledger.no_redraws"))
    else:
        st.warning(t("draw.ledger.redraw_warning", units=flagged), icon=":material/warning:")
    if not redraws.empty:
        data_table(
            redraws.rename(
                columns={
                    "unit_code": "单位编码",
                    "unit_name": "单位名称",
                    "draws": "抽取次数",
                    "redraws": "重新抽取次数",
                    "redraw_share": "重抽占比",
                }
            ),
            key="draw_redraws",
            column_config={"重抽占比": st.column_config.NumberColumn(format="percent")},
        )

    if not led.empty:
        st.subheader(t("draw.view.title"))
        ids = list(led["draw_id"])
        pending = st.session_state.pop("draw_view_next", None)
        if pending in ids:
            st.session_state["draw_view_pick"] = pending
        if st.session_state.get("draw_view_pick") not in ids:
            st.session_state["draw_view_pick"] = ids[-1]
        pick = st.selectbox(
            t("draw.view.pick"),
            ids,
            format_func=lambda d: f"{d}　{led.loc[led['draw_id'] == d, 'task_code'].iloc[0]}",
            key="draw_view_pick",
        )
        show_review(pick, "draw_view")

        if is_admin:
            current = led[(led["draw_id"] == pick) & (led["status"] == "current")]
            if not current.empty:
                st.subheader(t("draw.redraw.title"))
                st.caption(t("draw.redraw.help"))
                with st.form("draw_redraw_form"):
                    new_value = st.text_input(t("draw.step3.public_value"), key="draw_re_value")
                    reason = st.text_area(t("draw.redraw.reason"), key="draw_re_reason")
                    re_wit = st.text_input(t("draw.step3.witnesses"), key="draw_re_witnesses")
                    re_go = st.form_submit_button(t("draw.redraw.run"))
                if re_go:
                    if not (new_value or "").strip():
                        error(t("draw.step3.need_value"))
                    else:
                        try:
                            rec = draw.redraw(
                                store,
                                pick,
                                new_value.strip(),
                                reason=(reason or "").strip(),
                                operator=user.display_name,
                                witnesses=review.split_list(re_wit),
                            )
                        except draw.DrawError as exc:
                            error(str(exc))
                        else:
                            st.session_state["draw_view_next"] = rec["draw_id"]
                            st.session_state["draw_redraw_done"] = rec["draw_id"]
                            st.rerun()
        done = st.session_state.pop("draw_redraw_done", None)
        if done:
            st.success(t("draw.redraw.done", draw_id=done), icon=":material/check_circle:")

        st.subheader(t("draw.verify.title"))
        st.caption(t("draw.verify.help"))
        v1 = v2 = st.container(horizontal=True, gap="small")
        which = None
        if v1.button(t("draw.verify.one", draw_id=pick), key="draw_verify_one"):
            which = pick
        if v2.button(t("draw.verify.all"), key="draw_verify_all"):
            which = "*"
        if which:
            diffs = draw.verify_store(store, None if which == "*" else which)
            failures = [d for d in diffs if not d.warning]
            if failures:
                st.error(t("draw.verify.fail", n=len(failures)), icon=":material/error:")
            else:
                st.success(t("draw.verify.pass"), icon=":material/verified:")
            for d in diffs:
                (st.warning if d.warning else st.error)(str(d))
