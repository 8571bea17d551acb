"""The plugin manager and what the plugins register.

One pluggy :class:`~pluggy.PluginManager` per process, built on first use: the
built-in plugins (:data:`BUILTIN_PLUGINS`, modules of ``@hookimpl`` functions,
registered exactly as an outside plugin is), then the installed packages that
declare an entry point in the ``signbench`` group. The hooks are specified in
:mod:`workbench.hooks`.

The helpers below gather each hook's answers into one ordered collection:
built-in plugins in their declared order, then the other plugins by name, and
within a plugin the order it answered in. Nothing depends on which module
happened to be imported first. Two things with the same id are refused with a
:class:`PluginError` naming both plugins. The collections are kept until the
set of registered plugins changes (:func:`register`, :func:`unregister`).
"""
from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from workbench import hooks
from workbench.errors import WorkbenchError
from workbench.messages import Message, msg

if TYPE_CHECKING:  # pragma: no cover
    import click
    from flask import Blueprint
    from sqlite_utils import Database

    from workbench.auth import User
    from workbench.bootstrap import SeedStep
    from workbench.checks.base import Check
    from workbench.documents.formats import DocumentFormat
    from workbench.exports.runs import ExportKind
    from workbench.jobs.kinds import JobKind
    from workbench.mt.base import Engine
    from workbench.web import NavItem
    from workbench.web.home import WaitingItem

# What the workbench brings itself, in this order (the order checks report findings in,
# seed steps run in — the demo inventory needs the glossary — and menus list things in).
# Each module holds the @hookimpl functions of one part of the workbench.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "workbench.glossary.plugin",
    "workbench.checks.plugin",
    "workbench.mt.plugin",
    "workbench.inventory.plugin",
    "workbench.review.plugin",
    "workbench.documents.plugin",
    "workbench.exports.plugin",
    "workbench.reports.plugin",
    "workbench.ocr.plugin",
    "workbench.jobs.plugin",
    "workbench.web.plugin",
)
# The entry-point group installed plugins declare themselves in.
ENTRY_POINT_GROUP = hooks.PROJECT

T = TypeVar("T")


class PluginError(WorkbenchError):
    """A plugin could not be loaded, or registers something the workbench cannot take."""

    http_status = 500
    exit_code = 2


_build_lock = threading.Lock()
_manager: pluggy.PluginManager | None = None
# hook name → (the plugins registered when it was gathered, what was gathered)
_gathered: dict[str, tuple[tuple[tuple[str, Any], ...], Any]] = {}


def manager() -> pluggy.PluginManager:
    """The process's plugin manager, built on first use (built-ins, then installed plugins)."""
    global _manager
    if _manager is None:
        with _build_lock:
            if _manager is None:
                _manager = _build()
    return _manager


def _build() -> pluggy.PluginManager:
    plugin_manager = pluggy.PluginManager(hooks.PROJECT)
    plugin_manager.add_hookspecs(hooks)
    for name in BUILTIN_PLUGINS:
        plugin_manager.register(importlib.import_module(name), name=name)
    try:
        plugin_manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        # A misspelt hook name would otherwise be ignored without a word.
        plugin_manager.check_pending()
    except Exception as error:  # noqa: BLE001 - any failure of a plugin's import or hooks
        raise PluginError(msg(
            "An installed Signbench plugin could not be loaded (entry-point group "
            "“%(group)s”): %(error)s", group=ENTRY_POINT_GROUP,
            error=f"{type(error).__name__}: {error}")) from error
    return plugin_manager


def register(plugin: object, name: str | None = None) -> str:
    """Register one more plugin in this process (tests, embedding); returns its name.

    A plugin implementing a hook that does not exist (a misspelt name) is refused.
    """
    plugin_manager = manager()
    try:
        registered = plugin_manager.register(plugin, name=name)
        if registered is None:  # blocked by name
            raise PluginError(msg("The plugin %(name)s is blocked.", name=name or repr(plugin)))
        plugin_manager.check_pending()
    except pluggy.PluginValidationError as error:
        if plugin_manager.is_registered(plugin):
            plugin_manager.unregister(plugin)
        raise PluginError(msg("The plugin %(name)s cannot be registered: %(error)s",
                              name=name or repr(plugin), error=str(error))) from error
    return registered


def unregister(name: str) -> None:
    """Take a plugin registered with :func:`register` away again."""
    manager().unregister(name=name)


@contextlib.contextmanager
def installed(plugin: object, name: str | None = None) -> Iterator[str]:
    """Register ``plugin`` for the duration of a ``with`` block (mostly for tests)."""
    registered = register(plugin, name)
    try:
        yield registered
    finally:
        unregister(registered)


def _rank(plugin_name: str) -> tuple[int, str]:
    if plugin_name in BUILTIN_PLUGINS:
        return (BUILTIN_PLUGINS.index(plugin_name), "")
    return (len(BUILTIN_PLUGINS), plugin_name)


def answers(hook_name: str, **arguments: Any) -> list[tuple[str, Any]]:
    """Each plugin's answer to a hook, as ``(plugin name, answer)``, in plugin order.

    Built-in plugins come in :data:`BUILTIN_PLUGINS` order, then the others by
    name: pluggy's own order (last registered first) would depend on installation
    order. Implementations get only the arguments they name; None answers are left out.
    """
    caller = getattr(manager().hook, hook_name)
    found = []
    for impl in sorted(caller.get_hookimpls(), key=lambda impl: _rank(impl.plugin_name)):
        if impl.hookwrapper or impl.wrapper:
            raise PluginError(msg("The plugin %(plugin)s wraps the hook %(hook)s; Signbench "
                                  "hooks only gather answers.", plugin=impl.plugin_name,
                                  hook=hook_name))
        answer = impl.function(*(arguments[name] for name in impl.argnames))
        if answer is not None:
            found.append((impl.plugin_name, answer))
    return found


def _registered() -> tuple[tuple[str, Any], ...]:
    return tuple(manager().list_name_plugin())


def _still(recorded: tuple[tuple[str, Any], ...], current: tuple[tuple[str, Any], ...]) -> bool:
    return len(recorded) == len(current) and all(
        a_name == b_name and a_plugin is b_plugin
        for (a_name, a_plugin), (b_name, b_plugin) in zip(recorded, current, strict=True))


def _cached(hook_name: str, gather: Callable[[], T]) -> T:
    """What ``gather()`` makes of a hook, kept while the registered plugins stay the same."""
    current = _registered()
    entry = _gathered.get(hook_name)
    if entry is not None and _still(entry[0], current):
        return entry[1]
    value = gather()
    _gathered[hook_name] = (current, value)
    return value


def _by_id(hook_name: str, what: Message,
           identify: Callable[[str, Any], str]) -> dict[str, Any]:
    """Every item the plugins answer to ``hook_name``, by id; a second item with an id raises.

    ``identify(plugin_name, item)`` checks one item and returns its id.
    """
    items: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for plugin_name, answer in answers(hook_name):
        for item in answer:
            item_id = identify(plugin_name, item)
            if item_id in items:
                raise PluginError(msg(
                    "The %(what)s “%(id)s” is registered twice: by %(first)s and by "
                    "%(second)s.", what=what, id=item_id, first=owners[item_id],
                    second=plugin_name))
            items[item_id] = item
            owners[item_id] = plugin_name
    return items


def _refuse(plugin_name: str, hook_name: str, item: Any, expected: Message) -> PluginError:
    return PluginError(msg("The plugin %(plugin)s answered %(hook)s with %(item)s; expected "
                           "%(expected)s.", plugin=plugin_name, hook=hook_name,
                           item=repr(item), expected=expected))


def _class_id(base: type, hook_name: str) -> Callable[[str, Any], str]:
    """An ``identify`` for hooks answering subclasses of ``base`` with an ``id``."""
    def identify(plugin_name: str, item: Any) -> str:
        item_id = getattr(item, "id", "") if isinstance(item, type) else ""
        if not (item_id and issubclass(item, base)):
            raise _refuse(plugin_name, hook_name, item, msg(
                "subclasses of %(base)s with an id", base=base.__name__))
        return str(item_id)
    return identify


def _instance_id(base: type, hook_name: str,
                 attribute: str = "id") -> Callable[[str, Any], str]:
    """An ``identify`` for hooks answering instances of ``base``."""
    def identify(plugin_name: str, item: Any) -> str:
        if not (isinstance(item, base) and getattr(item, attribute, None)):
            raise _refuse(plugin_name, hook_name, item, msg(
                "%(base)s objects with a %(attribute)s", base=base.__name__,
                attribute=attribute))
        return str(getattr(item, attribute))
    return identify


# --- what the plugins register -----------------------------------------------------------------

def checks() -> dict[str, Check]:
    """Every QA check by id, one instance each, in the order findings are reported."""
    def gather() -> dict[str, Check]:
        from workbench.checks.base import SEVERITIES, Check

        identify = _class_id(Check, "register_checks")

        def check_id(plugin_name: str, item: Any) -> str:
            found = identify(plugin_name, item)
            if item.severity not in SEVERITIES:
                raise _refuse(plugin_name, "register_checks", item, msg(
                    "a check with a severity in %(severities)s",
                    severities=", ".join(SEVERITIES)))
            return found
        return {check_id: cls() for check_id, cls in
                _by_id("register_checks", msg("QA check"), check_id).items()}
    return _cached("register_checks", gather)


def engines() -> dict[str, type[Engine]]:
    """Every drafting engine class by id (families not yet expanded into their variants)."""
    def gather() -> dict[str, type[Engine]]:
        from workbench.mt.base import Engine

        return _by_id("register_engines", msg("engine"), _class_id(Engine, "register_engines"))
    return _cached("register_engines", gather)


def export_kinds() -> dict[str, ExportKind]:
    """Every kind of export by id, in the order the Exports page offers them."""
    def gather() -> dict[str, ExportKind]:
        from workbench.exports.runs import ExportKind

        return _by_id("register_export_kinds", msg("export kind"),
                      _instance_id(ExportKind, "register_export_kinds"))
    return _cached("register_export_kinds", gather)


def document_formats() -> dict[str, DocumentFormat]:
    """Every document format by id (the id stored with each uploaded document)."""
    def gather() -> dict[str, DocumentFormat]:
        from workbench.documents.formats import DocumentFormat

        return _by_id("register_document_formats", msg("document format"),
                      _instance_id(DocumentFormat, "register_document_formats"))
    return _cached("register_document_formats", gather)


def job_kinds() -> dict[str, JobKind]:
    """Every kind of background job by id."""
    def gather() -> dict[str, JobKind]:
        from workbench.jobs.kinds import JobKind

        return _by_id("register_job_kinds", msg("job kind"),
                      _instance_id(JobKind, "register_job_kinds"))
    return _cached("register_job_kinds", gather)


def commands() -> dict[str, click.Command]:
    """Every command the plugins add to ``workbench``, by name."""
    def gather() -> dict[str, click.Command]:
        import click

        return _by_id("register_commands", msg("command"),
                      _instance_id(click.Command, "register_commands", "name"))
    return _cached("register_commands", gather)


def blueprints() -> list[Blueprint]:
    """Every blueprint of the web app, in registration order."""
    def gather() -> list[Blueprint]:
        from flask import Blueprint

        return list(_by_id("register_blueprints", msg("blueprint"),
                           _instance_id(Blueprint, "register_blueprints", "name")).values())
    return _cached("register_blueprints", gather)


def seed_steps() -> list[SeedStep]:
    """The steps ``workbench init`` runs after the migrations, in order."""
    def gather() -> list[SeedStep]:
        from workbench.bootstrap import SeedStep

        return list(_by_id("seed_steps", msg("seed step"),
                           _instance_id(SeedStep, "seed_steps", "name")).values())
    return _cached("seed_steps", gather)


def nav_items() -> list[NavItem]:
    """The top navigation's links, by their ``order`` (equal orders: plugin order)."""
    def gather() -> list[NavItem]:
        from workbench.web import NavItem

        items = _by_id("nav_items", msg("navigation link"),
                       _instance_id(NavItem, "nav_items", "endpoint"))
        return sorted(items.values(), key=lambda item: item.order)
    return _cached("nav_items", gather)


def home_cards(db: Database, user: User) -> list[WaitingItem]:
    """What waits for ``user`` on the home page, every plugin's items in plugin order."""
    return [item for _plugin, items in answers("home_cards", db=db, user=user)
            for item in items]


# --- what is installed -------------------------------------------------------------------------

@dataclass(frozen=True)
class PluginInfo:
    """One registered plugin: its name, whether it is built in, its package and hooks."""

    name: str
    builtin: bool
    package: str | None
    version: str | None
    hooks: tuple[str, ...]


def describe() -> list[PluginInfo]:
    """The registered plugins in plugin order, with the hooks each implements."""
    plugin_manager = manager()
    distributions = {id(plugin): dist for plugin, dist in plugin_manager.list_plugin_distinfo()}
    infos = []
    for name, plugin in sorted(plugin_manager.list_name_plugin(), key=lambda np: _rank(np[0])):
        if plugin is None:  # blocked
            continue
        dist = distributions.get(id(plugin))
        implemented = tuple(caller.name for caller in plugin_manager.get_hookcallers(plugin) or ())
        infos.append(PluginInfo(name, name in BUILTIN_PLUGINS,
                                dist.project_name if dist else None,
                                dist.version if dist else None,
                                tuple(h for h in hooks.specification_names() if h in implemented)))
    return infos
