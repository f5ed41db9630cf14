"""Running the product for real (issue 15): program version, the store's schema version read without
migrating, `dashboard serve`'s production settings, `dashboard doctor` and the offline bundle.

Nothing here imports streamlit (the server itself starts in dashboard.ui.server)."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from dashboard.config import PROJECT_ROOT

PROGRAM_NAME = "双随机监管驾驶舱"


def program_version() -> str:
    """The release, as in pyproject.toml's [project] version (the installed metadata when the source
    tree has no pyproject.toml); "未知" when neither says."""
    pyproject = PROJECT_ROOT / "pyproject.toml"
    if pyproject.exists():
        try:
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
            if project.get("name") == "dashboard" and project.get("version"):
                return str(project["version"])
        except (OSError, tomllib.TOMLDecodeError):
            pass
    try:
        return metadata.version("dashboard")
    except metadata.PackageNotFoundError:
        return "未知"


class StoreInUse(Exception):
    """The store file is held by another process (usually the running app); str(e) names the holder."""


def read_schema_version(path: str | Path) -> int | None:
    """The schema version recorded in the store file at `path`, read-only and without migrating:
    None when the file does not exist or has no schema_version table yet; StoreInUse when another
    process holds the file (DuckDB allows one process at a time)."""
    import duckdb

    path = Path(path)
    if not path.exists():
        return None
    try:
        con = duckdb.connect(
            str(path),
            read_only=True,
            config={"autoload_known_extensions": False, "autoinstall_known_extensions": False},
        )
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreInUse(str(exc)) from exc
        raise
    try:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ).fetchall()[0][0]
        if not found:
            return None
        return con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
    finally:
        con.close()
