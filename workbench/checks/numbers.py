"""Check 9: the numbers, units and times of the Chinese appear in the foreign text."""
from __future__ import annotations

import re
import unicodedata
from fractions import Fraction

from workbench.checks.base import WARNING, Check, CheckContext, Finding
from workbench.messages import N_, msg

NUMBER = re.compile(r"\d+(?:[.:]\d+)*")
# 12-hour times in a target ("6 pm", "6:30 p.m.") to compare with 24-hour sources.
TWELVE_HOUR = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m\b\.?", re.IGNORECASE)
CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
                  "六": 6, "七": 7, "八": 8, "九": 9}
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
# A Chinese numeral is only read as a number before one of these (so 三亚, 五指山 and
# 万宁 stay names); 第 before it makes it an ordinal.
COUNTERS = ("号线", "号楼", "号", "楼", "层", "站台", "航站楼", "栋", "座", "车厢", "米", "公里",
            "千米", "厘米", "元", "分钟", "小时", "点", "岁", "吨", "公斤", "千克")
CHINESE_NUMERAL = re.compile(
    r"(第)?([零〇一二两三四五六七八九十百千]+)(?=" + "|".join(COUNTERS) + ")")
# Source unit → the units that render it (the first is the standard symbol).
UNITS = {
    "公里": ("km", "kilometre", "kilometer", "kilometres", "kilometers"),
    "千米": ("km", "kilometre", "kilometer", "kilometres", "kilometers"),
    "厘米": ("cm", "centimetre", "centimeter", "centimetres", "centimeters"),
    "毫米": ("mm", "millimetre", "millimeter", "millimetres", "millimeters"),
    "米": ("m", "metre", "meter", "metres", "meters"),
    "公斤": ("kg", "kilogram", "kilograms"),
    "千克": ("kg", "kilogram", "kilograms"),
    "吨": ("t", "ton", "tons", "tonne", "tonnes"),
    "小时": ("h", "hour", "hours", "hr", "hrs"),
    "分钟": ("min", "minute", "minutes", "mins"),
    "元": ("yuan", "rmb", "cny", "¥"),
}
UNIT_PATTERN = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(
    sorted(UNITS, key=len, reverse=True)) + ")")
AROUND_THE_CLOCK = re.compile(r"\b(?:a?round the clock|24/7|all day and night)\b|круглосуточн",
                              re.I)
GLUED_UNIT = re.compile(r"\b(\d+(?:\.\d+)?)(km|cm|mm|kg|m|t)\b")


def chinese_numeral_value(text: str) -> int | None:
    """The value of a simple Chinese numeral (三, 十二, 二十五, 一百零八), else None."""
    total, current = 0, 0
    if text and all(c in CHINESE_DIGITS for c in text) and len(text) > 1:
        return int("".join(str(CHINESE_DIGITS[c]) for c in text))  # 二〇二四
    for char in text:
        if char in CHINESE_DIGITS:
            current = CHINESE_DIGITS[char]
        elif char in CHINESE_UNITS:
            total += (current or 1) * CHINESE_UNITS[char]
            current = 0
        else:
            return None
    return total + current


def _value(number: str) -> tuple[Fraction, ...]:
    """A comparable value: 08:00 == 8:00, 2.50 == 2.5, 0898 == 898."""
    if ":" in number:
        return tuple(Fraction(int(part)) for part in number.split(":"))
    try:
        return (Fraction(number),)
    except (ValueError, ZeroDivisionError):
        return tuple(Fraction(int(p)) for p in re.split(r"\D+", number) if p)


def _same(source_value: tuple[Fraction, ...], target_value: tuple[Fraction, ...]) -> bool:
    if source_value == target_value:
        return True
    # "8点" (8) against "8:00", or "8:00" against "8".
    longer, shorter = sorted((source_value, target_value), key=len, reverse=True)
    return longer[:len(shorter)] == shorter and not any(longer[len(shorter):])


def source_numbers(source: str) -> list[tuple[str, tuple[Fraction, ...]]]:
    """The numbers written in the Chinese: Arabic (any width) and Chinese numerals before a
    counter."""
    text = unicodedata.normalize("NFKC", source)
    numbers = [(m.group(), _value(m.group())) for m in NUMBER.finditer(text)]
    for match in CHINESE_NUMERAL.finditer(text):
        if text.startswith("米线", match.end()):
            continue  # 一米线: the queueing line, rendered "Yellow Line"
        value = chinese_numeral_value(match.group(2))
        if value is not None:
            numbers.append((match.group(), (Fraction(value),)))
    return numbers


def target_numbers(target: str) -> list[tuple[str, tuple[Fraction, ...], int, int]]:
    """The numbers of the foreign text with positions; 12-hour times become 24-hour."""
    text = unicodedata.normalize("NFKC", target) if len(
        unicodedata.normalize("NFKC", target)) == len(target) else target
    found: list[tuple[str, tuple[Fraction, ...], int, int]] = []
    covered: set[int] = set()
    for match in TWELVE_HOUR.finditer(text):
        hour = int(match.group(1)) % 12 + (12 if match.group(3).lower() == "p" else 0)
        minute = int(match.group(2) or 0)
        found.append((match.group(), (Fraction(hour), Fraction(minute)), match.start(),
                      match.end()))
        covered.update(range(match.start(), match.end()))
    for match in NUMBER.finditer(text):
        if match.start() in covered:
            continue
        found.append((match.group(), _value(match.group()), match.start(), match.end()))
    return found


WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "first": 1, "second": 2, "third": 3,
                "single": 1, "double": 2, "half": None,
                # 2024年5月1日 → "May 1, 2024": the month is a word
                "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
                "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
                "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10,
                "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}


class NumbersCheck(Check):
    """Numbers, units and times of the source must appear, unchanged, in the target."""

    id = "numbers"
    name = N_("Numbers, units and times")
    explanation = N_("Every number, measure and time on the Chinese sign must appear in the "
                     "foreign text with the same value, in Arabic numerals, with metric units "
                     "written as symbols after a space (限宽2.5米 → 2.5 m) and 24-hour times "
                     "(8:00-18:00). Fix: copy the numbers from the Chinese and correct the "
                     "value or the unit.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        if not source or not target.strip():
            return []
        findings: list[Finding] = []
        wanted = source_numbers(source)
        present = target_numbers(target)
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", target)}
        around_the_clock = bool(AROUND_THE_CLOCK.search(target))
        for text, value in wanted:
            if any(_same(value, have[1]) for have in present):
                continue
            if around_the_clock and value == (Fraction(24),) and "小时" in source:
                continue  # 24小时 → "Around the Clock", "24/7"
            if len(value) == 1 and value[0] in {Fraction(v) for w, v in WORD_NUMBERS.items()
                                                 if v is not None and w in words}:
                continue  # spelled out ("Two-Way", "First Aid"): allowed
            findings.append(self.finding(
                msg("The number “%(number)s” of the Chinese is missing or different in the "
                    "foreign text: write it as in the Chinese.", number=text), None, None))
        # A number only in the English is reported when the Chinese has numbers too (a
        # changed number); without any, English may add one (24-Hour, G98 Expressway).
        if wanted:
            for text, value, start, end in present:
                if not any(_same(w[1], value) for w in wanted) \
                        and not re.search(r"[零〇一二两三四五六七八九十百千万]", source):
                    findings.append(self.finding(
                        msg("“%(number)s” is not in the Chinese text: check the number.",
                            number=text), start, end, severity=WARNING))
        if lang == "en":
            findings += self._units(source, target)
        return findings

    def _units(self, source: str, target: str) -> list[Finding]:
        findings = []
        lowered = target.lower()
        tokens = set(re.findall(r"[a-z¥]+", lowered))
        for match in UNIT_PATTERN.finditer(unicodedata.normalize("NFKC", source)):
            unit = match.group(2)
            if unit == "小时" and AROUND_THE_CLOCK.search(target):
                continue
            renderings = UNITS[unit]
            if not any(r in tokens or r in lowered and r == "¥" for r in renderings):
                fixed = f"{match.group(1)} {renderings[0]}"
                findings.append(self.finding(
                    msg("The unit “%(unit)s” after %(number)s is missing: write “%(fixed)s”.",
                        unit=unit, number=match.group(1), fixed=fixed), None, None,
                    suggestion=fixed))
        for match in TWELVE_HOUR.finditer(target):
            hour = int(match.group(1)) % 12 + (12 if match.group(3).lower() == "p" else 0)
            clock = f"{hour:02d}:{match.group(2) or '00'}"
            findings.append(self.finding(
                msg("Signs use the 24-hour clock: write “%(clock)s”.", clock=clock),
                match.start(), match.end(), suggestion=clock, severity=WARNING))
        for match in GLUED_UNIT.finditer(target):
            fixed = f"{match.group(1)} {match.group(2)}"
            findings.append(self.finding(
                msg("Put a space between the number and the unit: “%(fixed)s”.", fixed=fixed),
                match.start(), match.end(), suggestion=fixed, severity=WARNING))
        return findings
