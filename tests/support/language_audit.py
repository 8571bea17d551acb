"""Find English words and raw codes in a page of the Chinese interface.

A page of the Chinese interface may still show Latin script legitimately: user
data (sign texts, installed English, names, file names, sign codes) and
standard abbreviations (QA, CSV, GB/T …). Templates mark user data, so the
detector can tell the two apart:

- an element with a ``lang`` attribute that is not Chinese holds foreign text
  (``<td lang="en">Carefully Slide</td>``);
- an element with ``translate="no"`` holds data or an identifier that is the
  same in every language (a username, a sign code, a file name, a model name).

An element inside data with ``lang="zh…"`` is interface text again (a status
badge in a cell of English terms). Text in Chinese quotation marks (“Carefully
Slide”) is quoted data inside a sentence, and record identifiers (sign codes
HK-000123, tracking codes, concept ids) are the same in every language.

Everything else is interface text and must be Chinese. :func:`find_untranslated`
returns every Latin word outside those elements (and the allowed abbreviations),
each with a little context, so a failing test says where to look.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html

# Abbreviations, formats, standards and names that Chinese interfaces write in Latin letters.
ALLOWED_WORDS = frozenset("""
QA TM TMX TBX XLIFF CSV XLSX PDF DOCX TXT ZIP JPEG JPG PNG WebP QR GPS OCR API URL UTC
JSON HTTP HTTPS ID GB DB ISO Signbench OpenAPI Markdown BCP UTF GB18030 GBK CAT MT
KB MB GB km m cm mm h s ms ATM VIP WC CPU GPU Ctrl Enter Esc Shift Alt Tab
Word WPS Excel OpenAI vLLM Ollama llama cpp Marian OPUS-MT transformers CTranslate M2M100
NLLB Hugging Face Qwen RapidOCR SRX TBX-Basic Chromium
""".split())
# A single Latin letter is a keyboard shortcut (a, r, s, c) or part of GB/T; never a word.
MIN_WORD_LENGTH = 2
SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript", "head"})
CHECKED_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label")
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’_\-]*[A-Za-z]|[A-Za-z]")
# Quoted material (“…”, ‘…’, 「…」) and identifiers of records, taken out before looking.
QUOTED_RE = re.compile(r"“[^”]*”|‘[^’]*’|「[^」]*」|`[^`]*`")
IDENTIFIER_RE = re.compile(
    r"\b[\w-]+(?:/[\w.-]+)*\.(?:md|txt|csv|xlsx|docx|pdf|zip|jpe?g|png|webp|tmx|tbx|xlf"
    r"|xliff|json|py|sqlite3)\b"                  # file names: IMG_0412.jpg, models/README.md
    r"|(?<![\w.])\.(?:docx?|txt|md|csv|xlsx|tbx|xml|xlf|xliff|tmx|zip|pdf)\b"  # .docx
    r"|\b[A-Z]{1,5}-\d{3,}\b"                   # sign codes: HK-000123, WZS-000007
    r"|\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b"  # public report tracking codes
    r"|\b[a-z]{2,8}-\d{4}\b"                    # glossary concept ids: gen-0001
    r"|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"        # settings: WORKBENCH_LLM_URL, PAGE_SIZE
    r"|(?<![\w/])/[\w./-]+")                     # paths on the server: /srv/models


@dataclass(frozen=True)
class Finding:
    """A Latin word in interface text: the word, the text it stood in, and where."""

    word: str
    text: str
    where: str

    def __str__(self) -> str:
        return f"{self.word!r} in {self.text[:120]!r} ({self.where})"


def _data_state(element: lxml.html.HtmlElement, in_data: bool) -> bool:
    """Whether the element's own text is data: marked so, or inside data and not marked
    as Chinese interface text again."""
    lang = (element.get("lang") or "").lower()
    if element.get("translate") == "no" or (lang and not lang.startswith("zh")):
        return True
    if lang.startswith("zh") or element.get("translate") == "yes":
        return False
    return in_data


def _is_hidden(element: lxml.html.HtmlElement) -> bool:
    if element.tag in SKIPPED_TAGS or element.get("hidden") is not None:
        return True
    if element.tag == "input" and element.get("type") == "hidden":
        return True
    return element.get("aria-hidden") == "true"


def _words(text: str) -> list[str]:
    text = IDENTIFIER_RE.sub(" ", QUOTED_RE.sub(" ", text))
    return [word for word in WORD_RE.findall(text)
            if len(word) >= MIN_WORD_LENGTH and word not in ALLOWED_WORDS
            and word.strip("-_'’") not in ALLOWED_WORDS]


def _describe(element: lxml.html.HtmlElement) -> str:
    parts = []
    while element is not None and len(parts) < 4:
        name = element.tag if isinstance(element.tag, str) else "?"
        if element.get("id"):
            name += f"#{element.get('id')}"
        elif element.get("class"):
            name += "." + ".".join(element.get("class").split()[:2])
        parts.append(name)
        element = element.getparent()
    return " < ".join(parts)


def _element_findings(element: lxml.html.HtmlElement) -> list[Finding]:
    found: list[Finding] = []
    for attribute in CHECKED_ATTRIBUTES:
        value = element.get(attribute)
        if value:
            found += [Finding(word, value, f"{_describe(element)} @{attribute}")
                      for word in _words(value)]
    if element.tag == "input" and element.get("type") in ("submit", "button"):
        value = element.get("value") or ""
        found += [Finding(word, value, f"{_describe(element)} @value") for word in _words(value)]
    if element.text:
        found += [Finding(word, element.text.strip(), _describe(element))
                  for word in _words(element.text)]
    return found


def _walk(element: lxml.html.HtmlElement, in_data: bool = False) -> list[Finding]:
    if not isinstance(element.tag, str) or _is_hidden(element):
        return []
    in_data = _data_state(element, in_data)
    found = [] if in_data else _element_findings(element)
    for child in element:
        found += _walk(child, in_data)
        # The text after a child element belongs to this element.
        if child.tail and not in_data:
            found += [Finding(word, child.tail.strip(), _describe(element))
                      for word in _words(child.tail)]
    return found


def find_untranslated(html: str) -> list[Finding]:
    """Latin words in the interface text of ``html`` (outside user data and abbreviations)."""
    document = lxml.html.document_fromstring(html)
    found: list[Finding] = []
    title = document.find(".//title")
    if title is not None and title.text:
        found += [Finding(word, title.text, "title") for word in _words(title.text)]
    body = document.find(".//body")
    return found + (_walk(body) if body is not None else [])
