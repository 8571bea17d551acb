"""Errors a user can cause, each with a message meant for that user.

The message is a :class:`workbench.messages.Message` (an id and parameters) so
that it reaches the user in their language; plain strings are still accepted
for text that needs no translation. The web layer turns errors into pages and
flashes in one place (``workbench.web.errors``), the CLI into exit codes in one
place (``workbench.cli``). ``str(error)`` is the English text, for logs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.messages import Message, MessageLike, Translator, msg, nmsg, render


class WorkbenchError(Exception):
    """Base class: ``message`` is shown to the user, rendered in their language."""

    http_status = 400
    exit_code = 1

    def __init__(self, message: MessageLike = "", *args: Any) -> None:
        super().__init__(message, *args)
        self.message: MessageLike = message

    def render(self, translator: Translator | None = None) -> str:
        """The message in the translator's language."""
        return render(self.message, translator)

    def __str__(self) -> str:
        return self.render()


class NotFound(WorkbenchError):
    """The record does not exist, or the user may not know that it exists."""

    http_status = 404

    def __init__(self, message: MessageLike | None = None, *args: Any) -> None:
        super().__init__(message if message is not None else msg("No such record."), *args)


class PermissionDenied(WorkbenchError):
    """The user's role does not allow this action."""

    http_status = 403


class Conflict(WorkbenchError):
    """The record changed since the user loaded it (optimistic locking)."""

    http_status = 409

    def __init__(self, message: MessageLike, *, current: Any = None, attempted: Any = None) -> None:
        super().__init__(message)
        self.current = current
        self.attempted = attempted


class TooManyAttempts(WorkbenchError):
    """Sign-in throttled; ``retry_after`` is how many seconds to wait (for a Retry-After header)."""

    http_status = 429

    def __init__(self, message: MessageLike = "", *args: Any,
                 retry_after: int | None = None) -> None:
        super().__init__(message, *args)
        self.retry_after = retry_after


class TemporaryFailure(WorkbenchError):
    """A failure that trying again later may cure: a busy database, a model server down.

    Background jobs queue their run again with a backoff on any subclass
    (:func:`workbench.jobs.runner.is_transient`); a person sees the message.
    """

    http_status = 503


class Busy(TemporaryFailure):
    """The database stayed locked by another writer; the user may simply try again."""

    http_status = 503

    def __init__(self, message: MessageLike | None = None, *args: Any) -> None:
        super().__init__(message if message is not None else msg(
            "The database is busy with another change. Nothing was saved yet: "
            "try again in a moment."), *args)


@dataclass
class Problem:
    """One thing wrong with an input: where (row, column), the value, and why.

    ``column`` is the column as the user's file or form named it.
    """

    reason: MessageLike
    row: int | None = None
    column: str | None = None
    value: Any = None

    def render(self, translator: Translator | None = None) -> str:
        """The problem as one line in the translator's language."""
        where = []
        if self.row is not None:
            where.append(msg("row %(row)s", row=self.row).render(translator))
        if self.column:
            where.append(msg("column '%(column)s'", column=self.column).render(translator))
        reason = render(self.reason, translator)
        if self.value not in (None, ""):
            reason = msg("%(reason)s (value: %(value)s)", reason=reason,
                         value=repr(self.value)).render(translator)
        return f"{', '.join(where)}: {reason}" if where else reason

    def __str__(self) -> str:
        return self.render()


@dataclass
class ValidationError(WorkbenchError):
    """Input that cannot be accepted; ``problems`` lists every problem found."""

    problems: list[Problem] = field(default_factory=list)
    summary: MessageLike = field(
        default_factory=lambda: msg("The input has problems; nothing was saved."))

    def __post_init__(self) -> None:
        WorkbenchError.__init__(self, self.summary)

    def render(self, translator: Translator | None = None, limit: int = 200) -> str:
        """The summary and every problem (up to ``limit``), one per line."""
        lines = [render(self.summary, translator)]
        lines += [f"  - {problem.render(translator)}" for problem in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append("  " + nmsg("… and %(n)s more", "… and %(n)s more",
                                     len(self.problems) - limit).render(translator))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def single(cls, reason: MessageLike, **where: Any) -> "ValidationError":
        """A validation error with one problem, its message the reason itself."""
        return cls([Problem(reason, **where)], summary=reason)


__all__ = ["WorkbenchError", "NotFound", "PermissionDenied", "Conflict", "TooManyAttempts",
           "Busy", "Problem", "ValidationError", "Message"]
