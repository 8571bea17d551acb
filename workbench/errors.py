"""Errors a user can cause, each with a message meant for that user.

The web layer turns them into flash messages / HTTP 4xx in one place
(``workbench.web.errors``), the CLI into exit codes in one place
(``workbench.cli``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class WorkbenchError(Exception):
    """Base class: ``str(error)`` is shown to the user as it is."""

    http_status = 400
    exit_code = 1


class NotFound(WorkbenchError):
    """The record does not exist, or the user may not know that it exists."""

    http_status = 404


class PermissionDenied(WorkbenchError):
    """The user's role does not allow this action."""

    http_status = 403


class Conflict(WorkbenchError):
    """The record changed since the user loaded it (optimistic locking)."""

    http_status = 409

    def __init__(self, message: str, *, current: Any = None, attempted: Any = None) -> None:
        super().__init__(message)
        self.current = current
        self.attempted = attempted


class TooManyAttempts(WorkbenchError):
    """Login rate limit reached."""

    http_status = 429


@dataclass
class Problem:
    """One thing wrong with an input: where (row, column), the value, and why."""

    reason: str
    row: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        shown = "" if self.value in (None, "") else f" (value: {self.value!r})"
        return f"{prefix}: {self.reason}{shown}" if prefix else f"{self.reason}{shown}"


@dataclass
class ValidationError(WorkbenchError):
    """Input that cannot be accepted; ``problems`` lists every problem found."""

    problems: list[Problem] = field(default_factory=list)
    summary: str = "The input has problems; nothing was saved."

    def __post_init__(self) -> None:
        super().__init__(self.summary)

    def __str__(self) -> str:
        lines = [self.summary] + [f"  - {p}" for p in self.problems[:200]]
        if len(self.problems) > 200:
            lines.append(f"  … and {len(self.problems) - 200} more")
        return "\n".join(lines)

    @classmethod
    def single(cls, reason: str, **where: Any) -> "ValidationError":
        """A validation error with one problem, its message the reason itself."""
        return cls([Problem(reason, **where)], summary=reason)
