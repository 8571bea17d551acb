"""Every enumerated value, defined once with its label.

A :class:`Vocabulary` is an ordered set of codes (what the database stores) with
a translatable label each (a :class:`~workbench.messages.Message`). Domain code
validates against it, forms build their choices from it, templates, exports and
the CLI show its labels::

    from workbench.vocabulary import ROLES
    ROLES.codes            # ("officer", "translator", …), least privileged first
    ROLES.label("officer") # Message("County officer") → 市县专员 in Chinese
    ROLES.choices(translator)

Templates write ``{{ code|label('sign_status') }}`` (the vocabulary's ``name``).
Add a new enumeration here, never as a label dictionary in a view. Values that
come from a registry (engines, QA checks, job and export kinds) are a
:class:`RegistryVocabulary`: the registry stays the one place they are defined,
and the vocabulary reads its labels from it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from workbench.messages import N_, Message, Translator, msg, render


@dataclass(frozen=True)
class Term:
    """One value: its stored ``code`` and its English ``label`` (a message id)."""

    code: str
    label: str

    @property
    def message(self) -> Message:
        """The label as a translatable message."""
        return Message(self.label)


class Vocabulary:
    """An ordered, named set of codes with labels."""

    def __init__(self, name: str, terms: list[tuple[str, str]]) -> None:
        self.name = name
        self._terms: dict[str, Term] = {code: Term(code, label) for code, label in terms}

    @property
    def terms(self) -> dict[str, Term]:
        """The terms by code, in display order."""
        return self._terms

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes in their display order."""
        return tuple(self.terms)

    def __contains__(self, code: object) -> bool:
        return code in self.terms

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms.values())

    def __len__(self) -> int:
        return len(self.terms)

    def label(self, code: str | None) -> Message | str:
        """The code's label as a message; an unknown code is shown as it is."""
        if code is None:
            return ""
        term = self.terms.get(code)
        return term.message if term else self.unknown(code)

    def unknown(self, code: str) -> Message | str:
        """The label of a code this vocabulary does not list (the code itself)."""
        return code

    def text(self, code: str | None, translator: Translator | None = None) -> str:
        """The code's label rendered in the translator's language."""
        return render(self.label(code), translator)

    def choices(self, translator: Translator | None = None,
                only: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
        """(code, label) pairs for a select field, in order."""
        return [(term.code, render(term.message, translator)) for term in self
                if only is None or term.code in only]


class RegistryVocabulary(Vocabulary):
    """Codes defined by a registry (engines, checks…), read when first needed.

    ``load`` returns the registry's (code, label) pairs; ``extra`` lists codes that
    are stored but not registered (the translation memory as a draft's source, say).
    ``prefixed`` labels family members such as ``llm:qwen``: prefix → label template
    with ``%(name)s``.
    """

    def __init__(self, name: str, load: Callable[[], list[tuple[str, str]]],
                 extra: list[tuple[str, str]] | None = None,
                 prefixed: dict[str, str] | None = None) -> None:
        super().__init__(name, extra or [])
        self._load = load
        self._loaded = False
        self._prefixed = prefixed or {}

    @property
    def terms(self) -> dict[str, Term]:
        if not self._loaded:
            self._loaded = True
            registered = {code: Term(code, label) for code, label in self._load()}
            self._terms = {**registered, **self._terms}
        return self._terms

    def unknown(self, code: str) -> Message | str:
        prefix, _sep, name = code.partition(":")
        if name and prefix in self._prefixed:
            return msg(self._prefixed[prefix], name=name)
        return code


ROLES = Vocabulary("role", [
    ("officer", N_("County officer")),
    ("translator", N_("Translator")),
    ("reviewer", N_("Reviewer")),
    ("staff", N_("Foreign-affairs staff")),
    ("admin", N_("Administrator")),
])

# Lower-case ids: "Warning" is already the sign function 警示警告; a QA severity is 警告.
SEVERITIES = Vocabulary("severity", [
    ("error", N_("error")),
    ("warning", N_("warning")),
])

LANGUAGES = Vocabulary("language", [
    ("zh", N_("Chinese")),
    ("en", N_("English")),
    ("ru", N_("Russian")),
    ("ja", N_("Japanese")),
    ("ko", N_("Korean")),
])

SIGN_STATUSES = Vocabulary("sign_status", [
    ("submitted", N_("Submitted")),
    ("drafting", N_("Drafting")),
    ("in_review", N_("In review")),
    ("approved", N_("Approved")),
    ("fabricated", N_("Fabricated")),
    ("installed", N_("Installed")),
    ("rejected", N_("Rejected")),
])

SECTORS = Vocabulary("sector", [
    ("transport", N_("Transport")),
    ("tourism_culture", N_("Tourism and culture")),
    ("education", N_("Education")),
    ("health", N_("Health")),
    ("public_facilities", N_("Urban and rural public facilities")),
    ("government", N_("Government services")),
    ("commerce", N_("Commerce")),
])

# What a machine draft is for: the pipeline picks the engine per profile
# (MT_ENGINE_SIGNS, MT_ENGINE_PROSE).
DRAFT_PROFILES = Vocabulary("draft_profile", [
    ("sign", N_("Sign text")),
    ("prose", N_("Document prose")),
])

# States of a background job run (workbench.jobs): queued → running → done, or
# failed / cancelled / interrupted (its worker stopped; re-queued up to a limit).
JOB_STATES = Vocabulary("job_state", [
    ("queued", N_("Queued")),
    ("running", N_("Running")),
    ("done", N_("Done")),
    ("failed", N_("Failed")),
    ("cancelled", N_("Cancelled")),
    ("interrupted", N_("Interrupted")),
])

# The writing system of a line read on a photo (workbench.ocr.scripts).
OCR_SCRIPTS = Vocabulary("ocr_script", [
    ("Han", N_("Chinese characters")),
    ("Latin", N_("Latin script")),
    ("Cyrillic", N_("Cyrillic")),
    ("kana", N_("Japanese kana")),
    ("Hangul", N_("Korean Hangul")),
    ("Common", N_("Digits and punctuation")),
])

# What OCR asks the officer instead of guessing (workbench.ocr.assemble).
OCR_QUESTIONS = Vocabulary("ocr_question", [
    ("language", N_("Pinyin or English?")),
    ("several_texts", N_("Several texts")),
    ("unsure", N_("Not readable")),
    ("unread_script", N_("Script not read")),
])

# A survey batch: photos uploaded together (workbench.inventory.survey).
SURVEY_STATES = Vocabulary("survey_state", [
    ("reading", N_("Reading the photos")),
    ("review", N_("Waiting for review")),
    ("confirmed", N_("Saved as signs")),
    ("discarded", N_("Discarded")),
])

# Public error reports (workbench.reports): what the reporter says is wrong …
REPORT_KINDS = Vocabulary("report_kind", [
    ("wrong_translation", N_("Wrong translation")),
    ("spelling", N_("Spelling or capitals")),
    ("missing_language", N_("A language is missing")),
    ("damaged", N_("Sign damaged or missing")),
    ("other", N_("Something else")),
])

# … where the report stands (new → confirmed → fixed, or rejected) …
REPORT_STATUSES = Vocabulary("report_status", [
    ("new", N_("Received")),
    ("confirmed", N_("Confirmed")),
    ("fixed", N_("Fixed")),
    ("rejected", N_("Not changed")),
])

# … what each status means, in the words the public tracking page uses …
REPORT_STATUS_NOTES = Vocabulary("report_status_note", [
    ("new", N_("We have received your report. The office will look at it soon.")),
    ("confirmed", N_("The office confirmed the problem. The sign will be corrected.")),
    ("fixed", N_("The sign has been corrected. Thank you for your help!")),
    ("rejected", N_("The office looked at your report and will not change the sign.")),
])

# … and how triage (or a person) linked it to a sign.
REPORT_MATCHES = Vocabulary("report_match", [
    ("code", N_("Sign code (QR code)")),
    ("text_location", N_("Text read from the photo, near the site")),
    ("text", N_("Text read from the photo")),
    ("location", N_("Only sign near the reported place")),
    ("staff", N_("Chosen by the office")),
])

REPORT_CHANNELS = Vocabulary("report_channel", [
    ("web", N_("Public web page")),
    ("api", N_("Partner app (API)")),
])


# --- Workflow (issue 15, part B): the editor's concordance and the bulk actions ------------------

# Where a concordance hit comes from (workbench.review.concordance).
CONCORDANCE_ORIGINS = Vocabulary("concordance_origin", [
    ("approved", N_("Approved wording")),
    ("memory", N_("Translation memory")),
])

# What a county's progress is on the province dashboard (workbench.inventory.dashboard).
COUNTY_PROGRESS = Vocabulary("county_progress", [
    ("not_started", N_("Not started")),
    ("translating", N_("Wording in progress")),
    ("fabricating", N_("Wording approved, signs being made")),
    ("done", N_("All signs installed")),
])



# =============================================================================================
# Issue 15, part A: one vocabulary for the whole interface. Each of these replaced a label
# table that lived in a view, an export or a domain module (and did not always agree).
# =============================================================================================

# The foreign languages a sign carries or requires (English always); LANGUAGES above also
# has Chinese, the source.
SIGN_LANGUAGES: tuple[str, ...] = ("en", "ru", "ja", "ko")

# What a sign is for (GB/T 30240.1 information functions).
SIGN_FUNCTIONS = Vocabulary("sign_function", [
    ("facility", N_("Facility")),
    ("warning", N_("Warning")),
    ("prohibition", N_("Prohibition")),
    ("instruction", N_("Instruction")),
    ("notice", N_("Notice")),
    ("name", N_("Name")),
])

# What the survey decided for a sign: keep its text, correct it, or put up a new one.
SIGN_ACTIONS = Vocabulary("sign_action", [
    ("keep", N_("Keep as it is")),
    ("correct", N_("Correct")),
    ("new", N_("New sign")),
])

# The steps people take with a sign (inventory.records.TRANSITIONS).
SIGN_STEPS = Vocabulary("sign_step", [
    ("reject", N_("Send back to the officer")),
    ("resubmit", N_("Submit again")),
    ("mark_fabricated", N_("Mark fabricated")),
    ("mark_installed", N_("Mark installed")),
])

# A translation unit (one wording per Chinese text and language):
# new → machine_draft → translated → in_review → approved (or rejected).
UNIT_STATES = Vocabulary("unit_state", [
    ("new", N_("New (no draft)")),
    ("machine_draft", N_("Machine draft")),
    ("translated", N_("Translated")),
    ("in_review", N_("In review")),
    ("approved", N_("Approved")),
    ("rejected", N_("Rejected")),
])

# What happened to a unit, version by version (unit_versions.action).
UNIT_ACTIONS = Vocabulary("unit_action", [
    ("draft", N_("machine draft")),
    ("create", N_("created")),
    ("save", N_("saved")),
    ("submit", N_("submitted for review")),
    ("approve", N_("approved")),
    ("reject", N_("rejected")),
    ("revert", N_("reverted")),
])

# The review queue's QA filter.
QA_FLAGS = Vocabulary("qa_flag", [
    ("error", N_("QA errors")),
    ("warning", N_("QA warnings")),
    ("clean", N_("QA clean")),
    ("unchecked", N_("Not checked")),
])

# Comments on a unit: among translators and reviewers, a question to the county, its answer.
COMMENT_KINDS = Vocabulary("comment_kind", [
    ("comment", N_("Comment")),
    ("clarification", N_("Question to the county")),
    ("answer", N_("Answer")),
])

# Glossary domains (the GB/T 30240 parts, names, organizations, policy).
GLOSSARY_DOMAINS = Vocabulary("glossary_domain", [
    ("general", N_("General")),
    ("transport", N_("Transport")),
    ("tourism", N_("Tourism")),
    ("culture", N_("Culture and entertainment")),
    ("sports", N_("Sports")),
    ("education", N_("Education")),
    ("medical", N_("Medical and health")),
    ("post", N_("Post and telecom")),
    ("catering", N_("Catering and accommodation")),
    ("commerce", N_("Commerce and finance")),
    ("place_names", N_("Place names")),
    ("organizations", N_("Organizations")),
    ("policy", N_("Policy and official documents")),
])

# A unit's domain: the sector of its signs, or the glossary domain of its document.
UNIT_DOMAINS = Vocabulary("unit_domain", [
    *((term.code, term.label) for term in SECTORS),
    *((term.code, term.label) for term in GLOSSARY_DOMAINS if term.code not in SECTORS),
])

TERM_STATUSES = Vocabulary("term_status", [
    ("preferred", N_("preferred")),
    ("admitted", N_("admitted")),
    ("deprecated", N_("deprecated")),
    ("forbidden", N_("forbidden")),
])

PARTS_OF_SPEECH = Vocabulary("part_of_speech", [
    ("noun", N_("noun")),
    ("verb", N_("verb")),
    ("adjective", N_("adjective")),
    ("adverb", N_("adverb")),
    ("phrase", N_("phrase")),
    ("properNoun", N_("proper noun")),
    ("other", N_("other")),
])

# Where a concept's wording comes from when no standard is named (glossary.model.DEFAULT_SOURCE);
# other sources are the standards' and bodies' own names, shown as they are.
GLOSSARY_SOURCES = Vocabulary("glossary_source", [
    ("common usage", N_("common usage")),
])

# The fields of a concept that a change or a proposal names.
CONCEPT_FIELDS = Vocabulary("concept_field", [
    ("domain", N_("Domain")),
    ("function", N_("Sign function")),
    ("source", N_("Source")),
    ("verified", N_("Verified")),
    ("notes", N_("Notes")),
])

PROPOSAL_STATUSES = Vocabulary("proposal_status", [
    ("open", N_("open")),
    ("accepted", N_("accepted")),
    ("rejected", N_("rejected")),
    ("withdrawn", N_("withdrawn")),
])

PROPOSAL_KINDS = Vocabulary("proposal_kind", [
    ("create", N_("New concept")),
    ("update", N_("Change")),
])

DOCUMENT_STATUSES = Vocabulary("document_status", [
    ("open", N_("In progress")),
    ("delivered", N_("delivered")),
    ("archived", N_("archived")),
])

# Where a segment sits in its document.
BLOCK_KINDS = Vocabulary("block_kind", [
    ("heading", N_("heading")),
    ("paragraph", N_("paragraph")),
    ("list", N_("list item")),
    ("cell", N_("table cell")),
    ("header", N_("page header")),
    ("footer", N_("page footer")),
    ("footnote", N_("footnote")),
    ("endnote", N_("endnote")),
    ("unit", N_("XLIFF unit")),
    ("quote", N_("quotation")),
])

DOCUMENT_EXPORTS = Vocabulary("document_export", [
    ("docx", N_("Translated DOCX")),
    ("bilingual-docx", N_("Bilingual DOCX")),
    ("xliff", N_("XLIFF")),
    ("tmx", N_("TMX (approved)")),
    ("txt", N_("Text")),
])

# Where a draft came from (Draft.origin).
DRAFT_ORIGINS = Vocabulary("draft_origin", [
    ("tm-exact", N_("translation memory (exact)")),
    ("tm-fuzzy", N_("translation memory (fuzzy)")),
    ("engine", N_("engine")),
])

COUNTY_KINDS = Vocabulary("county_kind", [
    ("prefecture-level city", N_("prefecture-level city")),
    ("county-level city", N_("county-level city")),
    ("county", N_("county")),
    ("autonomous county", N_("autonomous county")),
    ("development zone", N_("development zone")),
])


def _engine_labels() -> list[tuple[str, str]]:
    from workbench import plugins

    return [(engine_id, engine.name) for engine_id, engine in plugins.engines().items()]


def _check_labels() -> list[tuple[str, str]]:
    from workbench import plugins

    return [(check_id, check.name) for check_id, check in plugins.checks().items()]


def _job_kind_labels() -> list[tuple[str, str]]:
    from workbench import plugins

    return [(kind.id, kind.label) for kind in plugins.job_kinds().values()]


def _export_kind_labels() -> list[tuple[str, str]]:
    from workbench import plugins

    return [(kind.id, kind.label) for kind in plugins.export_kinds().values()]


# Drafting engines (workbench.mt registry), plus what else fills a unit's draft.
ENGINES = RegistryVocabulary("engine", _engine_labels, extra=[
    ("memory", N_("Translation memory")),
    ("installed", N_("Text installed on the sign")),
], prefixed={"llm": N_("Model server “%(name)s” (OpenAI-compatible)")})

# QA checks (workbench.checks registry), plus the inventory's own "language missing" finding.
CHECKS = RegistryVocabulary("check", _check_labels, extra=[
    ("missing_translation", N_("Required language missing")),
])

JOB_KINDS = RegistryVocabulary("job_kind", _job_kind_labels)

EXPORT_KINDS = RegistryVocabulary("export_kind", _export_kind_labels)

# The audit trail's and history pages' vocabularies live in their own module.
from workbench.vocabulary_history import (  # noqa: E402  (needs Vocabulary, defined above)
    AUDIT_ENTITIES as AUDIT_ENTITIES,
    AUDIT_ACTIONS as AUDIT_ACTIONS,
    SYSTEM_ACTORS as SYSTEM_ACTORS,
    actor_label as actor_label,
    UNIT_KINDS as UNIT_KINDS,
    TM_ORIGINS as TM_ORIGINS,
    BOOLEANS as BOOLEANS,
    HISTORY_FIELDS as HISTORY_FIELDS,
)

# Which vocabulary a field's value comes from: ``entity.field`` before ``field``.
VALUE_VOCABULARIES: dict[str, Vocabulary] = {
    "sign.status": SIGN_STATUSES, "sign.action": SIGN_ACTIONS,
    "report.status": REPORT_STATUSES, "report.kind": REPORT_KINDS,
    "glossary_proposal.status": PROPOSAL_STATUSES, "glossary_proposal.kind": PROPOSAL_KINDS,
    "document.status": DOCUMENT_STATUSES, "job.state": JOB_STATES, "job.kind": JOB_KINDS,
    "survey_batch.state": SURVEY_STATES, "translation_unit.kind": UNIT_KINDS,
    "county.kind": COUNTY_KINDS, "concept.source": GLOSSARY_SOURCES,
    "translation_memory.origin": TM_ORIGINS,
    "state": UNIT_STATES, "sector": SECTORS, "function": SIGN_FUNCTIONS,
    "domain": UNIT_DOMAINS, "role": ROLES, "channel": REPORT_CHANNELS,
    "match_method": REPORT_MATCHES, "draft_engine": ENGINES, "severity": SEVERITIES,
    "check_id": CHECKS,
}


# Every vocabulary by name (templates' |label filter, the i18n test): collected, not listed,
# so a new vocabulary above is included without another edit here.
ALL: dict[str, Vocabulary] = {value.name: value for value in list(globals().values())
                              if isinstance(value, Vocabulary)}
