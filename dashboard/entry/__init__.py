"""Result entry, follow-up and return visits (issue #5).

rules    the ONE module of entry rules (forms and bulk upload alike); pure functions → Issue
service  writes with permission check, history (entry_history) and audit; lists for the pages
bulk     XLSX/CSV upload of `inspections` / `followups`: preview (dry run) and commit;
         check_parsed(store, parsed, today) is the hook for the general importer
"""

from dashboard.entry.rules import (
    FollowupInput,
    InspectionContext,
    InspectionInput,
    Issue,
)
from dashboard.entry.service import EntryError, SaveResult

__all__ = [
    "EntryError",
    "FollowupInput",
    "InspectionContext",
    "InspectionInput",
    "Issue",
    "SaveResult",
]
