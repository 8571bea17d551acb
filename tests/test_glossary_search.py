"""Full-text search over the glossary: Chinese substrings, short queries, filters, sync."""
from __future__ import annotations

import pytest

from workbench import auth
from workbench.glossary.model import ConceptRecord, TermRecord
from workbench.glossary.search import SearchFilters, search
from workbench.glossary.store import delete_concept, save_concept

ACTOR = auth.system_actor("pytest")


@pytest.fixture
def concepts(db):
    """A few concepts with made-up wording that the shipped glossary does not hold."""
    save_concept(db, ACTOR, ConceptRecord(
        id="s-0001", domain="tourism", function="facility", verified=True,
        source="DB46/T 506.3",
        terms=[TermRecord("zh", "椰林观景鑫测平台"), TermRecord("en", "Palm Grove Test Deck"),
               TermRecord("en", "Coconut See Platform", "forbidden"),
               TermRecord("ru", "Смотровая площадка Синьцэ")]))
    save_concept(db, ACTOR, ConceptRecord(
        id="s-0002", domain="transport", function="warning",
        terms=[TermRecord("zh", "鑫测站台当心鑫隙"), TermRecord("en", "Mind the Test Gap")]))
    save_concept(db, ACTOR, ConceptRecord(
        id="s-0003", domain="transport", function="name",
        terms=[TermRecord("zh", "鑫测"), TermRecord("en", "Qiongce")]))
    return ["s-0001", "s-0002", "s-0003"]


def ids(db, **filters) -> list[str]:
    hits, total = search(db, SearchFilters(**filters), limit=200)
    assert total >= len(hits)
    return [hit.id for hit in hits]


def test_chinese_substring_found_anywhere_in_a_term(db, concepts):
    assert ids(db, query="观景鑫测") == ["s-0001"]      # middle of 椰林观景鑫测平台
    assert ids(db, query="当心鑫隙") == ["s-0002"]      # end of a term
    assert "s-0001" in ids(db, query="鑫测平台")


def test_one_and_two_character_chinese_queries_fall_back_to_like(db, concepts):
    assert ids(db, query="鑫测")[0] == "s-0003"          # exact term ranks first
    assert {"s-0001", "s-0002", "s-0003"} <= set(ids(db, query="鑫"))


def test_other_languages_are_searched_case_insensitively(db, concepts):
    assert ids(db, query="palm grove") == ["s-0001"]
    assert ids(db, query="deck  PALM") == ["s-0001"]     # words in any order
    assert ids(db, query="鑫测 观景") == ["s-0001"]
    assert ids(db, query="СИНЬЦЭ") == ["s-0001"]
    assert ids(db, query="coconut see") == ["s-0001"]  # forbidden terms are searchable too
    assert ids(db, query="coconut see", status="preferred") == []


def test_filters_combine_with_the_query(db, concepts):
    assert ids(db, query="鑫测", domain="transport") == ["s-0003", "s-0002"]
    assert ids(db, query="鑫测", function="facility") == ["s-0001"]
    assert ids(db, query="鑫测", verified=True) == ["s-0001"]
    assert ids(db, query="鑫测", verified=False) == ["s-0003", "s-0002"]
    assert ids(db, query="test", lang="ru") == []
    assert ids(db, query="синьцэ", lang="ru") == ["s-0001"]
    assert "s-0001" in ids(db, lang="ru", domain="tourism")


def test_concept_id_finds_the_concept(db, concepts):
    assert ids(db, query="s-0002")[0] == "s-0002"


def test_query_syntax_characters_are_plain_text(db, concepts):
    for query in ['"', '"鑫测', "AND OR NOT", "te*st", "%", "_", "a:b", "(鑫测"]:
        search(db, SearchFilters(query=query))  # never an FTS syntax error
    # LIKE wildcards are escaped: "%" finds only terms with a literal "%".
    hits, _total = search(db, SearchFilters(query="%"), limit=500)
    assert all(any("%" in t["text"] for terms in h.terms.values() for t in terms) for h in hits)
    assert "s-0001" not in [h.id for h in hits]


def test_index_follows_edits_and_deletes(db, concepts):
    save_concept(db, ACTOR, ConceptRecord(
        id="s-0002", domain="transport", function="warning",
        terms=[TermRecord("zh", "鑫测站台注意鑫隙"), TermRecord("en", "Mind the Test Gap")]))
    assert ids(db, query="当心鑫隙") == []
    assert ids(db, query="注意鑫隙") == ["s-0002"]
    delete_concept(db, ACTOR, "s-0001")
    assert ids(db, query="观景鑫测") == []
    assert ids(db, query="palm grove") == []


def test_shipped_glossary_is_searchable_in_chinese(db):
    hits, total = search(db, SearchFilters(query="禁止"), limit=5)
    assert total > 0
    assert all(any("禁止" in t["text"] for terms in h.terms.values() for t in terms) for h in hits)


def test_pages(db, concepts):
    first, total = search(db, SearchFilters(query="鑫"), limit=2, offset=0)
    second, _total = search(db, SearchFilters(query="鑫"), limit=2, offset=2)
    assert total >= 3 and len(first) == 2
    assert not {h.id for h in first} & {h.id for h in second}
