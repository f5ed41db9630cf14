"""Text catalogs: every locales/<lang>/<area>.toml is loaded; keys are "<area>.<name>" (DESIGN.md §7).

`t(key, **fmt)` looks the key up in the session's language (zh_CN by default), falls back to zh_CN, and
returns the key itself when it is missing everywhere (so a missing text is visible, never a crash).
Nested TOML tables flatten with dots: [kpi] coverage = "…" in overview.toml is "overview.kpi.coverage".
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANG = "zh_CN"
LANGUAGES = {"zh_CN": "中文", "en": "English"}
LANG_STATE_KEY = "ui_lang"


def _flatten(prefix: str, table: dict, out: dict[str, str]) -> None:
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if isinstance(value, dict):
            _flatten(key, value, out)
        else:
            out[key] = str(value)


@cache
def catalog(lang: str) -> dict[str, str]:
    """All keys of one language (read once per process)."""
    out: dict[str, str] = {}
    folder = LOCALES_DIR / lang
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as fh:
            _flatten(path.stem, tomllib.load(fh), out)
    return out


def catalog_files(lang: str) -> dict[str, set[str]]:
    """Keys per file of one language (for the same-keys test)."""
    result = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.toml")):
        keys: dict[str, str] = {}
        with path.open("rb") as fh:
            _flatten(path.stem, tomllib.load(fh), keys)
        result[path.name] = set(keys)
    return result


def current_lang() -> str:
    try:
        import streamlit as st
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        if get_script_run_ctx(suppress_warning=True) is None:  # plain Python, not a Streamlit run
            return DEFAULT_LANG
        lang = st.session_state.get(LANG_STATE_KEY, DEFAULT_LANG)
    except Exception:  # noqa: BLE001
        lang = DEFAULT_LANG
    return lang if lang in LANGUAGES else DEFAULT_LANG


def translate(key: str, lang: str, **fmt) -> str:
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT_LANG).get(key, key)
    if fmt:
        try:
            return text.format(**fmt)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def t(key: str, **fmt) -> str:
    """The text for `key` in the session's language, formatted with `fmt` ({name} placeholders)."""
    return translate(key, current_lang(), **fmt)
