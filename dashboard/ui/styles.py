"""The app's own style sheet, injected by page_setup on every page (issue 12 points 9 and 10).

- the hidden helper components (session cookie, Chinese texts) take no room;
- long text in st.table cells wraps;
- print: the page without sidebar, header, toolbars and widgets, on A4 (浏览器“打印”即得正文);
- a phone: the sidebar overlays only when opened, and the main area uses the full width.
"""

from __future__ import annotations

import streamlit as st

CSS = """
.st-key-session_cookie_box, .st-key-zh_patch_box { display: none !important; }
[data-testid="stTable"] td, [data-testid="stTable"] th { white-space: normal; word-break: break-word; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-left: 0.8rem; padding-right: 0.8rem; }
}
@media print {
  @page { size: A4; margin: 15mm 12mm; }
  body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stElementToolbar"], [data-testid="stDownloadButton"], [data-testid="stButton"],
  [data-testid="stFormSubmitButton"], [data-testid="stPageLink"], [data-testid="stSelectbox"],
  [data-testid="stMultiSelect"], [data-testid="stDateInput"], [data-testid="stTextInput"],
  [data-testid="stNumberInput"], [data-testid="stTextArea"], [data-testid="stFileUploader"],
  [data-testid="stRadio"], [data-testid="stCheckbox"], [data-testid="stToggle"],
  [data-testid="stSegmentedControl"], [data-testid="stButtonGroup"], [data-testid="stPopover"],
  [data-testid="stExpanderToggleIcon"], .modebar-container { display: none !important; }
  [data-testid="stAppViewContainer"], [data-testid="stMain"] { margin: 0 !important; overflow: visible !important; }
  [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 !important; }
  [data-testid="stVerticalBlockBorderWrapper"], [data-testid="stPlotlyChart"],
  [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stMetric"] { break-inside: avoid; }
}
"""


def inject() -> None:
    st.html(f"<style>{CSS}</style>")
