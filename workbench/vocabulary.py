"""Every enumerated value, defined once with its label.

A :class:`Vocabulary` is an ordered set of codes (what the database stores) with
a translatable label each (a :class:`~workbench.messages.Message`). Domain code
validates against it, forms build their choices from it, templates, exports and
the CLI show its labels::

    from workbench.vocabulary import ROLES
    ROLES.codes            # ("admin", "staff", …)
    ROLES.label("officer") # Message("County officer") → 市县联络员 in Chinese
    ROLES.choices(translator)

Add a new enumeration here, never as a label dictionary in a view.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from workbench.messages import N_, Message, Translator, render


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
        self.terms: dict[str, Term] = {code: Term(code, label) for code, label in terms}

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
        return term.message if term else code

    def text(self, code: str | None, translator: Translator | None = None) -> str:
        """The code's label rendered in the translator's language."""
        return render(self.label(code), translator)

    def choices(self, translator: Translator | None = None,
                only: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
        """(code, label) pairs for a select field, in order."""
        return [(term.code, render(term.message, translator)) for term in self
                if only is None or term.code in only]


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


# Every vocabulary by name (templates' |label filter, the i18n test): collected, not listed,
# so a new vocabulary above is included without another edit here.
ALL: dict[str, Vocabulary] = {value.name: value for value in list(globals().values())
                              if isinstance(value, Vocabulary)}
