"""Job kinds: every long task the job system can run.

A kind is a plain domain function that takes the database and keyword
arguments and returns a JSON-ready result dictionary::

    def recheck_for_concepts(db, concept_ids, progress=None) -> dict: ...

The runner calls it as ``fn(db, progress=progress, **arguments)``, where
``progress(done, total, message=None)`` stores how far the run is (``message``
is a :class:`workbench.messages.Message`) and raises
:class:`workbench.jobs.JobCancelled` once the run was cancelled. A function
that also names ``actor`` (the person who started the run), ``settings`` or
``run_id`` among its parameters receives them too. A result may carry
``summary`` (a Message shown on the Jobs page) and ``file`` (the name of a file
the run wrote into the export folder, offered for download).

A kind is registered through the ``register_job_kinds`` hook: a plugin answers
a list of :class:`JobKind` (the built-in ones come from each part's plugin
module, e.g. :mod:`workbench.exports.plugin`); :func:`workbench.plugins.job_kinds`
lists them. The function is imported only when a run of the kind starts.
"""
from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from workbench import plugins
from workbench.errors import ValidationError
from workbench.messages import Message, MessageLike, msg

# Parameters a kind function may name to receive them from the runner.
INJECTABLE = ("actor", "settings", "run_id")


def _resolve(target: str | Callable[..., Any]) -> Callable[..., Any]:
    if callable(target):
        return target
    module_name, _, name = target.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module_name), name)
    return function


@dataclass(frozen=True)
class JobKind:
    """One kind of background work.

    ``target`` is the function, or ``"package.module:function"`` to import it
    lazily. ``permission`` is what a user needs to start a run (the domain's own
    start function may check more); ``view_permission`` lets every holder see
    the runs of this kind (county scope still applies), others see only the
    runs they started. ``title`` optionally names a function
    ``title(arguments) -> Message`` that says what one run works on.
    """

    id: str
    label: str
    target: str | Callable[..., Any]
    permission: str | None = None
    view_permission: str | None = None
    title: str | Callable[[Mapping[str, Any]], MessageLike] | None = None

    @property
    def message(self) -> Message:
        """The kind's label as a translatable message."""
        return Message(self.label)

    def function(self) -> Callable[..., Any]:
        """The kind's function (imported on first use)."""
        return _resolve(self.target)

    def describe(self, arguments: Mapping[str, Any]) -> MessageLike:
        """What one run of this kind works on (its title, else the kind's label)."""
        if self.title is None:
            return self.message
        try:
            title: MessageLike = _resolve(self.title)(arguments)
        except Exception:  # noqa: BLE001 - a title must never break a listing
            return self.message
        return title

    def call(self, db: Any, arguments: Mapping[str, Any], progress: Callable[..., None],
             extras: Mapping[str, Any]) -> Any:
        """Run the function with the arguments, progress and the extras it asks for."""
        function = self.function()
        parameters = inspect.signature(function).parameters
        accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        injected = {name: value for name, value in extras.items()
                    if name in INJECTABLE and (accepts_any or name in parameters)}
        return function(db, progress=progress, **dict(arguments), **injected)


def get_kind(kind_id: str) -> JobKind:
    """The registered kind, or a ValidationError naming the known ones."""
    known = plugins.job_kinds()
    kind = known.get(kind_id)
    if kind is None:
        raise ValidationError.single(
            msg("Unknown job kind %(kind)s; known kinds: %(known)s.", kind=kind_id,
                known=", ".join(sorted(known))), column="kind", value=kind_id)
    return kind


def kind_label(kind_id: str) -> MessageLike:
    """The label of a kind id (the id itself when it is not registered)."""
    kind = plugins.job_kinds().get(kind_id)
    return kind.message if kind else kind_id

