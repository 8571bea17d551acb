"""Inline placeholders: how formatting inside a paragraph travels through translation.

Formatting that covers part of a paragraph (bold, italic, underline, a hyperlink)
becomes a pair ``{1}…{/1}``; something that has no text of its own (a footnote
reference, a tab, a line break, a field such as a page number) becomes a
standalone ``{2/}``. The number refers to the block's tag table, which says what
the placeholder stands for, so the same number may appear several times.
Translators keep the placeholders; export turns them back into formatting, and
the QA check :mod:`workbench.checks.placeholders` flags any that went missing.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

TAG = re.compile(r"\{(/?)(\d{1,4})(/?)\}")


@dataclass(frozen=True)
class Token:
    """A piece of tagged text: plain ``text``, or a tag (``kind`` open, close or standalone)."""

    kind: str  # text | open | close | standalone
    value: str  # the text, or the tag id

    @property
    def markup(self) -> str:
        """The token written back as tagged text."""
        if self.kind == "text":
            return self.value
        if self.kind == "open":
            return "{%s}" % self.value
        if self.kind == "close":
            return "{/%s}" % self.value
        return "{%s/}" % self.value


def tokens(text: str) -> Iterator[Token]:
    """The text and tags of ``text`` in order."""
    position = 0
    for match in TAG.finditer(text):
        if match.group(1) and match.group(3):
            continue  # "{/1/}" is not a tag; leave it as text
        if match.start() > position:
            yield Token("text", text[position:match.start()])
        kind = "close" if match.group(1) else "standalone" if match.group(3) else "open"
        yield Token(kind, match.group(2))
        position = match.end()
    if position < len(text):
        yield Token("text", text[position:])


def strip_tags(text: str) -> str:
    """The text without placeholders (what a reader sees)."""
    return "".join(t.value for t in tokens(text) if t.kind == "text")


def tag_counts(text: str) -> Counter[str]:
    """How often each placeholder (as written, e.g. ``{1}``, ``{/1}``, ``{2/}``) occurs."""
    return Counter(t.markup for t in tokens(text) if t.kind != "text")


def has_tags(text: str) -> bool:
    """Whether the text contains any placeholder."""
    return any(t.kind != "text" for t in tokens(text))


def balance(pieces: list[str]) -> list[str]:
    """Close pairs at the end of a piece and reopen them in the next one.

    Used after splitting tagged text: a bold run that spans two sentences becomes
    ``{1}…{/1}`` in both segments.
    """
    result = []
    open_ids: list[str] = []
    for piece in pieces:
        prefix = "".join("{%s}" % tag for tag in open_ids)
        stack = list(open_ids)
        for token in tokens(piece):
            if token.kind == "open":
                stack.append(token.value)
            elif token.kind == "close" and token.value in stack:
                # Remove the innermost occurrence.
                del stack[len(stack) - 1 - stack[::-1].index(token.value)]
        suffix = "".join("{/%s}" % tag for tag in reversed(stack))
        result.append(prefix + piece + suffix)
        open_ids = stack
    return result
