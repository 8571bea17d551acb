"""Check 6: untranslated text and the wrong script for the language."""
from __future__ import annotations

import functools
import re

from workbench.checks.base import Check, CheckContext, Finding
from workbench.checks.data import table
from workbench.messages import N_, Message, msg
from workbench.vocabulary import LANGUAGES

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN_WORD = re.compile(r"[A-Za-z]+")
CYRILLIC_WORD = re.compile(r"[\u0400-\u04ffA-Za-z]+")
# Latin-script languages: any Han, kana, Hangul or Cyrillic in them is out of place.
LATIN_LANGS = frozenset({"en", "fr", "de", "es", "it", "pt", "nl", "id", "ms", "vi", "tl"})
# Internationally known Latin abbreviations a Russian, Japanese or Korean sign may keep.
LATIN_ALLOWED = frozenset({"atm", "vip", "wc", "wi", "fi", "wifi", "tcm", "id", "sos", "ic", "cd",
                           "dvd", "usb", "p", "km", "m", "kg", "cm", "mm", "am", "pm", "tv",
                           "ktv", "spa", "led", "ct", "mri", "icu", "b", "f", "g", "a", "c", "d",
                           "x", "s", "h", "min", "no", "app", "qr", "pos", "vr", "aed", "gps",
                           "nfc", "ems", "ok", "lan", "wlan", "t"})


# Latin letters that have a Cyrillic twin (а с е о р х у к м т н в …).
LOOKALIKES = frozenset("aceopxykmtbhACEOPXYKMTBH")


def _not_japanese(char: str) -> bool:
    """A simplified Chinese form that Japanese does not use (e.g. 门 for 門)."""
    try:
        char.encode("cp932")
        return False
    except UnicodeEncodeError:
        pass
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    # A character that traditional Chinese (Big5) also writes is not a simplification
    # (儋, 澳 are only missing from Shift_JIS because they are rare in Japan).
    try:
        char.encode("big5")
        return False
    except UnicodeEncodeError:
        return True


@functools.lru_cache(maxsize=1)
def common_words() -> dict[str, str]:
    """Common sign words that are always translated, with their usual English."""
    return {row["zh"]: row["english"] for row in table("common_words.tsv")}


def _abbreviations_only(target: str) -> bool:
    """A text made of internationally known abbreviations only (ATM, WC, Wi-Fi)."""
    words = [w.lower() for w in LATIN_WORD.findall(target)]
    return bool(words) and all(w in LATIN_ALLOWED for w in words)


SCRIPT_NAMES = {"ru": N_("Cyrillic"), "ko": N_("Hangul"), "ja": N_("Japanese kana or kanji")}


def _script_name(lang: str) -> str:
    return SCRIPT_NAMES.get(lang, N_("Latin"))


def _translated_term(ctx: CheckContext) -> tuple[str, str] | None:
    """A glossary term of the source that the glossary translates rather than transcribes
    (慢行 "Slow Down", not a pinyin name): (term, its rendering), else None. Names whose
    glossary rendering is pinyin (万宁 Wanning, 天涯海角 Tianya Haijiao) and one-character
    terms give None."""
    from workbench.checks.pinyin import glossary_matches, is_pinyin_word

    for match in glossary_matches(ctx):
        if len(match.entry.source_text) < 2:
            continue  # one character (南 South, 山 Mountain) is as often part of a name
        rendering = match.entry.target
        if any(r.casefold() == ctx.target.strip().casefold() for r in match.entry.acceptable):
            return None  # the glossary writes it this way (马鞍岭 Ma'anling)
        words = re.findall(r"[A-Za-z]+(?:['’][A-Za-z]+)*", rendering or "")
        if words and not any(is_pinyin_word(w) and w[:1].isupper() and len(w) > 2
                             for w in words) and not _abbreviations_only(rendering):
            return match.entry.source_text, rendering
    return None


class UntranslatedCheck(Check):
    """Chinese left in a foreign text, a missing foreign text, or the wrong script."""

    id = "untranslated"
    name = N_("Untranslated text and script")
    explanation = N_("The foreign text must be complete and written in the script of its "
                     "language: no Chinese characters left in it, no empty line where a "
                     "language is required, Cyrillic for Russian, Hangul for Korean, kana and "
                     "Japanese kanji (not simplified Chinese forms) for Japanese. Fix: "
                     "translate the remaining Chinese, fill in the missing language, or "
                     "rewrite the text in the right script.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        findings: list[Finding] = []
        for required in ctx.extra.get("required_languages") or ():
            others = ctx.extra.get("other_targets") or {}
            if required != ctx.target_lang and not str(others.get(required) or "").strip():
                findings.append(self.finding(msg(
                    "The sign needs a %(language)s text but has none: add the %(language)s "
                    "line.", language=LANGUAGES.label(required))))
        if not target.strip():
            if source.strip():
                findings.append(self.finding(
                    msg("The foreign text is missing: translate the Chinese text.")))
            return findings
        if lang not in ("zh", "ja", "ko", "ru"):
            findings += self._pinyin_only(ctx)
        if lang == "ja":
            findings += self._japanese(target)
        elif lang == "zh":
            return findings
        else:
            for run in HAN.finditer(target):
                findings.append(self.finding(
                    msg("Chinese characters left untranslated: “%(chars)s”. Translate them.",
                        chars=run.group()), run.start(), run.end()))
        if lang in LATIN_LANGS:
            findings += self._foreign_letters(target, lang)
        elif lang == "ru":
            findings += self._russian(target)
        elif lang == "ko":
            if not HANGUL.search(target) and not _abbreviations_only(target):
                findings.append(self.finding(
                    msg("A Korean text must be written in Hangul: this one has no Hangul at "
                        "all."), 0, len(target)))
            findings += self._stray_scripts(target, lang, (KANA, CYRILLIC))
        return findings

    def _pinyin_only(self, ctx: CheckContext) -> list[Finding]:
        """Pinyin written in place of English: a common sign word (出口 "Chukou"), or a text
        whose glossary terms are translated, not transcribed (慢行道 "manxingdao": 慢行 is
        "Slow")."""
        if not ctx.tokens:
            return []
        english = common_words().get(ctx.source.strip())
        translated = None if english else _translated_term(ctx)
        if english is None and translated is None:
            return []
        from workbench.checks.pinyin import analyse
        aligned = analyse(ctx).aligned
        covered = {i for a in aligned.values() for i in range(a.start, a.end)}
        if len(aligned) != len(ctx.tokens) or len(covered) < len(ctx.source.strip()):
            return []
        written, chinese = ctx.target.strip(), ctx.source.strip()
        if english is not None:
            return [self.finding(
                msg("“%(written)s” is only the pinyin of %(chinese)s: translate it "
                    "(“%(english)s”).", written=written, chinese=chinese, english=english),
                0, len(ctx.target.rstrip()), suggestion=english)]
        term, rendering = translated  # type: ignore[misc]
        return [self.finding(
            msg("“%(written)s” is only the pinyin of %(chinese)s: translate it (%(term)s is "
                "“%(rendering)s”).", written=written, chinese=chinese, term=term,
                rendering=rendering), 0, len(ctx.target.rstrip()))]

    def _japanese(self, target: str) -> list[Finding]:
        findings = []
        for run in HAN.finditer(target):
            for offset, char in enumerate(run.group()):
                if _not_japanese(char):
                    position = run.start() + offset
                    findings.append(self.finding(
                        msg("“%(char)s” is a simplified Chinese character that Japanese does "
                            "not use: write the Japanese form (e.g. 門 for 门, 車 for 车).",
                            char=char), position, position + 1))
        if not KANA.search(target) and not HAN.search(target) and not _abbreviations_only(
                target):
            findings.append(self.finding(
                msg("A Japanese text must be written in kana or kanji: this one has neither."),
                0, len(target)))
        findings += self._stray_scripts(target, "ja", (HANGUL, CYRILLIC))
        return findings

    def _russian(self, target: str) -> list[Finding]:
        findings = []
        if not CYRILLIC.search(target):
            if not _abbreviations_only(target):
                return [self.finding(
                    msg("A Russian text must be written in Cyrillic: this one has no Cyrillic "
                        "letters."), 0, len(target))]
        if CYRILLIC.search(target):
            # A Latin word made only of letters that look Cyrillic ("Kacca" for "Касса").
            for word in LATIN_WORD.finditer(target):
                text = word.group()
                if len(text) > 2 and set(text) <= LOOKALIKES and text.lower() not in \
                        LATIN_ALLOWED and not CYRILLIC.search(target[max(0, word.start() - 1):
                                                                     word.end() + 1]):
                    findings.append(self.finding(
                        msg("“%(word)s” is typed in Latin letters that look Cyrillic: retype it "
                            "in Cyrillic.", word=text), word.start(), word.end()))
        for word in CYRILLIC_WORD.finditer(target):
            text = word.group()
            if CYRILLIC.search(text) and LATIN_WORD.search(text):
                findings.append(self.finding(
                    msg("“%(word)s” mixes Latin and Cyrillic letters that look alike: retype it "
                        "in Cyrillic.", word=text), word.start(), word.end()))
        findings += self._stray_scripts(target, "ru", (KANA, HANGUL))
        return findings

    def _foreign_letters(self, target: str, lang: str) -> list[Finding]:
        return self._stray_scripts(target, lang, (KANA, HANGUL, CYRILLIC))

    def _stray_scripts(self, target: str, lang: str,
                       patterns: tuple[re.Pattern[str], ...]) -> list[Finding]:
        findings = []
        for pattern in patterns:
            match = pattern.search(target)
            if match:
                findings.append(self.finding(
                    msg("“%(chars)s” is not in the %(script)s script of this language: replace "
                        "it.", chars=match.group(), script=Message(_script_name(lang))),
                    match.start(), match.end()))
        return findings
