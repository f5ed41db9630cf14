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
