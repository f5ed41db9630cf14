"""Old home of the 随机抽取 page's helpers, kept as re-exports while the page moves: the tasks and
ad-hoc tasks are in dashboard.draw.tasks, the review tables and the ledger view in dashboard.draw.review.
"""

from dashboard.draw.review import (
    STATUS_LABELS,
    confirm_deadline,
    current_draw,
    inspector_pool_by_unit,
    ledger_view,
    ratio_args,
    redraw_units_text,
    split_list,
    strata_frame,
    targets_frame,
)
from dashboard.draw.tasks import (
    JOINT_KINDS,
    create_adhoc_task,
    items,
    joint_kind_for,
    next_adhoc_code,
    planned_tasks,
    task_summary,
    units,
)

__all__ = [
    "JOINT_KINDS",
    "STATUS_LABELS",
    "confirm_deadline",
    "create_adhoc_task",
    "current_draw",
    "inspector_pool_by_unit",
    "items",
    "joint_kind_for",
    "ledger_view",
    "next_adhoc_code",
    "planned_tasks",
    "ratio_args",
    "redraw_units_text",
    "split_list",
    "strata_frame",
    "task_summary",
    "targets_frame",
    "units",
]
