"""The one value every metric, list, export and draw takes: what to count and who may see it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date


@dataclass(frozen=True)
class Scope:
    """Year Y and as-of date T (DESIGN.md §5), plus access control and optional filters.

    `allowed_units` None means every unit (administrator, leader); otherwise the user's units. Metrics
    must intersect any filter with `allowed_units`, so access control cannot be forgotten.
    """

    year: int
    as_of: date
    allowed_units: frozenset[str] | None = None
    unit: str | None = None
    item: str | None = None
    town: str | None = None
    role: str = "admin"
    username: str = "system"
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def for_year(cls, year: int, as_of: date | None = None, **kwargs) -> Scope:
        if as_of is None:
            today = date.today()
            as_of = today if today.year == year else date(year, 12, 31)
        return cls(year=year, as_of=as_of, **kwargs)

    def with_(self, **changes) -> Scope:
        return replace(self, **changes)

    @property
    def unit_filter(self) -> list[str] | None:
        """Units the result may include: the chosen unit within the allowed ones, or None for all."""
        if self.unit is not None:
            if self.allowed_units is not None and self.unit not in self.allowed_units:
                return []
            return [self.unit]
        if self.allowed_units is not None:
            return sorted(self.allowed_units)
        return None
