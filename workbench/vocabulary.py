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

SEVERITIES = Vocabulary("severity", [
    ("error", N_("Error")),
    ("warning", N_("Warning")),
])

LANGUAGES = Vocabulary("language", [
    ("zh", N_("Chinese")),
    ("en", N_("English")),
    ("ru", N_("Russian")),
    ("ja", N_("Japanese")),
    ("ko", N_("Korean")),
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

ALL: dict[str, Vocabulary] = {vocabulary.name: vocabulary
                              for vocabulary in (ROLES, SEVERITIES, LANGUAGES, REPORT_KINDS,
                                                 REPORT_STATUSES, REPORT_STATUS_NOTES,
                                                 REPORT_MATCHES, REPORT_CHANNELS)}
