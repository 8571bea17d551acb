"""Check 10: the sign's function (prohibition, warning, notice) has its standard pattern."""
from __future__ import annotations

import re

from workbench.checks.base import WARNING, Check, CheckContext, Finding
from workbench.checks.capitals import signal_word_at_start
from workbench.messages import N_, Message, msg

PROHIBITION_ZH = re.compile(r"^(?:.{0,8}?)(禁止|严禁|不准|不许|请勿|切勿|勿|谢绝|不得|禁)")
WARNING_ZH = re.compile(r"^(?:当心|小心|注意|警告|危险|谨防|提防)")
DANGER_ZH = re.compile(r"危险|高压|触电|爆炸|剧毒")
ONLY_ZH = re.compile(r"仅限|仅供|只限")
# Prohibition wordings the standard rejects, with the fix.
BAD_PROHIBITION = [
    (re.compile(r"^\s*(?:please\s+)?(?:strictly\s+)?forbid(?:den)?\s+(?:to\s+)?\w+", re.I),
     N_("“Forbid …” is not how English signs prohibit: write “No …ing”, “Do Not …” or "
        "“… Prohibited”."), "error"),
    (re.compile(r"^\s*(?:strictly\s+)?prohibit(?:ed)?\s+(?:to\s+)?\w+ing\b", re.I),
     N_("Put “Prohibited” after the noun (“Smoking Prohibited”) or write “No …ing”."),
     "error"),
    (re.compile(r"^\s*(?:please\s+)?(?:not\s+allowed\s+to|no\s+allowed|not\s+to)\s+\w+", re.I),
     N_("Write “No …ing” or “Do Not …”."), "error"),
    (re.compile(r"^\s*ban\s+(?:to\s+)?\w+", re.I),
     N_("Write “No …ing” or “… Prohibited”."), "error"),
    (re.compile(r"^\s*(?:please\s+)?don['’]?t\b", re.I),
     N_("Signs write “Do Not …”, not the contraction “Don't”."), WARNING),
    (re.compile(r"^\s*please\s+no\b", re.I),
     N_("Write “No …” or “Please Do Not …”, not “Please No …”."), WARNING),
    (re.compile(r"^\s*(?:do\s+not|no)\s+to\b", re.I),
     N_("Write “No …ing” or “Do Not …”."), "error"),
    (re.compile(r"^\s*(?:please\s+)?do\s+not\s+(?!(?:" + "|".join(
        ("bring", "sing", "ring", "swing", "sling", "string", "spring", "wring", "cling",
         "fling", "sting")) + r")\b)[a-z]{2,}ing\b", re.I),
     N_("“Do Not” takes the plain verb (“Do Not Smoke”); or write “No Smoking”."), "error"),
]
# "No" followed by a bare verb ("No Touch", "No Smoke"): the standard says "No …ing".
BARE_VERBS = {"touch": "Touching", "smoke": "Smoking", "climb": "Climbing", "swim": "Swimming",
              "park": "Parking", "spit": "Spitting", "fish": "Fishing", "dive": "Diving",
              "feed": "Feeding", "pick": "Picking", "trample": "Trampling", "litter": "Littering",
              "enter": "Entry", "photograph": "Photography", "photo": "Photos",
              "camp": "Camping", "cross": "Crossing", "overtake": "Overtaking",
              "honk": "Honking", "stop": "Stopping", "lean": "Leaning", "sit": "Sitting",
              "run": "Running", "jump": "Jumping", "play": "Playing", "throw": "Throwing",
              "stay": "Staying", "drink": "Drinking", "eat": "Eating", "burn": "Burning",
              "hunt": "Hunting", "surf": "Surfing", "shout": "Shouting", "push": "Pushing",
              "lie": "Lying", "step": "Stepping", "carve": "Carving"}
# Only a verb ending the phrase or followed by an object ("No Touch the Exhibits"); in "No
# Drink Driving" the verb is part of a noun compound.
NO_BARE_VERB = re.compile(r"\bno\s+(" + "|".join(BARE_VERBS) + r")\b(?=\s*(?:$|[!.,;:/]|"
                          r"(?:the|a|an|on|in|into|here|there|please|your|any)\b))", re.I)
# Warning wordings that are word-by-word renderings of 当心/小心/注意.
BAD_WARNING = re.compile(r"^\s*(?:please\s+)?(?:be\s+)?careful(?:ly)?\s+(?:of|about|for|to)?\s*"
                         r"(?!$)", re.I)


def _known_chinglish(source: str, target: str) -> bool:
    """Whether the Chinglish check reports this text already (one finding is enough)."""
    from workbench.checks.chinglish import _source_matches, signatures
    return any(_source_matches(s.zh, source) and s.pattern.search(target)
               for s in signatures())


def sign_function(source: str, function: str | None) -> str | None:
    """The sign's function: told by the Chinese wording (禁止…, 当心…, 仅限…), else as given.

    The wording wins because a sign filed under another kind (a 禁止 notice on a facility
    sign) still needs its prohibition pattern.
    """
    text = source.strip()
    if WARNING_ZH.match(text):
        return "warning"
    if PROHIBITION_ZH.match(text):
        return "prohibition"
    if ONLY_ZH.search(text):
        return "notice"
    return function.lower() if function else None


class PatternCheck(Check):
    """Prohibitions, warnings and "… only" notices follow the standard patterns."""

    id = "pattern"
    name = N_("Sign pattern and signal word")
    languages = frozenset({"en"})
    profiles = frozenset({"sign"})
    explanation = N_("Each kind of sign has its English pattern: prohibitions (禁止/请勿) say "
                     "“No …ing”, “Do Not …” or “… Prohibited”, never “Forbid …” or “Don't …”; "
                     "warnings (当心/小心/危险) say “Mind …”, “Watch …”, “Beware of …” or put "
                     "the signal word CAUTION, DANGER or WARNING in capitals before “//”; "
                     "danger to life (危险, 触电) is DANGER or WARNING, not CAUTION; 仅限 "
                     "notices end in “… Only”. Fix: rewrite the text in the pattern shown.")

    def check(self, source: str, target: str, lang: str, ctx: CheckContext) -> list[Finding]:
        if not target.strip():
            return []
        findings: list[Finding] = []
        kind = sign_function(source, ctx.function)
        findings += self._signal_word(source, target)
        if kind == "prohibition":
            for pattern, message, severity in BAD_PROHIBITION:
                match = pattern.match(target)
                if match:
                    findings.append(self.finding(Message(message), match.start(),
                                                 match.end(), severity=severity))
                    break
        if kind in ("prohibition", None):
            for match in NO_BARE_VERB.finditer(target):
                better = BARE_VERBS[match.group(1).lower()]
                findings.append(self.finding(
                    msg("Write “%(fixed)s” (“No” takes a noun or an -ing form).",
                        fixed=f"No {better}"), match.start(), match.end(),
                    suggestion=f"No {better}"))
        if kind == "warning":
            match = BAD_WARNING.match(target)
            if match and not _known_chinglish(source, target):
                findings.append(self.finding(
                    msg("Warnings say “Mind …”, “Watch …”, “Beware of …” or “CAUTION//…”, not "
                        "“Be careful …”."), match.start(), match.end(), severity=WARNING))
        if kind == "notice" and ONLY_ZH.search(source) and not re.search(
                r"\b(?:only|reserved|exclusive|private)\b", target, re.I):
            findings.append(self.finding(
                msg("A 仅限 notice is written “… Only” (Staff Only, Emergency Use Only)."),
                None, None, severity=WARNING))
        return findings

    def _signal_word(self, source: str, target: str) -> list[Finding]:
        findings = []
        match = signal_word_at_start(target)
        if match:
            word = match.group(1)
            after = target[match.end():match.end() + 1]
            # "Danger! High Voltage" is an accepted form; "Caution//…", "Caution:" are not,
            # nor "Caution Wet Floor" on a warning sign.
            spaced_warning = after == " " and bool(re.match(r"当心|小心|注意|警告", source.strip()))
            if word != word.upper() and (after in ("/", ":") or spaced_warning or (
                    not after and len(target.split()) == 1)):
                findings.append(self.finding(
                    msg("The signal word is written in capitals: “%(fixed)s”.",
                        fixed=word.upper()), match.start(1), match.end(1),
                    suggestion=word.upper()))
            if word.lower() == "caution" and DANGER_ZH.search(source):
                findings.append(self.finding(
                    msg("Danger to life is signalled with DANGER (or WARNING), not CAUTION."),
                    match.start(1), match.end(1), suggestion="DANGER", severity=WARNING))
        elif WARNING_ZH.match(source.strip()) and DANGER_ZH.search(source) and \
                re.match(r"\s*(?:be\s+careful|careful|mind|watch|beware)\b", target, re.I):
            findings.append(self.finding(
                msg("Danger to life takes the signal word DANGER: e.g. “DANGER//High "
                    "Voltage”."), None, None, suggestion="DANGER", severity=WARNING))
        return findings
