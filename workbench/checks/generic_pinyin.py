"""Check 5: generic parts and direction words are not left in pinyin on English signs.

Uses the pinyin analysis of :mod:`workbench.checks.pinyin` (which target words
spell which Chinese characters) and its table of generic parts
(``data/generics.tsv``).
"""
from __future__ import annotations

from workbench.checks.base import Check, CheckContext, Finding
from workbench.checks.pinyin import (
    HAN, Alignment, _after_translated_direction, _name_for, analyse, generics,
)
from workbench.messages import N_, msg

# Road generics that are also written joined to a word before them ("Laojie", "Nanlu").
ROAD_GENERICS = ("大道", "大街", "路", "街", "巷")
# Generics a street nameplate (GB 17733) writes in capital pinyin, with the direction
# words that come with them (LONGKUN NANLU, HAIXIU ZHONGLU).
NAMEPLATE_GENERICS = frozenset(ROAD_GENERICS + ("弄", "胡同", "里", "道", "东", "西", "南",
                                                "北", "中", "东路", "西路", "南路", "北路",
                                                "中路"))


def _joined_road_generic(chars: str, alignment: Alignment) -> tuple[str] | None:
    """The road generic written in pinyin at the end of a word ("Qilou Laojie": 街)."""
    for generic in ROAD_GENERICS:
        if len(chars) > len(generic) and chars.endswith(generic):
            syllables = len(generic)
            if "".join(alignment.used[-syllables:]) == generics()[generic][0]:
                return (generic,)
    return None


def is_nameplate(ctx: CheckContext) -> bool:
    """Street nameplates (GB 17733) are written in pinyin on purpose."""
    kind = str(ctx.extra.get("sign_kind") or ctx.function or "").lower()
    return kind in {"nameplate", "street_nameplate", "road_nameplate", "pinyin"}


# Generics of places and landmarks that a name must not swallow into its pinyin word on an
# English sign ("Yalongwan" for 亚龙湾 Yalong Bay). A one-syllable name keeps its generic in
# the pinyin but adds the English one (Huaihe River), and an established joined name
# (Dadonghai) is the glossary's: neither is flagged.
JOINED_PLACE_GENERICS = ("湾", "岛", "河", "江", "湖", "港", "山", "岭", "峰", "公园", "寺", "塔",
                         "桥", "大桥", "广场", "瀑布")


def _joined_place_generic(ctx: CheckContext, analysis: object) -> Finding | None:
    """The name's last word with its place generic joined in pinyin ("Yalongwan")."""
    aligned = getattr(analysis, "aligned", {})
    if len(aligned) != 1 or len(ctx.tokens) != 1:
        return None
    alignment = next(iter(aligned.values()))
    chars = ctx.source[alignment.start:alignment.end]
    for generic in sorted(JOINED_PLACE_GENERICS, key=len, reverse=True):
        entry = generics().get(generic)
        if entry is None or not chars.endswith(generic) or len(chars) <= len(generic) + 1:
            continue
        if "".join(alignment.used[-len(generic):]) != entry[0]:
            return None
        whole = ctx.glossary.lookup(ctx.source) if ctx.glossary is not None else None
        if whole is not None and any(r.casefold() == ctx.target.strip().casefold()
                                     for r in whole.acceptable):
            return None  # an established joined name (Dadonghai)
        word = alignment.token.text
        fixed = f"{word[:len(word) - len(entry[0])]} {entry[1][0]}"
        return Finding("pinyin_generic", "error", msg(
            "“%(word)s” leaves the generic part %(chinese)s in pinyin: translate it "
            "(%(english)s).", word=word, chinese=generic, english=" / ".join(entry[1][:2])),
            alignment.token.start, alignment.token.end, fixed)
    return None


class GenericPinyinCheck(Check):
    """Generic parts and direction words left in pinyin on an English sign ("Longkun Nan Lu")."""

    id = "pinyin_generic"
    name = N_("Pinyin in generic parts")
    languages = frozenset({"en"})
    explanation = N_("On English signs only the specific part of a name stays in pinyin; the "
                     "generic part (路 Road, 街 Street, 大道 Avenue, 桥 Bridge, 公园 Park, 站 "
                     "Station, 河 River, 湾 Bay …) and direction words (东西南北 East, West, "
                     "South, North) are translated: 龙昆南路 Longkun South Road, not Longkun "
                     "Nan Lu. Street nameplates, which are pinyin by design, are exempt.")

    def applies(self, ctx: CheckContext) -> bool:
        return super().applies(ctx) and bool(HAN.search(ctx.source)) and not is_nameplate(ctx)

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        analysis = analyse(ctx)
        # All-capital pinyin and nothing else is how a street nameplate is written
        # (GB 17733: LONGKUN NANLU); a bridge, park or station in capital pinyin ("NANDA
        # QIAO") is still a generic left untranslated.
        nameplate_style = target.isupper() and bool(ctx.tokens) \
            and len(analysis.aligned) == len(ctx.tokens)
        findings = []
        table_ = generics()
        flagged_previous = False
        for index in sorted(analysis.aligned):
            alignment = analysis.aligned[index]
            previous = analysis.aligned.get(index - 1)
            chars = source[alignment.start:alignment.end]
            entry = table_.get(chars)
            follows_name = (previous is not None and previous.end == alignment.start) or \
                _after_translated_direction(source, ctx.tokens, index, alignment)
            in_name = previous is not None and any(
                _name_for(analysis, start, alignment.end) is not None
                for start in range(max(0, alignment.start - 6), alignment.start))
            generic_chars = chars
            if entry is None and (follows_name or flagged_previous) and not in_name:
                joined = _joined_road_generic(chars, alignment)
                if joined:
                    generic_chars, entry = joined[0], generics()[joined[0]]
            if nameplate_style and generic_chars in NAMEPLATE_GENERICS:
                entry = None
            if entry and (follows_name or flagged_previous) and not in_name:
                english = " / ".join(entry[1][:2])
                findings.append(self.finding(
                    msg("“%(word)s” leaves the generic part %(chinese)s in pinyin: translate it "
                        "(%(english)s).", word=alignment.token.text, chinese=generic_chars,
                        english=english), alignment.token.start,
                    alignment.token.end, suggestion=entry[1][0]))
                flagged_previous = True
            else:
                flagged_previous = False
        if not findings and not nameplate_style:
            place_finding = _joined_place_generic(ctx, analysis)
            if place_finding is not None:
                findings.append(place_finding)
        return findings
