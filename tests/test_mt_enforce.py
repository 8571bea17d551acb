"""Glossary enforcement for neural drafts, with stand-in translators (no model needed)."""
from __future__ import annotations

from workbench.glossary.match import Entry, from_entries
from workbench.mt.enforce import mask, remove_forbidden, restore, translate_enforced


def _entry(zh, en, concept, forbidden=()):
    return Entry(source_text=zh, concept_id=concept, domain="transport", function="facility",
                 source_status="preferred", preferred=(en,), forbidden=forbidden)


GLOSSARY = from_entries("zh", "en", [
    _entry("行李提取", "Baggage Claim", "tra-14", forbidden=("Luggage Extraction",)),
    _entry("出租车", "Taxi", "tra-30", forbidden=("Rental Car",)),
    _entry("山", "Mountain", "npt-1"),
])


def test_terms_are_masked_and_restored():
    masked = mask("请到行李提取处乘坐出租车", GLOSSARY)
    assert "行李提取" not in masked.masked and "ZX1Z" in masked.masked and "ZX2Z" in masked.masked
    assert [t.concept_id for t in masked.terms] == ["tra-14", "tra-30"]
    assert restore("Go to ZX1Z and take a ZX 2 Z", masked) == "Go to Baggage Claim and take a Taxi"
    assert restore("Go to ZX1Z", masked) is None  # a lost term is never silently dropped


def test_one_character_terms_are_not_forced():
    assert mask("五指山", GLOSSARY).masked == "五指山"


def test_model_output_with_placeholders_keeps_the_preferred_terms():
    def copying(texts):
        return [(t.replace("请到", "Please go to").replace("处", ""), 0.9) for t in texts]

    text, score, terms = translate_enforced(["请到行李提取处"], GLOSSARY, copying)[0]
    assert text == "Please go to Baggage Claim" and score == 0.9
    assert terms[0].target == "Baggage Claim"


def test_forbidden_renderings_never_survive():
    def chinglish(texts):
        return [("Luggage Extraction ZX1Z" if "ZX1Z" in t else "the rental car", 0.5)
                for t in texts]

    results = translate_enforced(["行李提取处东", "租车"], GLOSSARY, chinglish)
    assert results[0][0] == "Baggage Claim Baggage Claim"
    assert results[1][0] == "the Taxi"


def test_lost_placeholders_fall_back_to_pieces():
    seen = []

    def forgetful(texts):
        seen.extend(texts)
        return [("something", 0.4) for _ in texts]

    results = translate_enforced(["请到行李提取处", "行李提取"], GLOSSARY, forgetful)
    assert results[0][0] == "something Baggage Claim something"
    assert results[1][0] == "Baggage Claim"  # only glossary terms: the model is not asked
    assert sorted(seen) == sorted(["请到 ZX1Z 处", "请到", "处"])


def test_forbidden_replacement_respects_word_boundaries():
    assert remove_forbidden("Rental Cars and rental car", GLOSSARY) == (
        "Rental Cars and Taxi", ["rental car"])
    assert remove_forbidden("No problem", None) == ("No problem", [])


def test_apostrophes_join_syllables_and_one_word_forms_can_be_kept():
    glossary = from_entries("zh", "en", [
        _entry("溪", "Stream", "npt-102", forbidden=("Xi",)),
        _entry("出租车", "Taxi", "tra-30", forbidden=("Rental Car",))])
    assert remove_forbidden("Xi'an Xi", glossary)[0] == "Xi'an Stream"
    assert remove_forbidden("Xi Rental Car", glossary, min_words=2)[0] == "Xi Taxi"
