"""Chinglish grammar: the Chinese word order and word-by-word operators in English.

Three families of errors the campaign found again and again, whatever the words:

- **verb-final phrases**: the Chinese puts the verb last (危险品禁止携带, 垃圾分类), and
  a calque ends the English with a bare verb: "Dangerous Goods Forbid", "Rubbish
  Classify", "Individual Visitors Explain" (the verbs are in ``data/verb_final.txt``);
- **"Prohibit X"** for 严禁/禁止 X: English says "No X" or "X Prohibited";
- **word-by-word operators**: 当心/小心 X as "Warning Drop Down", "Careful Hand Pinch",
  "X Carefully" (hazard verbs in ``data/hazard_verbs.txt``); 请勿 as "Please Not …";
  注意 X as "Notice X" / "Note X".
"""
from __future__ import annotations

import re

from workbench.checks.base import Check, CheckContext, Finding
from workbench.checks.data import word_list
from workbench.messages import N_, msg

# A sign phrase ends at a line break, a sentence mark or a comma.
_PHRASE = re.compile(r"[^/!?.;,\n]+")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
# Words after which a final verb is an ordinary imperative or infinitive, not verb-final.
_BEFORE_VERB = frozenset({"please", "not", "do", "don't", "dont", "to", "must", "may", "can",
                          "will", "shall", "never", "kindly", "let", "let's", "no", "you",
                          "we", "and", "or", "then", "always", "strictly", "without",
                          "with", "after", "before", "upon", "for", "of", "by"})
PROHIBITION_ZH = re.compile(r"禁止|严禁|不准|不许|不得|禁")
WARNING_ZH = re.compile(r"当心|小心|注意|警惕|谨防")
NOTICE_ZH = re.compile(r"^\s*注意")
PLEASE_NOT_ZH = re.compile(r"请勿|请不要|切勿|勿")
_PROHIBIT_X = re.compile(r"^\s*(?:strictly\s+)?prohibit\s+(?:to\s+)?"
                         r"(?P<rest>[A-Za-z][A-Za-z' -]*?)\s*[!.]?\s*$", re.I)
_SIGNAL_THEN = re.compile(r"^\s*(?P<signal>warning|caution|danger|attention|careful)\s+"
                          r"(?P<rest>[A-Za-z][A-Za-z' ]*)$", re.I)
_CAREFULLY = re.compile(r"\bcarefully\b", re.I)
# Verbs "carefully" may follow in good English (Drive Carefully, Handle Carefully).
_CAREFUL_VERBS = frozenset({"drive", "driving", "walk", "walking", "ride", "riding", "handle",
                            "proceed", "go", "step", "cycle", "operate", "read", "listen",
                            "use", "park", "reverse", "descend", "climb", "move", "turn",
                            "open", "close", "watch", "look", "check", "pass", "cross",
                            "steer", "board", "alight", "exit", "enter", "carry", "lift"})
_PLEASE_NOT = re.compile(r"^\s*please\s+not\s+\w+", re.I)
_NOTICE_X = re.compile(r"^\s*(?:please\s+)?(?:notice|note)\s+(?!:)(?:the\s+|your\s+)?"
                       r"[A-Za-z]+", re.I)


def _known_chinglish(source: str, target: str) -> bool:
    """Whether the Chinglish table names this text already (one finding is enough)."""
    from workbench.checks.patterns import _known_chinglish as known

    return known(source, target)


def _title(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split())


class GrammarCheck(Check):
    """The Chinese word order in English: verb last, "Prohibit X", word-by-word operators."""

    id = "grammar"
    name = N_("Chinglish grammar")
    languages = frozenset({"en"})
    profiles = frozenset({"sign"})
    explanation = N_("English signs do not keep the Chinese word order: a phrase does not end "
                     "in a bare verb (“Dangerous Goods Forbid”, “Rubbish Classify”: write "
                     "“Dangerous Goods Prohibited”, “Sort Your Waste”); 严禁/禁止 X is “No X” "
                     "or “X Prohibited”, not “Prohibit X”; 当心/小心 X is “CAUTION//X”, “Mind "
                     "…” or “Watch …”, not “Warning Drop Down”, “Careful Hand Pinch” or “X "
                     "Carefully”; 请勿 is “Do Not …”, not “Please Not …”; 注意 X is “CAUTION//"
                     "X” or “Watch …”, not “Notice X”. Fix: rewrite the phrase as shown.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        if not target.strip():
            return []
        findings = self._verb_final(target)
        if PROHIBITION_ZH.search(source):
            findings += self._prohibit_x(target)
        if WARNING_ZH.search(source) and not _known_chinglish(source, target):
            findings += self._warning_calques(target)
        if PLEASE_NOT_ZH.search(source):
            match = _PLEASE_NOT.match(target)
            if match:
                findings.append(self.finding(
                    msg("“%(written)s” renders 请勿 word by word: write “Do Not …” or “No …”.",
                        written=match.group().strip()), match.start(), match.end()))
        if NOTICE_ZH.search(source):
            match = _NOTICE_X.match(target)
            if match:
                findings.append(self.finding(
                    msg("“%(written)s” renders 注意 word by word: write “CAUTION//…”, “Watch …” "
                        "or “Mind …”.", written=match.group().strip()),
                    match.start(), match.end()))
        return findings

    def _verb_final(self, target: str) -> list[Finding]:
        verbs = word_list("verb_final.txt")
        function_words = word_list("function_words.txt")
        findings = []
        for phrase in _PHRASE.finditer(target):
            words = list(_WORD.finditer(phrase.group()))
            if len(words) < 2:
                continue
            last, before = words[-1].group(), words[-2].group().lower()
            if last.lower() not in verbs or before in _BEFORE_VERB or before in function_words:
                continue
            start = phrase.start() + words[0].start()
            end = phrase.start() + words[-1].end()
            written = target[start:end]
            suggestion = None
            if last.lower() in ("forbid", "prohibit"):
                suggestion = f"{target[start:phrase.start() + words[-1].start()].strip()} " \
                             "Prohibited"
            findings.append(self.finding(
                msg("“%(written)s” ends in the verb “%(verb)s”, in the Chinese word order: "
                    "English signs put the verb first (“Please …”, “Do Not …”) or say “No …” "
                    "or “… Prohibited”.", written=written, verb=last),
                start, end, suggestion=suggestion))
        return findings

    def _prohibit_x(self, target: str) -> list[Finding]:
        match = _PROHIBIT_X.match(target)
        if not match or match.group("rest").lower().endswith("ing"):
            return []  # "Prohibit Smoking" is the sign-pattern check's
        rest = _title(match.group("rest").strip())
        fixed = f"No {rest}"
        return [self.finding(
            msg("“Prohibit …” follows the Chinese word order of 严禁/禁止: write “%(fixed)s” or "
                "“%(rest)s Prohibited”.", fixed=fixed, rest=rest),
            match.start(), match.end("rest"), suggestion=fixed)]

    def _warning_calques(self, target: str) -> list[Finding]:
        findings = []
        hazards = word_list("hazard_verbs.txt")
        for phrase in re.finditer(r"[^/!?.;\n]+", target):
            text = phrase.group()
            signal = _SIGNAL_THEN.match(text)
            if signal:
                words = [w.lower() for w in signal.group("rest").split()]
                if words and (words[0] in hazards or words[-1] in hazards):
                    findings.append(self.finding(
                        msg("“%(written)s” renders 当心/小心 word by word: name the hazard "
                            "after the signal word (“CAUTION//…”) or write “Mind …” or “Watch "
                            "…”.", written=text.strip()),
                        phrase.start() + signal.start(), phrase.start() + len(text.rstrip())))
                    continue
            for careful in _CAREFULLY.finditer(text):
                before = text[:careful.start()].split()
                if before and before[-1].lower() in _CAREFUL_VERBS:
                    continue
                findings.append(self.finding(
                    msg("“%(written)s” renders 当心/小心 (“carefully”) word by word: write "
                        "“CAUTION//…”, “Mind …” or “Watch …”.", written=text.strip()),
                    phrase.start() + careful.start(), phrase.start() + careful.end()))
        return findings
