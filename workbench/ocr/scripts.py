"""Which writing system a recognized line is in (Han, Latin, Cyrillic, kana, Hangul).

The shipped recognition model reads Chinese and Latin script. Its character
set holds a handful of kana and Cyrillic letters, so a line showing one of them
is reported in that script and never prefilled: those scripts are not read
reliably, and the workbench does not invent text.
"""
from __future__ import annotations

import re

HAN = "Han"
LATIN = "Latin"
CYRILLIC = "Cyrillic"
KANA = "kana"
HANGUL = "Hangul"
COMMON = "Common"  # digits and punctuation only: belongs to whatever it stands next to

SCRIPTS = (HAN, LATIN, CYRILLIC, KANA, HANGUL, COMMON)
# Scripts the shipped models read; the others are reported, never prefilled.
READ_SCRIPTS = frozenset({HAN, LATIN, COMMON})

_PATTERNS = (
    (KANA, re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")),
    (HANGUL, re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    (CYRILLIC, re.compile(r"[\u0400-\u04ff]")),
    (HAN, re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    (LATIN, re.compile(r"[A-Za-z\u00c0-\u024f]")),
)


def script_of(text: str) -> str:
    """The script of a line: the rarer scripts first (one kana makes a line Japanese),
    then Han (a Chinese line may hold Latin letters and digits: T2航站楼), then Latin;
    a line of digits and punctuation is ``Common``."""
    for script, pattern in _PATTERNS:
        if pattern.search(text):
            return script
    return COMMON


def han_count(text: str) -> int:
    """How many Han characters ``text`` holds."""
    return len(_PATTERNS[3][1].findall(text))
