"""Audit events as readable changes: which field, its value before and after.

Every history page (a sign's, a unit's audit trail, a proposal's, a report's, the
audit log itself) shows events through :func:`describe`, never as raw JSON. A
field is named by its label (:data:`workbench.vocabulary.HISTORY_FIELDS`), a coded
value by its vocabulary label (a sign status, a unit state, a role …), a county, a
site or a user by name, and everything people typed (texts, reasons, names) as it
is, marked as data so that pages can tell it from interface text.

The result is plain data with messages (no Flask): templates render labels with
``|msg`` and data as text.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from workbench.messages import Message, MessageLike, from_data, msg, nmsg
from workbench.vocabulary import (
    AUDIT_ACTIONS, AUDIT_ENTITIES, BOOLEANS, HISTORY_FIELDS, LANGUAGES, TERM_STATUSES,
    VALUE_VOCABULARIES, Vocabulary, actor_label,
)

# Bookkeeping that every event already shows (when, who) or that means nothing to a reader.
IGNORED_FIELDS = frozenset({
    "id", "created_at", "created_by", "updated_at", "updated_by", "version", "import_id",
    "payload_json", "base_updated_at", "proposed_at", "proposed_by", "session_generation",
    "password_changed_at", "author_id", "tm_entry", "scope", "sort_order",
    "draft_flags", "draft_prompt", "approved_at", "has_contact", "location_source",
    "arguments", "subject", "attempt", "worker", "via", "payload", "source_lang",
    "proposed_by_name", "glossary_concept", "photo_count",
})
# Fields whose value is a language code, and fields whose value is a list of them.
LANGUAGE_FIELDS = frozenset({"lang", "target_lang", "locale"})
LANGUAGE_LIST_FIELDS = frozenset({"languages", "targets"})
# Fields that hold text in the record's target language (shown with that language).
TARGET_TEXT_FIELDS = frozenset({"target_text", "target"})
# Fields stored as 0/1 that mean yes/no.
BOOLEAN_FIELDS = frozenset({"active", "verified", "needs_clarification"})
# Ids shown by name: field → table of names.
NAMED_IDS = {"county_id": "counties", "reported_county_id": "counties", "counties": "counties",
             "site_id": "sites", "sign_id": "signs", "assignees": "users"}


@dataclass(frozen=True)
class Value:
    """One side of a change: ``text`` is a label (a Message), a list of labels (shown
    joined), or data (shown as it is).

    ``lang`` says which language data is in, when it is a text of a sign or a unit.
    """

    text: MessageLike | list[MessageLike]
    data: bool = True
    lang: str | None = None
    is_time: bool = False  # a stored UTC time, shown in the readers' zone

    @property
    def is_label(self) -> bool:
        """True when the value is interface text (a vocabulary label or a message)."""
        return not self.data


@dataclass(frozen=True)
class Change:
    """One field that changed (or was set, for a new record)."""

    field: MessageLike
    before: Value | None
    after: Value | None


@dataclass
class Entry:
    """One audit event, readable: what happened, to which record, by whom, what changed."""

    id: int
    ts: str
    actor_name: str
    actor: Message | None  # the label of a system actor; None for a person (shown by name)
    action: str
    action_label: MessageLike
    entity_type: str
    entity_label: MessageLike
    entity_id: str | None
    changes: list[Change] = field(default_factory=list)


@dataclass
class _Names:
    """Names of the counties, sites and users the events refer to (one query each)."""

    tables: dict[str, dict[Any, str]] = field(default_factory=dict)

    def name(self, table: str, key: Any) -> str | None:
        return self.tables.get(table, {}).get(key)


_NAME_QUERIES = {
    "counties": "SELECT id, name_zh FROM counties WHERE id IN ({})",
    "sites": "SELECT id, name_zh FROM sites WHERE id IN ({})",
    "signs": "SELECT id, sign_code FROM signs WHERE id IN ({})",
    "users": "SELECT id, coalesce(nullif(display_name, ''), username) FROM users WHERE id IN ({})",
    # Not a name: the language of a unit, for its wording (an event may not say it).
    "unit_languages": "SELECT id, target_lang FROM translation_units WHERE id IN ({})",
}


def _load_names(db: Database, events: list[Mapping[str, Any]]) -> _Names:
    wanted: dict[str, set[int]] = {table: set() for table in _NAME_QUERIES}
    for event in events:
        if event.get("entity_type") == "translation_unit" and event.get("entity_id"):
            wanted["unit_languages"].add(int(event["entity_id"]))
        for side in (_side(event, "before"), _side(event, "after")):
            if not isinstance(side, Mapping):
                continue
            for name, table in NAMED_IDS.items():
                value = side.get(name)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, int):
                        wanted[table].add(item)
    names = _Names()
    for table, ids in wanted.items():
        if ids:
            marks = ",".join("?" * len(ids))
            names.tables[table] = dict(db.execute(_NAME_QUERIES[table].format(marks),
                                                  sorted(ids)).fetchall())
    return names


def _side(event: Mapping[str, Any], which: str) -> Any:
    if which in event:
        return event[which]
    raw = event.get(f"{which}_json")
    return json.loads(raw) if raw else None


def field_label(entity_type: str, name: str) -> MessageLike:
    """A field's label: the entity's own (``sign.status``) before the general one."""
    specific = f"{entity_type}.{name}"
    if specific in HISTORY_FIELDS:
        return HISTORY_FIELDS.label(specific)
    return HISTORY_FIELDS.label(name)


def _vocabulary(entity_type: str, name: str) -> Vocabulary | None:
    return VALUE_VOCABULARIES.get(f"{entity_type}.{name}") or VALUE_VOCABULARIES.get(name)


def _languages(value: Any) -> list[str]:
    if isinstance(value, str):
        return [code for code in value.replace(",", ";").split(";") if code]
    return [str(code) for code in value or []]


def _terms_text(terms: Iterable[Any]) -> str:
    parts = []
    for term in terms:
        if isinstance(term, Mapping):
            parts.append(f"{term.get('lang', '')}: {term.get('text', '')}")
    return "; ".join(parts)


def _value(entity_type: str, name: str, value: Any, names: _Names,
           lang: str | None) -> Value | None:
    """One value as a label or as data (None when there is nothing to show)."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    vocabulary = _vocabulary(entity_type, name)
    if isinstance(value, bool) or (name in BOOLEAN_FIELDS and value in (0, 1)):
        return Value(BOOLEANS.label("true" if value else "false"), data=False)
    if vocabulary is not None and isinstance(value, str):
        return Value(vocabulary.label(value), data=value not in vocabulary)
    if name in LANGUAGE_FIELDS and isinstance(value, str):
        return Value(LANGUAGES.label(value), data=value not in LANGUAGES)
    if name in LANGUAGE_LIST_FIELDS:
        return Value([LANGUAGES.label(code) for code in _languages(value)], data=False)
    if name in NAMED_IDS:
        items = value if isinstance(value, list) else [value]
        return Value(", ".join(names.name(NAMED_IDS[name], item) or f"#{item}"
                               for item in items))
    stored = from_data(value) if isinstance(value, (Mapping, list)) else None
    if isinstance(stored, Message) or (isinstance(stored, list) and stored
                                       and all(isinstance(m, Message) for m in stored)):
        return Value(stored, data=False)
    if name == "terms" and isinstance(value, list):
        return Value(_terms_text(value))
    if isinstance(value, Mapping):
        body = value.get("body") or value.get("summary")
        if body is not None:
            return _value(entity_type, name, body, names, lang)
        return Value(json.dumps(value, ensure_ascii=False, sort_keys=True))
    if isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
        # Records inside a record (a triage's findings): how many, not their fields.
        return Value(nmsg("%(n)s entry", "%(n)s entries", len(value)), data=False)
    if isinstance(value, list):
        return Value(", ".join(str(item) for item in value))
    if name.endswith("_at") and isinstance(value, str):
        return Value(value, is_time=True)
    return Value(str(value), lang=lang if name in TARGET_TEXT_FIELDS else None)


def _flatten(record: Any) -> dict[str, Any]:
    """A record's fields, with a dict of texts per language spread out (current_texts.en)."""
    if not isinstance(record, Mapping):
        return {} if record is None else {"value": record}
    flat: dict[str, Any] = {}
    for name, value in record.items():
        if name == "current_texts" and isinstance(value, Mapping):
            for lang, text in value.items():
                flat[f"current_texts.{lang}"] = text
        else:
            flat[name] = value
    return flat


def _record_lang(before: Mapping[str, Any], after: Mapping[str, Any]) -> str | None:
    return (after.get("target_lang") or before.get("target_lang")
            or after.get("lang") or before.get("lang"))


def _term_changes(before_terms: list[Any], after_terms: list[Any]) -> list[Change]:
    """A concept's terms that were added, removed or given another status."""
    from workbench.glossary.model import change_summary

    changes = []
    for item in change_summary({"terms": before_terms}, {"terms": after_terms}):
        kind = item["kind"]
        language = LANGUAGES.label(item.get("lang"))
        shown = Value(item.get("text", ""), lang=item.get("lang"))
        if kind == "term_added":
            changes.append(Change(msg("Term added (%(language)s, %(status)s)", language=language,
                                      status=TERM_STATUSES.label(item["status"])), None, shown))
        elif kind == "term_removed":
            changes.append(Change(msg("Term removed (%(language)s, %(status)s)",
                                      language=language,
                                      status=TERM_STATUSES.label(item["status"])), shown, None))
        elif kind == "term_status":
            changes.append(Change(msg("Status of “%(term)s” (%(language)s)", term=item["text"],
                                      language=language),
                                  Value(TERM_STATUSES.label(item["old"]), data=False),
                                  Value(TERM_STATUSES.label(item["new"]), data=False)))
    return changes


def _changes(entity_type: str, before_raw: Any, after_raw: Any, names: _Names,
             lang: str | None = None) -> list[Change]:
    if (entity_type == "concept" and isinstance(before_raw, Mapping)
            and isinstance(after_raw, Mapping)):
        # Terms are compared one by one, the concept's other fields as any record's.
        fields = _field_changes(entity_type,
                                {k: v for k, v in before_raw.items() if k != "terms"},
                                {k: v for k, v in after_raw.items() if k != "terms"}, names)
        return fields + _term_changes(list(before_raw.get("terms") or []),
                                      list(after_raw.get("terms") or []))
    return _field_changes(entity_type, before_raw, after_raw, names, lang)


def _field_changes(entity_type: str, before_raw: Any, after_raw: Any,
                   names: _Names, lang: str | None = None) -> list[Change]:
    before, after = _flatten(before_raw), _flatten(after_raw)
    lang = _record_lang(before, after) or lang
    # A new record lists all it holds, a deleted one all it held; an update names in
    # "after" what it changed (its "before" may be the whole record).
    whole = before_raw is None or after_raw is None
    changes = []
    for name in dict.fromkeys([*before, *after]):
        if name in IGNORED_FIELDS:
            continue
        old, new = before.get(name), after.get(name)
        if not whole and name not in after:
            continue
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        text_lang = name.split(".", 1)[1] if name.startswith("current_texts.") else lang
        label = (msg("Installed text (%(language)s)", language=LANGUAGES.label(text_lang))
                 if name.startswith("current_texts.") else field_label(entity_type, name))
        shown_before = _value(entity_type, name, old, names, text_lang)
        shown_after = _value(entity_type, name, new, names, text_lang)
        if shown_before is None and shown_after is None:
            continue
        if name.startswith("current_texts."):
            shown_before = shown_before and Value(shown_before.text, True, text_lang)
            shown_after = shown_after and Value(shown_after.text, True, text_lang)
        changes.append(Change(label, shown_before, shown_after))
    return changes


def _event_lang(event: Mapping[str, Any], names: _Names) -> str | None:
    if event.get("entity_type") != "translation_unit":
        return None
    entity_id = str(event.get("entity_id"))
    return names.name("unit_languages", int(entity_id)) if entity_id.isdigit() else None


def describe(db: Database, events: Iterable[Mapping[str, Any]]) -> list[Entry]:
    """The events (rows of ``audit_events``, decoded or not) as readable entries, in order."""
    rows = list(events)
    names = _load_names(db, rows)
    entries = []
    for event in rows:
        entity_type = event.get("entity_type") or ""
        action = event.get("action") or ""
        entries.append(Entry(
            id=event.get("id") or 0, ts=event.get("ts") or "",
            actor_name=event.get("actor_name") or "",
            actor=actor_label(event.get("actor_name")) if event.get("actor_id") is None
            else None,
            action=action, action_label=AUDIT_ACTIONS.label(action),
            entity_type=entity_type, entity_label=AUDIT_ENTITIES.label(entity_type),
            entity_id=event.get("entity_id"),
            changes=_changes(entity_type, _side(event, "before"), _side(event, "after"), names,
                             _event_lang(event, names))))
    return entries
