"""Workflow fixes around machine drafts: credits, honest fuzzy drafts, whole words in prose,
and a sign's status taken from every required language."""
from __future__ import annotations

import json

from workbench import audit, auth, zhwords
from workbench.checks import run_checks
from workbench.glossary import load_glossary
from workbench.glossary.match import from_entries
from workbench.mt import memory
from workbench.review import detail, units
from workbench.review import qa as review_qa
from tests.test_glossary_match import entry
from tests.support.review import make_sign, make_site, unit_of, unit_row


def test_whole_words_drop_one_character_terms_inside_longer_words():
    glossary = from_entries("zh", "en", [
        entry("面", "Noodles"), entry("环", "Ring"), entry("中", "Middle"),
        entry("营商环境", "business environment")])
    text = "全面优化营商环境，加强生态环境保护。"
    assert [m.text for m in glossary.match(text)] == ["面", "营商环境", "环"]
    assert [m.text for m in glossary.match_words(text)] == ["营商环境"]
    # A one-character word standing on its own is still a match.
    assert [m.text for m in glossary.match_words("一碗面")] == ["面"]


def test_whole_words_let_a_shorter_term_win_where_the_longer_one_straddles_words():
    glossary = from_entries("zh", "en", [entry("环境保", "x"), entry("环境保护", "protection"),
                                         entry("生态", "ecology")])
    words = zhwords.word_boundaries("生态环境保护")
    assert zhwords.covers_whole_words(words, 0, 2)
    assert [m.text for m in glossary.match_words("生态环境保护")] == ["生态", "环境保护"]


def test_segments_show_only_whole_word_terms_signs_every_term(db):
    glossary = load_glossary(db, "zh", "en")
    text = "全面落实中央决策部署，加强生态环境保护。"
    assert {"面", "环"} & {m.text for m in glossary.match(text)}
    segment = {"source_text": text, "source_lang": "zh", "target_lang": "en",
               "kind": "segment", "target_text": None}
    shown = {hit.source for hit in detail.glossary_terms(db, segment)}
    assert not shown & {"面", "环", "中"}
    sign = dict(segment, kind="sign", source_text="面馆")
    assert detail.glossary_terms(db, sign)  # signs keep every match


def test_the_jieba_dictionary_change_reaches_cached_boundaries():
    word = "椰风海韵步道"
    before = zhwords.word_boundaries(word)
    zhwords.add_words([word])
    assert zhwords.word_boundaries(word) == {0, len(word)}
    assert zhwords.generation() >= 1
    assert before != {0, len(word)} or len(zhwords.words(word)) == 1


def _draft(db, sign_id, actor):
    return units.draft_units_of_signs(db, actor, [sign_id])


def test_machine_drafts_are_credited_to_the_engine_not_to_the_officer(db, users):
    officer = users["officer"]
    sign_id = make_sign(db, make_site(db), "禁止吸烟", function="prohibition")
    assert _draft(db, sign_id, officer) == 1
    unit = unit_row(db, unit_of(db, sign_id))
    assert unit["state"] == "machine_draft"
    assert unit["updated_by"] == f"engine:{unit['draft_engine']}"
    event = [e for e in audit.history(db, "translation_unit", unit["id"])
             if e["action"] == "unit.draft"][-1]
    assert event["actor_name"] == f"engine:{unit['draft_engine']}"
    assert event["after"]["requested_by"] == officer.username
    status_events = [e for e in audit.history(db, "sign", sign_id) if e["action"] == "sign.status"]
    assert status_events and all(e["actor_name"] != officer.username for e in status_events)


def _approved_memory(db, source, target):
    memory.add_entry(db, auth.system_actor("pytest"), source, target, "zh", "en", "review")


def test_a_fuzzy_draft_keeps_its_match_and_qa_names_the_untranslated_difference(db, users):
    _approved_memory(db, "小心地滑", "CAUTION//Wet Floor")
    sign_id = make_sign(db, make_site(db), "小心地滑倒", function="warning")
    _draft(db, sign_id, users["officer"])
    unit = unit_row(db, unit_of(db, sign_id))
    assert unit["draft_engine"] == "memory" and unit["target_text"] == "CAUTION//Wet Floor"
    stored = json.loads(unit["draft_memory"])
    assert stored["source"] == "小心地滑" and stored["target"] == "CAUTION//Wet Floor"
    findings = review_qa.current_findings(db, unit)
    notes = [f for f in findings if f["check_id"] == "memory_match"]
    assert len(notes) == 1 and notes[0]["severity"] == "warning"
    text = notes[0]["message"].render()
    assert "小心地滑" in text and "“倒”" in text
    assert review_qa.blocking(findings)  # bulk approval will not wave it through
    # Once someone changes the wording, the note is gone.
    edited = review_qa.run_qa(db, unit, "CAUTION//Slippery Floor, Do Not Fall")
    assert not [f for f in edited if f.check == "memory_match"]


def test_memory_match_check_names_what_the_memory_translates_beyond_this_text(db):
    context = {"memory_match": {"source": "小心地滑倒", "target": "Mind Your Step"}}
    found = run_checks(db, "小心地滑", "Mind Your Step", "en", profile="sign",
                       context=context, only=["memory_match"])
    assert [f.check for f in found] == ["memory_match"]
    assert "“倒”" in found[0].message.render()
    assert not run_checks(db, "小心地滑", "Mind Your Step", "en", only=["memory_match"])


def _policy_concept(db, zh: str, en: str, domain: str = "policy") -> None:
    from workbench.glossary.model import ConceptRecord, TermRecord
    from workbench.glossary.store import save_concept

    save_concept(db, auth.system_actor("pytest"), ConceptRecord(
        id=None, domain=domain, source="common usage",
        terms=[TermRecord("zh", zh, "preferred"), TermRecord("en", en, "preferred")]))


def test_policy_and_lower_case_glossary_wording_is_cased_as_a_sign_on_signs(db):
    from workbench.mt.pipeline import draft_texts

    _policy_concept(db, "椰林生态保护区", "coconut grove ecological reserve")
    _policy_concept(db, "滨海慢行步道", "seaside walkway", domain="tourism")
    sign, prose = (draft_texts(db, ["椰林生态保护区", "滨海慢行步道"], engine="rules",
                               settings={}, profile=profile) for profile in ("sign", "prose"))
    assert [d.text for d in sign] == ["Coconut Grove Ecological Reserve", "Seaside Walkway"]
    # In a document the glossary's own writing stays.
    assert [d.text for d in prose] == ["coconut grove ecological reserve", "seaside walkway"]


def test_casing_for_sign_keeps_names_and_other_languages():
    from workbench.mt.rules.casing import for_sign

    assert for_sign("free trade port", "policy", None) == "Free Trade Port"
    assert for_sign("deepening reform in all respects", "general", None) == \
        "Deepening Reform in All Respects"
    assert for_sign("iPhone Store", "commerce", "name") == "iPhone Store"
    assert for_sign("Hainan Free Trade Port", "policy", None) == "Hainan Free Trade Port"
    assert for_sign("свободный порт", "policy", None, "ru") == "свободный порт"
