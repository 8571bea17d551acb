"""Terminology from documents: recurring Chinese phrases not yet in the glossary.

Segments are cut into words with jieba (with parts of speech). Candidates are
phrases of one to three consecutive words (2–12 characters) that end in a noun,
do not start with an adverb, preposition, numeral or function word, occur at
least ``min_count`` times, and are not covered by the glossary yet. A phrase
contained in a longer candidate that occurs just as often is dropped (the longer
one is the term). A translator proposes a
candidate as a glossary concept through the glossary's proposal review.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from workbench import auth, zhwords
from workbench.documents import store, tags

_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]+$")
# Words that do not start or end a term.
STOP_EDGES = frozenset(
    "的 地 得 了 着 过 和 与 及 以及 或 或者 并 并且 而 而且 是 在 对 "
    "为 把 被 将 从 向 于 以 由 等 等等 之 其 该 这 那 这些 那些 一个 "
    "一些 各 各类 各项 每 有 没有 要 应 应当 必须 可以 能够 进一步 不断 "
    "加快 推动 推进 坚持 加强 全面 深入 积极 认真 切实 大力 努力 持续 更加 "
    "我们 我省 我市 他们 中 上 下 内 外 后 前 时 年 月 日 个 项 条 次 "
    "们 也 都 还 就 又 再 已 已经 正在 不 没 很 最 更 所 所有 通过 "
    "根据 按照 关于 围绕 提高 提升 实现 开展 做好 工作 方面".split())


@dataclass
class Candidate:
    """A phrase that may deserve a glossary entry."""

    text: str
    count: int
    example: str


# Part-of-speech tags (jieba/ICTCLAS) a term may end with: nouns, place and organization
# names, other proper nouns, verbal and adjectival nouns, abbreviations.
TERM_HEADS = frozenset({"n", "nr", "ns", "nt", "nz", "nw", "vn", "an", "j", "ng"})
# Tags a term never starts with: adverbs, prepositions, conjunctions, particles,
# numerals, measure words, pronouns.
BAD_STARTS = frozenset({"d", "p", "c", "u", "uj", "ul", "m", "q", "r", "f", "y", "e"})


def _words(text: str) -> list[tuple[str, str]]:
    return [(word, flag) for word, flag in zhwords.tagged(text, hmm=True) if word.strip()]


def _covered(glossary: Any, phrase: str) -> bool:
    if glossary is None:
        return False
    if glossary.lookup(phrase) is not None:
        return True
    return any(m.end - m.start == len(phrase) for m in glossary.match(phrase))


def candidates(db: Database, doc_id: int, *, min_count: int = 2,
               limit: int = 100) -> list[Candidate]:
    """Candidate terms of a document, most frequent (then longest) first."""
    from workbench.glossary import load_glossary

    document = store.get_document(db, doc_id)
    try:
        glossary = load_glossary(db, document["source_lang"], document["targets"][0])
    except Exception:  # noqa: BLE001 - without a glossary every phrase is a candidate
        glossary = None
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for (text,) in db.execute("SELECT source_text FROM doc_segments WHERE document_id = ?",
                              [doc_id]):
        plain = tags.strip_tags(text)
        seen_here: set[str] = set()
        for chunk in re.split(r"[^\u4e00-\u9fff]+", plain):
            if len(chunk) < 2:
                continue
            tagged = _words(chunk)
            for size in (1, 2, 3):
                for start in range(len(tagged) - size + 1):
                    window = tagged[start:start + size]
                    parts = [word for word, _flag in window]
                    if parts[0] in STOP_EDGES or parts[-1] in STOP_EDGES:
                        continue
                    if window[-1][1] not in TERM_HEADS or window[0][1] in BAD_STARTS:
                        continue
                    if not all(_CJK_WORD.match(p) for p in parts):
                        continue
                    phrase = "".join(parts)
                    if not 2 <= len(phrase) <= 12 or (size == 1 and len(phrase) < 3):
                        continue
                    if phrase in seen_here:
                        continue
                    seen_here.add(phrase)
                    counts[phrase] += 1
                    examples.setdefault(phrase, plain[:200])
    frequent = {p: c for p, c in counts.items() if c >= min_count}
    ranked = sorted(frequent.items(), key=lambda pc: (-pc[1], -len(pc[0]), pc[0]))
    kept: list[Candidate] = []
    for phrase, count in ranked:
        if _covered(glossary, phrase):
            continue
        if any(phrase in longer and count <= frequent[longer] for longer in frequent
               if longer != phrase and len(longer) > len(phrase)):
            continue
        kept.append(Candidate(phrase, count, examples[phrase]))
        if len(kept) >= limit:
            break
    return kept


def propose(db: Database, actor: auth.User, doc_id: int, source_term: str,
            target_term: str, target_lang: str = "en", comment: str = "") -> int:
    """Propose a candidate as a new glossary concept (reviewed in the glossary); its id."""
    from workbench.glossary.model import ConceptRecord, TermRecord
    from workbench.glossary.proposals import propose as glossary_propose

    document = store.get_document(db, doc_id)
    terms = [TermRecord(document["source_lang"], source_term.strip(), "preferred")]
    if target_term and target_term.strip():
        terms.append(TermRecord(store.base_lang(target_lang), target_term.strip(), "preferred"))
    domain = document["domain"] if document["domain"] else "policy"
    from workbench.glossary.model import DOMAINS
    record = ConceptRecord(id=None, domain=domain if domain in DOMAINS else "policy",
                           source="common usage", terms=terms,
                           notes=f"Proposed from document {doc_id} “{document['title']}”.")
    return glossary_propose(db, actor, record, comment or
                            f"Recurring term in document “{document['title']}”.")
