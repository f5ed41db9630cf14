"""Every page in Chinese (issue 12 point 1): opens each page as admin and as a unit user in headless
Chromium and finds no English word in the visible text (labels, tables, charts, placeholders, dialogs).

Allowed: file formats and standard abbreviations (CSV, Excel, SQL …), codes written in capitals or with
digits (KCK, RW2026017, SHA-256), the name of the other language on the switch, and text inside code
blocks (commands such as `dashboard restore latest` and SQL are literal)."""

from __future__ import annotations

import re

import pytest

from dashboard.ui import nav
from tests.browser_util import BROWSER_MARKS, log_in, served_browser, shot, wait_for_idle

pytestmark = BROWSER_MARKS

VISIBLE_TEXT_JS = """
() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim()) continue;
    if (el.closest('[data-testid="stIconMaterial"], script, style, noscript, code, pre, '
                   + '[aria-hidden="true"], .st-key-session_cookie_box, .st-key-zh_patch_box')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || parseFloat(cs.opacity) === 0) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    out.push(n.textContent.trim());
  }
  document.querySelectorAll('input[placeholder], textarea[placeholder]').forEach((e) => {
    const r = e.getBoundingClientRect();
    if (!e.value && r.width > 1 && !e.closest('[data-baseweb="select"]')) out.push(e.placeholder);
  });
  return out.join('\\n');
}
"""

# words of at least three letters that are not Chinese text
# (a file name such as entities.csv is literal, so a word before ".csv"/".xlsx" does not count)
WORD = re.compile(
    r"(?<![A-Za-z0-9_./-])[A-Za-z][a-z]{2,}(?![A-Za-z0-9_]|\.(?:csv|xlsx|json|html|docx))"
)
ALLOWED = {"English", "Excel", "Word"}

USERS = {"admin": "Admin@2026", "kck": "Unit@2026"}


def english_words(text: str, *, usernames: set[str] = frozenset()) -> set[str]:
    """English words of `text`; log-in names (data, such as "kck") are not words of the interface."""
    return {w for w in WORD.findall(text) if w not in ALLOWED and w not in usernames}


def test_the_word_finder():
    assert english_words("Browse files 选择文件") == {"Browse", "files"}
    assert english_words("下载 CSV　Excel　KCK　RW2026017　SHA-256　2026-11-27") == set()
    assert english_words("检查对象 entities.csv") == set()
    assert english_words("用户名 kck", usernames={"kck"}) == set()


@pytest.mark.parametrize("username", list(USERS))
def test_every_page_has_no_english_words(fresh_demo_copy, username):
    role = "admin" if username == "admin" else "unit"
    found: dict[str, set[str]] = {}
    with served_browser(fresh_demo_copy) as (server, browser):
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        page.goto(server.url)
        text = page.evaluate(VISIBLE_TEXT_JS)
        log_in(page, username, USERS[username])
        found["login"] = english_words(text)
        for spec in nav.visible_pages(role):
            page.goto(f"{server.url}/{spec.url_path}")
            page.wait_for_selector('[data-testid="stSidebar"]', timeout=90_000)
            page.get_by_text("退出登录").first.wait_for(timeout=90_000)
            wait_for_idle(page)
            page.wait_for_timeout(400)
            words = english_words(page.evaluate(VISIBLE_TEXT_JS), usernames=set(USERS))
            if words:
                found[spec.key] = words
            # the keyboard users' skip link is visually hidden but read out and shown on Tab
            if "Skip to main content" in page.inner_text("body"):
                found.setdefault(spec.key, set()).add("Skip to main content")
            shot(page, f"zh_{username}_{spec.key}")
    found = {k: v for k, v in found.items() if v}
    assert not found, "; ".join(f"{k}: {sorted(v)}" for k, v in found.items())
