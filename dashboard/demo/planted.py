"""The manifest of problems planted in the demo county: what a correct metric must find.

`planted(seed, as_of, scale)` regenerates the demo in memory (no store) and returns the manifest;
`load_planted(store)` reads the one saved with a demo store (store_meta 'demo_planted').

Keys (all codes sorted; pairs are [task_code, entity_code]):
- by_year[str(Y)] for every generated year Y, computed as of `as_of` with DESIGN.md §5 rules:
  late_entries (entered after deadline(inspected_on, 20)), late_entries_across_national_day,
  late_entries_across_spring_festival (subsets), entry_overdue (never entered, deadline < as_of),
  entry_pending (never entered, deadline ≥ as_of: not a problem yet), late_publications,
  publish_overdue, followup_overdue, backfill_late (= backfill_late_backfilled ∪ backfill_missing),
  tasks (count of tasks of Y), non_joint_tasks, non_risk_graded_tasks,
  coverage {base, inspected, by_unit{unit: distinct entities inspected in its tasks}},
  units_below_coverage (internal units with a task of Y below 5 %).
- high_risk_uninspected (the §5 set), high_risk_uninspected_planted (its deliberate part),
  risk_worsened [{entity_code, from_period, from_grade, from_score, to_period, to_grade, to_score}],
  inspector_low_findings {inspector_code, unit_code, year, inspections, findings, unit_inspections,
  unit_findings}, tasks_past_end_without_results, voided_tasks, voided_plans,
  plan_changes_not_republished [[plan_code, changed_on, field]],
  checklists_added_after_start [[item_code, form_name, added_on, task_code]],
  entity_codes {registration_no, bad_check_digit, untagged}, below_coverage_unit,
  seed, scale, as_of, years.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dashboard.store import Store


def planted(seed: int = 2026, as_of: date | None = None, scale: str = "county") -> dict:
    """The manifest of the demo built with this seed, as_of and scale (regenerated, no store)."""
    from dashboard.demo.generator import generate

    _, data = generate(seed, scale, as_of or date.today())
    return json.loads(json.dumps(data.manifest, ensure_ascii=False, sort_keys=True))


def load_planted(store: Store) -> dict | None:
    """The manifest saved with a demo store, or None for a store that is not a demo."""
    raw = store.meta("demo_planted")
    return json.loads(raw) if raw else None
