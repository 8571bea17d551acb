"""Check 7: capitalization of English signs (title case, signal words in capitals)."""
from __future__ import annotations

import re

from workbench.checks.base import WARNING, Check, CheckContext, Finding
from workbench.checks.data import word_list
from workbench.checks.punctuation import is_sentence
from workbench.messages import N_, msg

SIGNAL_WORDS = ("caution", "danger", "warning")
# Prepositions that are also adverb particles ("Way In", "Keep Off", "Line Up"): a capital
# is not wrong for them, so only their lower case is accepted silently, never flagged.
PARTICLES = frozenset({"in", "on", "off", "up", "out", "down", "over", "by", "through",
                       "about", "around", "back", "away"})
# Lower-case words that stay lower case in any position (units, symbols).
ALWAYS_LOWER = frozenset({"m", "km", "cm", "mm", "kg", "g", "t", "ml", "l", "h", "min", "s",
                          "am", "pm", "a.m", "p.m", "km/h", "x", "e", "vs", "etc"})
# Line breaks: "//", a new line, a sentence end inside the sign, or an opening bracket
# (a parenthesis starts a phrase of its own: "Zhongshan Hospital (The Affiliated …)").
SEGMENT = re.compile(r"//|\n|(?<=[!?:;.])\s+|\(\s*")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’]*(?:-[A-Za-z0-9][A-Za-z0-9'’]*)*")


class CapitalsCheck(Check):
    """Title case with lower-case function words; CAUTION, DANGER, WARNING in capitals."""

    id = "capitals"
    name = N_("Capitalization")
    languages = frozenset({"en"})
    # Glossary terms serve running text as well as signs ("Hainan gibbon"), so their case
    # is checked where they are used on a sign, not in the glossary.
    profiles = frozenset({"sign"})
    explanation = N_("Sign phrases are in title case: every content word starts with a "
                     "capital; articles, conjunctions and short prepositions (a, the, and, of, "
                     "for, to, in …) are lower case unless they come first or right after the "
                     "“//” line break; a content word after a hyphen is capitalized too "
                     "(Door-to-Door). Only a one-word sign, a signal word (CAUTION, DANGER, "
                     "WARNING) or an abbreviation (ATM, VIP) is written in capitals; a "
                     "street nameplate in capital pinyin (GB 17733) and, where the project's "
                     "road-name style allows it, a road's specific name in capitals (QINGHUA "
                     "South Rd, Beijing DB11/T 334) are exempt. Full sentences are in "
                     "sentence case. Fix: change the capitals as suggested.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        function_words = word_list("function_words.txt")
        # A notice written as sentences, each with its full stop (GB/T 30240.1: sentence
        # case): "No parking. Violators will be towed."
        sentences = _written_as_sentences(target)
        for segment in _segments(target):
            text, offset = segment
            words = list(WORD.finditer(text))
            if not words:
                continue
            letters = [c for c in text if c.isalpha()]
            if letters and all(c.isupper() for c in letters):
                findings += self._all_capitals(ctx, text, offset, words, function_words)
                continue
            findings += self._capital_names(ctx, offset, words)
            sentence = sentences or _sentence_case(text.strip(), function_words)
            if sentence and not sentences:
                findings += self._mixed(ctx, text, offset, words, function_words)
            for position, match in enumerate(words):
                word = match.group()
                start = offset + match.start()
                if word[0].isdigit():
                    continue  # 14th, 24-hour, 2nd: numbers are not capitalized
                if position == 0:
                    if word[0].islower() and word.lower() not in ALWAYS_LOWER:
                        fixed = word[0].upper() + word[1:]
                        findings.append(self.finding(
                            msg("Start with a capital: “%(fixed)s”.", fixed=fixed), start,
                            start + len(word), suggestion=fixed))
                    continue
                if sentence:
                    continue
                findings += self._word(word, start, function_words, position == len(words) - 1)
        return findings

    def _all_capitals(self, ctx: CheckContext, text: str, offset: int,
                      words: list[re.Match[str]],
                      function_words: frozenset[str]) -> list[Finding]:
        """A phrase in capitals where the standard wants title case ("HAI XIU MIDDLE ROAD")."""
        content = [w for w in words if w.group().lower() not in SIGNAL_WORDS
                   and not w.group()[0].isdigit()]
        if len(content) < 2 or all(_abbreviation(w.group()) for w in content):
            return []  # a one-word sign, a signal word, abbreviations (ATM, WC)
        if _pinyin_only(ctx):
            return []  # a nameplate in capital pinyin (GB 17733), or the pinyin checks' case
        fixed = _title_case(text.strip(), function_words)
        start = offset + content[0].start()
        end = offset + content[-1].end()
        return [self.finding(
            msg("“%(written)s” is written in capitals: a sign phrase is written in title case, "
                "“%(fixed)s” (only a one-word sign, a signal word or an abbreviation is all "
                "capitals).", written=text.strip(), fixed=fixed),
            start, end, suggestion=fixed, severity=WARNING)]

    def _mixed(self, ctx: CheckContext, text: str, offset: int, words: list[re.Match[str]],
               function_words: frozenset[str]) -> list[Finding]:
        """A sign phrase half in title case, half in sentence case ("Do not Touch the
        exhibits"): neither a title nor a sentence."""
        aligned = _aligned_tokens(ctx)
        content = [w for w in words[1:] if w.group()[0].isalpha()
                   and w.group().lower() not in function_words and not w.group().isupper()
                   and offset + w.start() not in aligned]
        upper = [w for w in content if w.group()[0].isupper()]
        lower = [w for w in content if w.group()[0].islower()]
        if not upper or not lower:
            return []
        fixed = _title_case(text.strip(), function_words)
        return [self.finding(
            msg("“%(written)s” mixes title case and sentence case: write the sign phrase in "
                "title case, “%(fixed)s”.", written=text.strip(), fixed=fixed),
            offset + words[0].start(), offset + words[-1].end(), suggestion=fixed,
            severity=WARNING)]

    def _capital_names(self, ctx: CheckContext, offset: int,
                       words: list[re.Match[str]]) -> list[Finding]:
        """A name in capitals inside a title-case phrase ("QINGHUA South Rd"): the Beijing
        road-name style, accepted for roads when ``ROAD_NAME_CAPITALS`` allows it."""
        capitals = [w for w in words if len(w.group()) > 1 and w.group().isupper()
                    and w.group().isalpha() and not _abbreviation(w.group())]
        if not capitals:
            return []
        aligned = _aligned_tokens(ctx)
        road = bool(ROAD_ZH.search(ctx.source))
        allowed = road and str(ctx.settings.get("ROAD_NAME_CAPITALS") or "allowed") \
            != "title-case"
        findings = []
        for word in capitals:
            start = offset + word.start()
            if start not in aligned or allowed:
                continue  # not a name of the Chinese (an abbreviation), or the road style
            fixed = word.group()[:1] + word.group()[1:].lower()
            findings.append(self.finding(
                msg("“%(written)s”: write the name in title case, “%(fixed)s”.",
                    written=word.group(), fixed=fixed),
                start, offset + word.end(), suggestion=fixed, severity=WARNING))
        return findings

    def _word(self, word: str, start: int, function_words: frozenset[str],
              last: bool) -> list[Finding]:
        findings = []
        parts = word.split("-")
        position = start
        for index, part in enumerate(parts):
            lowered = part.lower()
            base = lowered.split("'")[0].split("’")[0]
            if lowered in ALWAYS_LOWER or base in ALWAYS_LOWER:
                pass
            elif base in function_words:
                if part[0].isupper() and index == 0 and not last and base not in PARTICLES \
                        and not part.isupper():
                    findings.append(self.finding(
                        msg("“%(word)s” is a function word: write it in lower case in a title.",
                            word=part),
                        position, position + len(part), suggestion=lowered, severity=WARNING))
            elif part[0].islower() and index == 0:
                # Only the first part of a hyphenated word: "Self-service", "High-tech",
                # "Check-in" are written both ways on correct signs.
                fixed = part[0].upper() + part[1:]
                findings.append(self.finding(
                    msg("Title case: capitalize “%(word)s” (“%(fixed)s”).", word=part,
                        fixed=fixed), position, position + len(part), suggestion=fixed))
            position += len(part) + 1
        return findings


# Generic parts of road names: the capitalized-specific-name style is a road-name style.
ROAD_ZH = re.compile(r"路|街|大道|巷|弄|胡同|环|高架|立交|隧道|公路|高速|快速")


def _abbreviation(word: str) -> bool:
    """An abbreviation that is written in capitals (ATM, VIP, WC, TCM, EXPWY is not one)."""
    from workbench.checks.script import LATIN_ALLOWED

    from workbench.checks.spelling import is_english_word

    lowered = word.lower()
    return lowered in LATIN_ALLOWED or lowered in word_list("abbreviations.txt") \
        or (len(word) <= 3 and word.isupper() and not is_english_word(word))


def _aligned_tokens(ctx: CheckContext) -> set[int]:
    """Start positions of target words that spell the pinyin of the Chinese."""
    from workbench.checks.pinyin import HAN, analyse

    if not HAN.search(ctx.source):
        return set()
    return {alignment.token.start for alignment in analyse(ctx).aligned.values()}


def _pinyin_only(ctx: CheckContext) -> bool:
    """Every word of the text spells the pinyin of the Chinese (LONGKUN NANLU, NANDA QIAO)."""
    from workbench.checks.pinyin import HAN, analyse

    return bool(HAN.search(ctx.source)) and bool(ctx.tokens) \
        and len(analyse(ctx).aligned) == len(ctx.tokens)


def _title_case(text: str, function_words: frozenset[str]) -> str:
    """``text`` in title case: capital first letters, function words lower case."""
    out = []
    for index, word in enumerate(text.split(" ")):
        lowered = word.lower()
        if _abbreviation(word) and word.lower() not in function_words and len(word) > 1 \
                and word.lower() not in ("no", "in", "on"):
            out.append(word)
        elif index and lowered in function_words:
            out.append(lowered)
        else:
            out.append(lowered[:1].upper() + lowered[1:])
    return " ".join(out)


def _sentence_case(text: str, function_words: frozenset[str]) -> bool:
    """A full sentence written in sentence case (where title case does not apply)."""
    if not is_sentence(text):
        return False
    if re.search(r"[,;]|[.!?]$", text):
        return True
    content = [w for w in text.split()[1:] if w.lower() not in function_words and w[:1].isalpha()]
    return sum(1 for w in content if w[:1].islower()) * 2 > len(content)


def _written_as_sentences(target: str) -> bool:
    """Whether the whole text is sentences with their full stops (several of them, or one
    long one): sentence case is then right in every piece."""
    text = target.strip()
    if not re.search(r"[.!?]$", text):
        return False
    return len(re.findall(r"[.!?](?=\s|$)", text)) >= 2 or is_sentence(text)


def _segments(target: str) -> list[tuple[str, int]]:
    """The target cut at line breaks, with each piece's offset."""
    pieces = []
    position = 0
    for match in SEGMENT.finditer(target):
        pieces.append((target[position:match.start()], position))
        position = match.end()
    pieces.append((target[position:], position))
    return pieces


def signal_word_at_start(target: str) -> re.Match[str] | None:
    """A signal word (CAUTION, DANGER, WARNING) opening the text, in any case."""
    return re.match(r"\s*(" + "|".join(SIGNAL_WORDS) + r")\b", target, re.IGNORECASE)
