"""Finding glossary terms in text: longest non-overlapping matches, positions, word boundaries."""
from __future__ import annotations

import random

from workbench import auth
from workbench.glossary import Entry, load_glossary, match
from workbench.glossary.match import from_entries, normalize
from workbench.glossary.model import ConceptRecord, TermRecord
from workbench.glossary.store import save_concept

ACTOR = auth.system_actor("pytest")


def entry(text: str, target: str = "", concept_id: str | None = None) -> Entry:
    return Entry(source_text=text, concept_id=concept_id or f"c-{text}", domain="general",
                 function=None, source_status="preferred",
                 preferred=(target,) if target else ())


def found(glossary, text: str) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.text) for m in glossary.match(text)]


def test_longest_match_wins_over_the_terms_inside_it():
    glossary = from_entries("zh", "en", [entry("火车"), entry("车站"), entry("火车站")])
    assert found(glossary, "火车站出口") == [(0, 3, "火车站")]


def test_overlapping_terms_longest_first_then_the_rest():
    glossary = from_entries("zh", "en", [entry("海口"), entry("国际机场"), entry("美兰国际机场"),
                                         entry("口美")])
    assert found(glossary, "海口美兰国际机场T2航站楼") == [(0, 2, "海口"), (2, 8, "美兰国际机场")]


def test_equal_length_overlap_takes_the_leftmost():
    glossary = from_entries("zh", "en", [entry("禁止吸"), entry("吸烟区")])
    assert found(glossary, "禁止吸烟区") == [(0, 3, "禁止吸")]


def test_repeated_terms_are_all_found_in_order():
    glossary = from_entries("zh", "en", [entry("出口"), entry("入口")])
    assert found(glossary, "入口 出口 入口") == [(0, 2, "入口"), (3, 5, "出口"), (6, 8, "入口")]


def test_latin_sources_match_only_on_word_boundaries():
    glossary = from_entries("en", "zh", [entry("exit"), entry("no smoking"), entry("men"),
                                         entry("women's")])
    assert found(glossary, "Exit") == [(0, 4, "exit")]
    assert found(glossary, "EXITS and exiting, sexit") == []
    assert found(glossary, "No Smoking, no exit!") == [(0, 10, "no smoking"), (15, 19, "exit")]
    assert found(glossary, "Women's Toilet / Men") == [(0, 7, "women's"), (17, 20, "men")]
    assert found(glossary, "Women Toilet") == []  # "men" inside a word
    assert found(glossary, "Café exit") == [(5, 9, "exit")]  # positions after non-ASCII


def test_chinese_needs_no_word_boundaries_and_width_is_folded():
    glossary = from_entries("zh", "en", [entry("ATM"), entry("自动取款机", "ATM")])
    assert found(glossary, "２４小时ＡＴＭ自动取款机") == [(4, 7, "ATM"), (7, 12, "自动取款机")]


def test_positions_hold_for_text_outside_the_basic_plane():
    glossary = from_entries("zh", "en", [entry("出口")])
    assert found(glossary, "𠀋出口") == [(1, 3, "出口")]


def test_positions_hold_when_folding_would_change_the_length():
    glossary = from_entries("en", "zh", [entry("exit"), entry("cafe")])
    # "ß" casefolds to "ss" and "e" + combining accent composes under NFKC.
    assert found(glossary, "Straße ＥＸＩＴ") == [(7, 11, "exit")]
    assert found(glossary, "Cafe\u0301 EXIT") == [(6, 10, "exit")]


def test_matches_agree_with_a_brute_force_reference():
    rng = random.Random(3)
    alphabet = "出入口站台火车汽大道路"
    terms = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))) for _ in range(60)}
    glossary = from_entries("zh", "en", [entry(t) for t in terms])

    def reference(text: str) -> list[tuple[int, int, str]]:
        candidates = [(i, i + len(t), t) for t in terms for i in range(len(text))
                      if text.startswith(t, i)]
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        chosen: list[tuple[int, int, str]] = []
        for start, end, term in candidates:
            if all(end <= s or start >= e for s, e, _t in chosen):
                chosen.append((start, end, term))
        return sorted(chosen)

    for _ in range(400):
        text = "".join(rng.choice(alphabet + "、 ") for _ in range(rng.randint(0, 14)))
        assert found(glossary, text) == reference(text), text


def test_glossary_from_database_rebuilds_when_the_glossary_changes(db):
    before = load_glossary(db, "zh", "en")
    assert load_glossary(db, "zh", "en") is before  # cached per version
    save_concept(db, ACTOR, ConceptRecord(
        id="t-0500", domain="place_names", function="name",
        terms=[TermRecord("zh", "椰林测试廊"), TermRecord("en", "Coconut Test Corridor"),
               TermRecord("en", "Yelin Ceshilang", "forbidden"),
               TermRecord("zh", "椰林测试廊景区", "forbidden")]))
    after = load_glossary(db, "zh", "en")
    assert after is not before and after.version > before.version
    # Other glossary terms (欢迎 …) may match too; this concept's match is the one to check.
    [hit] = [m for m in match("欢迎来到椰林测试廊", "zh", "en", db)
             if m.entry.concept_id == "t-0500"]
    assert (hit.start, hit.end, hit.entry.concept_id) == (4, 9, "t-0500")
    assert hit.entry.target == "Coconut Test Corridor"
    assert hit.entry.forbidden == ("Yelin Ceshilang",)
    # A forbidden source wording is not a term to draft from.
    assert after.lookup("椰林测试廊景区") is None
    # English → Chinese works from the same concept.
    assert load_glossary(db, "en", "zh").lookup("coconut test corridor").target == "椰林测试廊"


def test_normalize_keeps_length_for_cjk_and_ascii():
    text = "ＡＢＣ出口ａｂｃ"
    assert normalize(text) == "abc出口abc" and len(normalize(text)) == len(text)
