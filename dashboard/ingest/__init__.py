"""Import and export in the interchange format (DESIGN.md §4).

    run_import(store, source, *, actor, dry_run=False, progress=None, mapping=None) -> ImportReport
    limits(store) -> (Limits, problem list length)
    export_store(store, directory) -> list[Path]
    write_templates(directory) -> list[Path]
    inventory(store) -> dict[str, DataFrame]

The table layout (columns, Chinese headers, types, keys, references) lives in `dashboard.ingest.spec`.
"""

from dashboard.ingest.export import export_store, write_templates
from dashboard.ingest.importer import ImportReport, limits, run_import
from dashboard.ingest.inventory import inventory
from dashboard.ingest.problems import ERROR, WARNING, Problem

__all__ = [
    "ERROR",
    "WARNING",
    "ImportReport",
    "Problem",
    "export_store",
    "inventory",
    "limits",
    "run_import",
    "write_templates",
]
