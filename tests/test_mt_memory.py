"""Translation memory: audited adds, exact and fuzzy lookups through the bigram index."""
from __future__ import annotations

import pytest

from workbench import audit, auth
from workbench.errors import NotFound, ValidationError
from workbench.mt import memory


@pytest.fixture
def actor():
    return auth.system_actor("pytest")


def test_add_entry_is_audited_and_deduplicated(db, actor):
    entry_id = memory.add_entry(db, actor, "禁止吸烟", "No Smoking", "zh", "en", "review",
                                unit_id=7)
    again = memory.add_entry(db, actor, " 禁止吸烟 ", "No Smoking", "zh", "en", "review")
    assert again == entry_id
    events = audit.history(db, "translation_memory", entry_id)
    assert [e["action"] for e in events] == ["tm.add"]
    assert events[0]["after"]["target"] == "No Smoking"
    assert memory.count(db, "zh", "en") == 1


def test_exact_match_first_and_newest_first(db, actor):
    memory.add_entry(db, actor, "出口", "Way Out", "zh", "en", "import")
    newest = memory.add_entry(db, actor, "出口", "Exit", "zh", "en", "review")
    memory.add_entry(db, actor, "出口处", "Exit", "zh", "en", "review")
    matches = memory.lookup(db, "出口", "zh", "en")
    assert matches[0].id == newest and matches[0].exact and matches[0].score == 100
    assert matches[1].target_text == "Way Out" and matches[1].exact
    assert not matches[2].exact and matches[2].score < 100


def test_exact_match_ignores_width_and_spacing(db, actor):
    memory.add_entry(db, actor, "限速 40", "Speed Limit 40 km/h", "zh", "en")
    assert memory.lookup(db, "限速  ４０", "zh", "en")[0].exact


def test_fuzzy_match_scores_and_threshold(db, actor):
    memory.add_entry(db, actor, "游客服务中心", "Visitor Center", "zh", "en")
    memory.add_entry(db, actor, "停车场", "Car Park", "zh", "en")
    matches = memory.lookup(db, "游客服务中心入口", "zh", "en", threshold=70)
    assert [m.target_text for m in matches] == ["Visitor Center"]
    assert 70 <= matches[0].score < 100
    assert memory.lookup(db, "游客服务中心入口", "zh", "en", threshold=95) == []


def test_language_pairs_are_separate(db, actor):
    memory.add_entry(db, actor, "电梯", "Лифт", "zh", "ru")
    assert memory.lookup(db, "电梯", "zh", "en") == []
    assert memory.lookup(db, "电梯", "zh", "ru")[0].target_text == "Лифт"


def test_fuzzy_lookup_finds_the_best_among_many(db, actor):
    pairs = [(f"{i}号候车区", f"Waiting Area {i}") for i in range(1500)]
    pairs.append(("国际出发大厅", "International Departures Hall"))
    assert memory.import_entries(db, actor, pairs, "zh", "en") == len(pairs)
    assert memory.import_entries(db, actor, pairs[:10], "zh", "en") == 0
    best = memory.lookup(db, "国际出发厅", "zh", "en", threshold=75)[0]
    assert best.target_text == "International Departures Hall"
    assert memory.lookup(db, "1234号候车区", "zh", "en")[0].exact


def test_delete_entry(db, actor):
    entry_id = memory.add_entry(db, actor, "售票处", "Tickets", "zh", "en")
    memory.delete_entry(db, actor, entry_id)
    assert memory.lookup(db, "售票处", "zh", "en") == []
    assert audit.history(db, "translation_memory", entry_id)[-1]["action"] == "tm.delete"
    with pytest.raises(NotFound):
        memory.delete_entry(db, actor, entry_id)


@pytest.mark.parametrize("source, target, origin", [
    ("", "Exit", "review"), ("出口", " ", "review"), ("出口", "Exit", "guess")])
def test_invalid_entries_are_refused(db, actor, source, target, origin):
    with pytest.raises(ValidationError):
        memory.add_entry(db, actor, source, target, "zh", "en", origin)
    assert memory.count(db) == 0
