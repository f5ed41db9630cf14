"""Chinese for the few texts Streamlit's own widgets draw in English (issue 12 point 1).

Streamlit 1.67 has no locale setting. Our labels, help and placeholders are Chinese already; what is left
(the empty date's "yyyy mm dd", the upload box's "Drag and drop files here" / "Browse files" / "Limit
50MB per file", the multiselect's "Select all", "Choose an option" placeholders, the date picker's month
and weekday names, the "Press Enter to apply" hints, the status widget, the keyboard users' "Skip to
main content" link, and the English "Page not found" dialog) is rewritten in the
browser by a small st.components.v2 component (Streamlit's own API, no package, no network): it watches
the page with a MutationObserver and replaces those texts where they appear. A dialog saying "Page not
found" is closed: the app shows its own Chinese sentence instead (dashboard.ui.shell).
"""

from __future__ import annotations

import streamlit as st

_JS = r"""
export default function () {
  if (window.__sjsZh) return;
  window.__sjsZh = true;
  const exact = {
    "Drag and drop files here": "将文件拖到此处",
    "Drag and drop file here": "将文件拖到此处",
    "Browse files": "选择文件",
    "Upload": "上传",
    "Select all": "全选",
    "Clear all": "全部清除",
    "No results": "没有匹配的选项",
    "No options to select.": "没有可选的项",
    "Press Enter to apply": "按回车键确认",
    "Press Enter to submit form": "按回车键提交",
    "Press ⌘+Enter to apply": "按 ⌘+回车键确认",
    "Press Ctrl+Enter to apply": "按 Ctrl+回车键确认",
    "Running...": "正在处理……",
    "Connecting": "正在连接",
    "Connection error": "连接中断",
    "Skip to main content": "跳到主要内容",
  };
  const months = ["January","February","March","April","May","June","July","August","September",
                  "October","November","December"];
  const weekdays = {Su: "日", Mo: "一", Tu: "二", We: "三", Th: "四", Fr: "五", Sa: "六"};
  const placeholders = {
    "Choose an option": "请选择",
    "Choose options": "请选择（可多选）",
    "Select...": "请选择",
    "Search": "搜索",
  };
  const rules = [
    [/^(?:Limit )?(\S+) per file(.*)$/, (m) => "每个文件不超过 " + m[1] + m[2].replace(" • ", " · 格式：")],
    [/^(January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})$/,
     (m) => m[2] + "年" + (months.indexOf(m[1]) + 1) + "月"],
  ];
  function fixText(node) {
    const raw = node.nodeValue;
    if (!raw) return;
    const text = raw.trim();
    if (!text || !/[A-Za-z]/.test(text)) return;
    let out = exact[text];
    if (out === undefined) {
      for (const [re, fn] of rules) {
        const m = text.match(re);
        if (m) { out = fn(m); break; }
      }
    }
    if (out === undefined && node.parentElement) {
      const dateBox = node.parentElement.closest('[data-testid="stDateInput"]');
      if (dateBox) {  // the empty date's segments "yyyy mm dd"
        const seg = {yyyy: "年", mm: "月", dd: "日", YYYY: "年", MM: "月", DD: "日"};
        if (seg[text]) out = seg[text];
      }
      const cal = node.parentElement.closest('[data-baseweb="calendar"]');
      if (out === undefined && cal) {
        if (weekdays[text]) out = weekdays[text];
        else if (months.includes(text)) out = (months.indexOf(text) + 1) + "月";
      }
    }
    if (out !== undefined && out !== raw) node.nodeValue = out;
  }
  function fixPlaceholder(el) {
    const p = el.getAttribute("placeholder");
    if (!p) return;
    let out = placeholders[p];
    if (out === undefined && /^[YMDymd]{1,4}([\/\-. ][YMDymd]{1,4}){2}$/.test(p)) out = "请选择日期";
    if (out !== undefined) el.setAttribute("placeholder", out);
  }
  function closeNotFound(root) {
    const dialogs = (root.querySelectorAll ? root.querySelectorAll('[role="dialog"]') : []);
    dialogs.forEach((d) => {
      if (/Page not found/.test(d.textContent || "")) {
        d.style.visibility = "hidden";
        const close = d.querySelector('button[aria-label="Close"], button');
        if (close) close.click();
      }
    });
  }
  function walk(root) {
    if (root.nodeType === Node.TEXT_NODE) { fixText(root); return; }
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = w.nextNode())) fixText(n);
    if (root.matches && root.matches("input[placeholder], textarea[placeholder]")) fixPlaceholder(root);
    root.querySelectorAll("input[placeholder], textarea[placeholder]").forEach(fixPlaceholder);
    closeNotFound(root.parentElement || root);
  }
  walk(document.body);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "characterData") fixText(r.target);
      else if (r.type === "attributes") fixPlaceholder(r.target);
      else r.addedNodes.forEach(walk);
    }
  }).observe(document.body, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["placeholder"],
  });
}
"""

_component = None


def install() -> None:
    """Mount the rewriter once per run (hidden; it installs itself once per browser tab)."""
    global _component
    try:
        if _component is None:
            _component = st.components.v2.component("dashboard_zh_patch", js=_JS)
        with st.sidebar.container(key="zh_patch_box"):
            _component(key="zh_patch", height=0)
    except Exception:  # noqa: BLE001 - never let a cosmetic helper break a page
        pass
