"""One problem of an import: where (file, row, column), what (value) and what to do (message)."""

from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"
SEVERITY_ZH = {ERROR: "错误", WARNING: "警告"}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # as a spreadsheet shows it (header = row 1); None = the whole file
    column: str | None  # English column name; None = the whole row or file
    value: str | None
    message: str  # one plain Chinese sentence naming the fix
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_line(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 列 {self.column}"
        value = f" 值“{self.value}”" if self.value not in (None, "") else ""
        return f"[{SEVERITY_ZH[self.severity]}] {where}{value}：{self.message}"


class ProblemLog(list):
    """The problems of one import, at most `limit` of each severity kept (the rest only counted), so
    a file of three million bad rows costs no more memory than the list a page can show (issue 16)."""

    def __init__(self, limit: int = 10_000) -> None:
        super().__init__()
        self.limit = limit
        self.kept = {ERROR: 0, WARNING: 0}
        self.dropped = {ERROR: 0, WARNING: 0}

    def append(self, problem: Problem) -> None:  # type: ignore[override]
        if self.kept[problem.severity] < self.limit:
            super().append(problem)
            self.kept[problem.severity] += 1
        else:
            self.dropped[problem.severity] += 1

    def extend(self, problems) -> None:  # type: ignore[override]
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems):  # type: ignore[override]
        self.extend(problems)
        return self

    def full(self, severity: str) -> bool:
        """True once no more of `severity` are kept: a caller may count instead of writing one."""
        return self.kept[severity] >= self.limit

    def count_only(self, severity: str) -> None:
        self.dropped[severity] += 1

    def total(self, severity: str) -> int:
        return self.kept[severity] + self.dropped[severity]
