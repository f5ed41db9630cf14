"""The page registry: the one place that lists every page (file, title key, icon, roles, section).

app.py builds st.navigation from it; page_setup checks roles against it; the browser test opens every
URL in it. A page whose file does not exist yet is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashboard.config import PROJECT_ROOT

ALL_ROLES = frozenset({"admin", "leader", "unit", "readonly"})


@dataclass(frozen=True)
class PageSpec:
    key: str  # page_setup(key); also the URL path (file stem)
    path: str  # relative to the project root
    title_key: str  # i18n key of the title
    icon: str  # Material icon, ":material/name:"
    section: str  # i18n key of the section header
    roles: frozenset[str] = ALL_ROLES

    @property
    def url_path(self) -> str:
        return Path(self.path).stem

    def exists(self, root: Path = PROJECT_ROOT) -> bool:
        return (root / self.path).is_file()

    def allows(self, role: str | None) -> bool:
        return role is not None and role in self.roles


def _p(key, title, icon, section, roles=ALL_ROLES):
    return PageSpec(
        key,
        f"pages/{key}.py",
        f"common.page.{title}",
        f":material/{icon}:",
        section,
        frozenset(roles),
    )


S_OVERSIGHT = "common.section.oversight"
S_DRAW = "common.section.draw"
S_ANALYSIS = "common.section.analysis"
S_ADMIN = "common.section.admin"

PAGES: tuple[PageSpec, ...] = (
    _p("overview", "overview", "dashboard", S_OVERSIGHT),
    _p("coverage", "coverage", "donut_large", S_OVERSIGHT),
    _p("joint", "joint", "groups", S_OVERSIGHT),
    _p("timeliness", "timeliness", "schedule", S_OVERSIGHT),
    _p("risk", "risk", "warning", S_OVERSIGHT),
    _p("plans", "plans", "event_note", S_OVERSIGHT),
    _p("ranking", "ranking", "leaderboard", S_OVERSIGHT),
    _p("quality", "quality", "fact_check", S_OVERSIGHT),
    _p("report", "report", "description", S_OVERSIGHT),
    _p("glossary", "glossary", "menu_book", S_OVERSIGHT),
    _p("draw", "draw", "casino", S_DRAW),
    _p("entry", "entry", "edit_note", S_DRAW),
    _p("followup", "followup", "assignment_turned_in", S_DRAW),
    _p("revisit", "revisit", "replay", S_DRAW),
    _p("registers", "registers", "inventory_2", S_DRAW),
    _p("analysis", "analysis", "query_stats", S_ANALYSIS),
    _p("data_management", "data_management", "database", S_ADMIN),
    _p("users", "users", "manage_accounts", S_ADMIN, {"admin"}),
    _p("audit", "audit", "history", S_ADMIN, {"admin", "leader"}),
    _p("settings", "settings", "settings", S_ADMIN, {"admin"}),
    _p("account", "account", "key", S_ADMIN),
)

LOGIN = PageSpec("login", "pages/login.py", "common.page.login", ":material/login:", "", ALL_ROLES)

BY_KEY: dict[str, PageSpec] = {p.key: p for p in PAGES} | {LOGIN.key: LOGIN}

DEFAULT_ORDER = ("overview", "data_management")


def page_spec(key: str) -> PageSpec | None:
    return BY_KEY.get(key)


def visible_pages(role: str | None, root: Path = PROJECT_ROOT) -> list[PageSpec]:
    """Registered pages whose file exists and that the role may open, in menu order."""
    return [p for p in PAGES if p.exists(root) and p.allows(role)]


def default_page_key(pages: list[PageSpec]) -> str | None:
    keys = {p.key for p in pages}
    for key in DEFAULT_ORDER:
        if key in keys:
            return key
    return pages[0].key if pages else None
