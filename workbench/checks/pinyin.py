"""Checks 4 and 5: pinyin names match the Chinese, and generic parts are not left in pinyin.

The analysis aligns every Latin word of the target with the Chinese source:
a word "aligns" with a run of Chinese characters when it spells one reading
(any heteronym, from pypinyin) of each character in turn. The expected reading
of each character comes from pypinyin's reading in context; it is treated as
*authoritative* only where a dictionary settles it — the place-name table
(``data/place_names.tsv``), the glossary's own renderings, or a word of
pypinyin's phrase dictionary — so that a legitimate rare reading of a
polyphonic character in an unknown name is never called wrong.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.phrases_dict import phrases_dict

from workbench import zhwords
from workbench.checks.base import WARNING, Check, CheckContext, Finding, Token
from workbench.checks.data import table, word_list
from workbench.messages import N_, msg

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
TONE_MARKED = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]")
# Person-name contexts: there the surname is written apart (Su Dongpo, Hai Rui).
PERSON_CONTEXT = re.compile(r"墓|故居|旧居|纪念|祠|雕像|塑像|铜像|先生|之像|生平")
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
                     "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱"
                     "江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤海符邢云洪冼习邱")


# Pinyin that English uses as ordinary lower-case words.
LOANWORDS = frozenset({"renminbi", "yuan", "jiao", "fen", "tofu", "kungfu", "taichi", "fengshui",
                       "wushu", "qigong", "baijiu", "mahjong", "wonton", "jiaozi", "erhu",
                       "pipa", "guzheng", "qipao", "hutong", "lychee", "litchi"})


def strip_tones(text: str) -> str:
    """The text without tone marks (ü keeps its diaeresis)."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed
                   if unicodedata.category(c) != "Mn" or c == "\u0308")
    return unicodedata.normalize("NFC", kept)


def normalize_word(word: str) -> str:
    """A target word reduced for alignment: lower case, no tones, possessive 's,
    apostrophes or hyphens (Hai Rui's → rui, Xi'an → xian)."""
    lowered = strip_tones(word).lower()
    if lowered.endswith(("'s", "’s")):
        lowered = lowered[:-2]
    return lowered.replace("'", "").replace("’", "").replace("-", "")


def _variants(reading: str) -> frozenset[str]:
    """A reading and the ways ü is written in names (lv, lu, lyu, lü)."""
    reading = reading.replace("ü", "v")
    if "v" not in reading:
        return frozenset({reading})
    return frozenset({reading, reading.replace("v", "u"), reading.replace("v", "yu"),
                      reading.replace("v", "ü")})


def _toneless(reading: str) -> str:
    return strip_tones(reading).replace("ü", "v")


@functools.lru_cache(maxsize=None)
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (ü as v)."""
    return word_list("pinyin_syllables.txt")


@functools.lru_cache(maxsize=65536)
def char_readings(char: str) -> frozenset[str]:
    """Every reading of a Chinese character (heteronyms included), in all ü spellings."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore", v_to_u=False)
    readings: set[str] = set()
    for reading in (found[0] if found else ()):
        readings |= _variants(reading)
    return frozenset(readings)


@functools.lru_cache(maxsize=65536)
def is_pinyin_word(word: str) -> bool:
    """Whether ``word`` can be cut into pinyin syllables (e.g. Haikou, Wanlv)."""
    text = normalize_word(word).replace("ü", "v")
    if not text or not text.isascii() or not text.isalpha():
        return False
    valid = syllables()
    reachable = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        for size in range(1, 7):
            start = end - size
            if start >= 0 and reachable[start] and text[start:end] in valid:
                reachable[end] = True
                break
    return reachable[-1]


@dataclass(frozen=True)
class Name:
    """A name of the place-name table: accepted spellings and the reading of each character."""

    zh: str
    spellings: tuple[str, ...]
    readings: tuple[str, ...] | None


@functools.lru_cache(maxsize=1)
def place_names() -> dict[str, Name]:
    """The place-name table, keyed by the Chinese name."""
    names = {}
    for row in table("place_names.tsv"):
        spellings = tuple(s.strip() for s in row["spellings"].split("|") if s.strip())
        readings = None
        for spelling in spellings:
            found = _align_from(normalize_word(spelling), row["zh"], 0)
            if found and found[0][0] == len(row["zh"]):
                readings = found[0][1]
                break
        names[row["zh"]] = Name(row["zh"], spellings, readings)
    return names


@functools.lru_cache(maxsize=1)
def generics() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Generic parts and direction words: Chinese → (pinyin, English translations)."""
    return {row["zh"]: (row["pinyin"], tuple(row["english"].split("|")))
            for row in table("generics.tsv")}


def _align_from(word: str, source: str, start: int) -> list[tuple[int, tuple[str, ...]]]:
    """Ways ``word`` spells readings of ``source[start:]``: (end index, syllables) each."""
    results: list[tuple[int, tuple[str, ...]]] = []

    def walk(position: int, index: int, used: tuple[str, ...]) -> None:
        if position == len(word):
            results.append((index, used))
            return
        if index >= len(source) or len(results) > 8:
            return
        for reading in char_readings(source[index]):
            if word.startswith(reading, position):
                walk(position + len(reading), index + 1, used + (reading,))

    if start < len(source) and HAN.match(source[start]):
        walk(0, start, ())
    return results


@functools.lru_cache(maxsize=65536)
def _alignments(word: str, source: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """Every (start, end, readings) where ``word`` spells ``source[start:end]``."""
    return tuple((start, end, used) for start in range(len(source))
                 for end, used in _align_from(word, source, start))


@dataclass
class Alignment:
    """A target word spelling the readings of ``source[start:end]``."""

    token: Token
    start: int
    end: int
    used: tuple[str, ...]


@dataclass
class PinyinAnalysis:
    """The expected reading of each source character and the target words' alignments."""

    expected: list[str | None]
    authoritative: list[bool]
    name_at: dict[int, Name] = field(default_factory=dict)  # start index → name there
    aligned: dict[int, Alignment] = field(default_factory=dict)  # token index → alignment


@functools.lru_cache(maxsize=65536)
def _run_readings(run: str) -> tuple[str, ...]:
    """pypinyin's reading in context of each character of a run of Chinese characters."""
    readings = lazy_pinyin(run, style=Style.NORMAL, v_to_u=False)
    if len(readings) != len(run):  # never expected for Han runs; keep positions safe
        return tuple(r for c in run for r in lazy_pinyin(c, style=Style.NORMAL))[:len(run)]
    return tuple(r.replace("ü", "v") for r in readings)


@functools.lru_cache(maxsize=65536)
def _source_readings(source: str) -> tuple[tuple[str | None, ...], tuple[bool, ...],
                                           tuple[tuple[int, Name], ...]]:
    """Expected readings per character, which of them are settled, and names found."""
    expected: list[str | None] = [None] * len(source)
    settled = [False] * len(source)
    for run in HAN.finditer(source):
        for offset, reading in enumerate(_run_readings(run.group())):
            expected[run.start() + offset] = reading
    # pypinyin's phrase dictionary settles a reading (重庆 chong, 长安 chang) where the phrase
    # is a word of the text: 行道 (hang) does not settle 行 in 慢行|道 (xing).
    cuts = _word_boundaries(source)
    for start in range(len(source)):
        for size in (2, 3, 4):
            phrase = source[start:start + size]
            if len(phrase) < size:
                break
            readings = phrases_dict.get(phrase)
            if not readings or any(start < cut < start + size for cut in cuts):
                continue
            for offset, choices in enumerate(readings):
                index = start + offset
                if choices and _toneless(choices[0]) == expected[index]:
                    settled[index] = True
    names = []
    for zh, name in place_names().items():
        position = source.find(zh)
        while position >= 0:
            names.append((position, name))
            if name.readings:
                for offset, reading in enumerate(name.readings):
                    expected[position + offset] = reading
                    settled[position + offset] = True
            position = source.find(zh, position + 1)
    return tuple(expected), tuple(settled), tuple(names)


def _word_boundaries(source: str) -> frozenset[int]:
    """Positions between two words of the Chinese (jieba's segmentation)."""
    return zhwords.word_boundaries(source)


def analyse(ctx: CheckContext) -> PinyinAnalysis:
    """The pinyin analysis of the context's texts (computed once per text)."""
    return ctx.memo("pinyin", lambda: _analyse(ctx))


def _english_words() -> Any:
    from workbench.checks.spelling import is_english_word
    return is_english_word


# Names sit in short texts; a long document segment is not searched word by word.
MAX_SOURCE_CHARS = 300
MAX_TARGET_WORDS = 120


def _analyse(ctx: CheckContext) -> PinyinAnalysis:
    source = ctx.source
    if not HAN.search(source) or len(source) > MAX_SOURCE_CHARS \
            or len(ctx.tokens) > MAX_TARGET_WORDS:
        return PinyinAnalysis([], [])
    expected_t, settled_t, names = _source_readings(source)
    analysis = PinyinAnalysis(list(expected_t), list(settled_t))
    for position, name in names:
        current = analysis.name_at.get(position)
        if current is None or len(name.zh) > len(current.zh):
            analysis.name_at[position] = name
    _glossary_readings(ctx, analysis)
    tokens = ctx.tokens
    candidates: dict[int, list[Alignment]] = {}
    for index, token in enumerate(tokens):
        word = normalize_word(token.text)
        if len(word) < 2 or not word.isalpha() or not is_pinyin_word(token.text):
            continue
        found = [Alignment(token, start, end, used)
                 for start, end, used in _alignments(word, source)]
        if found:
            candidates[index] = found
    previous_end: int | None = None
    for index in range(len(tokens)):
        options = candidates.get(index)
        if not options:
            previous_end = None
            continue
        chosen = _choose(options, previous_end, analysis)
        analysis.aligned[index] = chosen
        previous_end = chosen.end
    # A lone English word that happens to spell one character ("He", "Men") is English;
    # next to another word aligned with the neighbouring characters it is pinyin.
    is_english = _english_words()
    for index in list(analysis.aligned):
        alignment = analysis.aligned[index]
        if alignment.end - alignment.start > 1 or not is_english(alignment.token.text):
            continue
        neighbours = [analysis.aligned.get(index - 1), analysis.aligned.get(index + 1)]
        if not any(n is not None and (n.end == alignment.start or n.start == alignment.end)
                   for n in neighbours) and not _after_translated_direction(
                       source, tokens, index, alignment):
            del analysis.aligned[index]
    return analysis


# Direction words as an English sign translates them: 龙昆南路 → Longkun South ….
DIRECTIONS = {"东": ("east", "e"), "西": ("west", "w"), "南": ("south", "s"),
              "北": ("north", "n"), "中": ("middle", "central", "m")}


def _after_translated_direction(source: str, tokens: list[Token], index: int,
                                alignment: Alignment) -> bool:
    """A generic in pinyin right after a translated direction word ("Longkun South Lu")."""
    if index == 0 or alignment.start == 0 or source[alignment.start:alignment.end] not in \
            generics():
        return False
    direction = DIRECTIONS.get(source[alignment.start - 1])
    return direction is not None and tokens[index - 1].text.lower() in direction


def _choose(options: list[Alignment], previous_end: int | None,
            analysis: PinyinAnalysis) -> Alignment:
    def score(option: Alignment) -> tuple[int, int, int]:
        follows = int(previous_end is not None and option.start == previous_end)
        matches = int(all(analysis.expected[option.start + k] is None
                          or used in _variants(analysis.expected[option.start + k] or "")
                          for k, used in enumerate(option.used)))
        return (follows, matches, option.end - option.start)
    return max(options, key=score)


def _glossary_readings(ctx: CheckContext, analysis: PinyinAnalysis) -> None:
    """Readings that the glossary's renderings settle (a name's pinyin in a term)."""
    glossary = ctx.glossary
    if glossary is None or not len(glossary):
        return
    for term_match in glossary_matches(ctx):
        rendering = term_match.entry.target
        if not rendering:
            continue
        for offset, reading in _term_readings(term_match.entry.source_text, rendering):
            position = term_match.start + offset
            if position < len(analysis.expected):
                analysis.expected[position] = reading
                analysis.authoritative[position] = True


def glossary_matches(ctx: CheckContext) -> list[Any]:
    """The glossary terms in the source (matched once per text, shared by the checks)."""
    glossary = ctx.glossary
    if glossary is None or not len(glossary):
        return []
    return ctx.memo("glossary_matches", lambda: glossary.match(ctx.source))


@functools.lru_cache(maxsize=65536)
def _term_readings(term: str, rendering: str) -> tuple[tuple[int, str], ...]:
    """(offset in the term, reading) for each character a pinyin word of the rendering spells."""
    settled: list[tuple[int, str]] = []
    for word in re.findall(r"[A-Za-zÀ-ɏ'’]+", rendering):
        normalized = normalize_word(word)
        if len(normalized) < 2 or not is_pinyin_word(word):
            continue
        for start in range(len(term)):
            found = _align_from(normalized, term, start)
            if found:
                settled += [(start + k, reading) for k, reading in enumerate(found[0][1])]
                break
    return tuple(settled)


def spelled(readings: tuple[str, ...] | list[str]) -> str:
    """Readings written as one pinyin name: capitalized, apostrophe before a/o/e syllables."""
    text = ""
    for index, reading in enumerate(readings):
        reading = reading.replace("v", "ü") if reading in ("lv", "nv", "lve", "nve") else reading
        if index and reading[:1] in "aoe":
            text += "'"
        text += reading
    return text[:1].upper() + text[1:]


def _name_for(analysis: PinyinAnalysis, start: int, end: int) -> Name | None:
    name = analysis.name_at.get(start)
    if name is not None and start + len(name.zh) == end:
        return name
    return None


def _is_generic(ctx: CheckContext, alignment: Alignment) -> bool:
    return ctx.source[alignment.start:alignment.end] in generics()


class PinyinCheck(Check):
    """Names in pinyin: the right reading, one word, a capital, apostrophes, no tone marks."""

    id = "pinyin"
    name = N_("Pinyin names")
    explanation = N_("The specific part of a name is written in Hanyu Pinyin that matches the "
                     "Chinese (the right reading of polyphonic characters: 重庆 Chongqing, 长安 "
                     "Chang'an, 乐东 Ledong), its syllables as one word (Haikou, not Hai Kou), "
                     "with a capital first letter, an apostrophe before a syllable starting "
                     "with a, o or e (Xi'an, Ding'an) and no tone marks. Fix: write the name as "
                     "suggested.")

    def applies(self, ctx: CheckContext) -> bool:
        return super().applies(ctx) and ctx.lang not in ("zh", "ja", "ko", "ru") \
            and bool(HAN.search(ctx.source))

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        analysis = analyse(ctx)
        findings: list[Finding] = []
        all_caps = target.upper() == target
        for _index, alignment in sorted(analysis.aligned.items()):
            findings += self._word(ctx, analysis, alignment, all_caps)
        findings += self._split(ctx, analysis)
        for index, (chars, spelling) in near_misses(ctx).items():
            token = ctx.tokens[index]
            findings.append(self.finding(
                msg("“%(word)s” is not the pinyin of %(chinese)s: write “%(spelling)s”.",
                    word=token.text, chinese=chars, spelling=spelling),
                token.start, token.end, suggestion=spelling))
        return findings

    def _word(self, ctx: CheckContext, analysis: PinyinAnalysis, alignment: Alignment,
              all_caps: bool) -> list[Finding]:
        token = alignment.token
        word = token.text
        findings = []
        name = _name_for(analysis, alignment.start, alignment.end)
        written_as = word.replace("’", "'")
        if name and (written_as in name.spellings or (
                written_as.isupper() and written_as in {s.upper() for s in name.spellings})):
            return []
        if TONE_MARKED.search(word):
            findings.append(self.finding(
                msg("“%(word)s”: signs write pinyin without tone marks: “%(spelling)s”.",
                    word=word, spelling=strip_tones(word)),
                token.start, token.end, suggestion=strip_tones(word)))
        chars = ctx.source[alignment.start:alignment.end]
        wrong = [k for k, used in enumerate(alignment.used)
                 if analysis.authoritative[alignment.start + k]
                 and analysis.expected[alignment.start + k]
                 and used not in _variants(analysis.expected[alignment.start + k] or "")]
        # The reading written stands where no dictionary settles another one.
        correct = [(analysis.expected[alignment.start + k] or used)
                   if analysis.authoritative[alignment.start + k] else used
                   for k, used in enumerate(alignment.used)]
        suggestion = name.spellings[0] if name else spelled(correct)
        if wrong:
            chars_wrong = "、".join(chars[k] for k in wrong)
            findings.append(self.finding(
                msg("“%(word)s” reads %(wrong)s wrongly: %(chinese)s is written “%(spelling)s”.",
                    word=word, wrong=chars_wrong, chinese=chars, spelling=suggestion),
                token.start, token.end, suggestion=suggestion))
            return findings
        letters = strip_tones(word)
        if letters[:1].islower() and letters.lower() not in LOANWORDS:
            findings.append(self.finding(
                msg("A name in pinyin starts with a capital: “%(spelling)s”.",
                    spelling=suggestion), token.start, token.end, suggestion=suggestion))
        elif not all_caps and not letters.isupper() and any(c.isupper() for c in letters[1:]):
            findings.append(self.finding(
                msg("“%(word)s” is one name: write it as one word with one capital, "
                    "“%(spelling)s”.", word=word, spelling=suggestion),
                token.start, token.end, suggestion=suggestion))
        expected_form = spelled(alignment.used).replace("ü", "v")
        written = letters.replace("’", "'").lower().replace("ü", "v")
        if not findings and expected_form.lower() != written \
                and expected_form.replace("'", "").lower() == written.replace("'", ""):
            if "'" in expected_form and "'" not in written:
                message = msg("Put an apostrophe before the syllable that starts with a, o or "
                              "e: “%(spelling)s”.", spelling=suggestion)
            else:
                message = msg("No apostrophe is needed here: “%(spelling)s”.",
                              spelling=suggestion)
            findings.append(self.finding(message, token.start, token.end,
                                         suggestion=suggestion, severity=WARNING))
        return findings

    def _split(self, ctx: CheckContext, analysis: PinyinAnalysis) -> list[Finding]:
        """Syllables of one name written as separate words ("Hai Kou")."""
        findings = []
        indexes = sorted(analysis.aligned)
        chain: list[Alignment] = []

        def flush() -> None:
            if len(chain) > 1:
                first, last = chain[0], chain[-1]
                readings = [r for a in chain for r in a.used]
                whole = ctx.source[first.start:last.end]
                name = _name_for(analysis, first.start, last.end)
                suggestion = name.spellings[0] if name else spelled(
                    [analysis.expected[first.start + k] or r for k, r in enumerate(readings)])
                written = ctx.target[first.token.start:last.token.end]
                if _established(ctx, written):
                    chain.clear()
                    return  # a registered name written apart (Shanghai Jiao Tong University)
                findings.append(self.finding(
                    msg("“%(written)s” splits the name %(chinese)s: write its syllables as one "
                        "word, “%(spelling)s”.", written=written, chinese=whole,
                        spelling=suggestion), first.token.start, last.token.end,
                    suggestion=suggestion))
            chain.clear()

        for index in indexes:
            alignment = analysis.aligned[index]
            if chain:
                previous = chain[-1]
                gap = ctx.target[previous.token.end:alignment.token.start]
                joined_name = _name_for(analysis, chain[0].start, alignment.end) is not None
                # A complete known name followed by another word ("Ledong Li") is two names.
                complete = _name_for(analysis, chain[0].start, previous.end) is not None \
                    or _name_for(analysis, alignment.start, alignment.end) is not None
                joins = (index - 1 in analysis.aligned and analysis.aligned[index - 1] is previous
                         and gap in (" ", "-") and alignment.start == previous.end
                         and (joined_name or (not complete and not _is_generic(ctx, alignment)
                                              and not _is_generic(ctx, previous)
                                              and min(len(previous.used), len(alignment.used)) == 1
                                              and not _person_name(ctx, chain[0], alignment))))
                if joins:
                    chain.append(alignment)
                    continue
                flush()
            chain.append(alignment)
        flush()
        return findings


def _established(ctx: CheckContext, written: str) -> bool:
    """Whether ``written`` is part of the glossary's rendering of a term of the source."""
    from workbench.checks.expected import glossary_expectations

    return any(written in rendering for entry, _start, _end in glossary_expectations(ctx)
               for rendering in entry.acceptable)


def near_misses(ctx: CheckContext) -> dict[int, tuple[str, str]]:
    """Target words that misspell the pinyin of a name in the source ("Haikuo" for 海口).

    Token index → (the Chinese, its pinyin). Only capitalized words that are not aligned
    with the source, within one or two letters of the pinyin of two to five source
    characters, count. An English word counts only when it is itself a pinyin name
    ("Hunan" for 华南 Huanan) and those characters are not written elsewhere in the text.
    """
    return ctx.memo("pinyin_near_misses", lambda: _near_misses(ctx))


def _near_miss_candidate(token: Token, index: int, analysis: PinyinAnalysis) -> bool:
    word = normalize_word(token.text)
    if index in analysis.aligned or len(word) < 4 or not token.text[:1].isupper() \
            or not word.isascii():
        return False
    # A real word is a candidate only when it is a pinyin name itself (Hunan, Henan).
    return not _english_words()(token.text) or is_pinyin_word(token.text)


def _near_misses(ctx: CheckContext) -> dict[int, tuple[str, str]]:
    analysis = analyse(ctx)
    if not analysis.expected:
        return {}
    from rapidfuzz.distance import OSA  # a swap of two letters (Haikuo) counts as one edit

    is_english = _english_words()
    written = {k for a in analysis.aligned.values() for k in range(a.start, a.end)}
    found: dict[int, tuple[str, str]] = {}
    for index, token in enumerate(ctx.tokens):
        if not _near_miss_candidate(token, index, analysis):
            continue
        word = normalize_word(token.text)
        english = is_english(token.text)
        best: tuple[int, str, str] | None = None
        for start in range(len(ctx.source)):
            for size in range(2, 6):
                readings = analysis.expected[start:start + size]
                if len(readings) < size or any(r is None for r in readings):
                    break
                if english and written.intersection(range(start, start + size)):
                    continue  # the name is written already: the English word is English
                name = _name_for(analysis, start, start + size)
                spelling = name.spellings[0] if name else spelled(readings)  # type: ignore
                candidate = normalize_word(spelling).replace("ü", "v")
                allowed = 1 if len(candidate) < 7 else 2
                if abs(len(candidate) - len(word)) > allowed or candidate[:1] != word[:1]:
                    continue
                distance = OSA.distance(word.replace("ü", "v"), candidate)
                if 0 < distance <= allowed and (best is None or distance < best[0]):
                    best = (distance, ctx.source[start:start + size], spelling)
        if best is not None:
            found[index] = (best[1], best[2])
    return found


def _person_name(ctx: CheckContext, first: Alignment, following: Alignment) -> bool:
    """Surname and given name are written apart in a person's name (Su Dongpo, Xi Jinping).

    A one-character given name after a surname ("Hai Rui") is taken for a person only
    where the Chinese speaks of a person (墓, 故居, 纪念馆 …): otherwise "Hai Kou" would pass.
    Reduplicated syllables ("Dan Dan Noodles") are written apart as well.
    """
    if first.token.text.lower() == following.token.text.lower():
        return True
    if first.end - first.start != 1 or ctx.source[first.start] not in SURNAMES:
        return False
    given = following.end - following.start
    return given == 2 or (given == 1 and bool(PERSON_CONTEXT.search(ctx.source)))
