"""The glossary pages: search, detail, edit permissions per role, proposals, import, export."""
from __future__ import annotations

import io

import pytest

from workbench import auth
from workbench.glossary import proposals
from workbench.glossary.model import ConceptRecord, TermRecord, concept_row, get_concept
from workbench.glossary.store import save_concept
from workbench.errors import NotFound, PermissionDenied

ACTOR = auth.system_actor("pytest")


@pytest.fixture
def concept(db) -> str:
    save_concept(db, ACTOR, ConceptRecord(
        id="w-0001", domain="general", function="prohibition", source="common usage",
        terms=[TermRecord("zh", "鑫测禁止喂鱼"), TermRecord("en", "No Feeding the Test Fish"),
               TermRecord("en", "Forbid Feed Fish", "forbidden")]))
    return "w-0001"


def edit_form(db, concept_id: str, **changes) -> dict[str, str]:
    """The edit form as the browser would send it, with ``changes`` applied."""
    record = get_concept(db, concept_id)
    data = {"domain": record.domain, "function": record.function or "",
            "source": record.source, "notes": record.notes,
            "updated_at": concept_row(db, concept_id)["updated_at"]}
    if record.verified:
        data["verified"] = "y"
    for index, term in enumerate(record.terms):
        data.update({f"terms-{index}-lang": term.lang, f"terms-{index}-text": term.text,
                     f"terms-{index}-status": term.status, f"terms-{index}-pos": term.pos or ""})
    data.update(changes)
    return data


def test_search_page_finds_chinese_and_shows_terms(officer_client, concept):
    page = officer_client.get("/glossary/?q=禁止喂鱼")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "鑫测禁止喂鱼" in text and "No Feeding the Test Fish" in text
    assert "/glossary/c/w-0001" in text


def test_search_page_filters_and_pages(reviewer_client, concept):
    text = reviewer_client.get("/glossary/?q=鑫测禁止&domain=transport").get_data(as_text=True)
    assert "No concept matches." in text
    text = reviewer_client.get("/glossary/?q=Feed+Fish&function=prohibition&status=forbidden"
                               "&lang=en").get_data(as_text=True)
    assert "Forbid Feed Fish" in text
    assert reviewer_client.get("/glossary/?page=2").status_code == 200


def test_concept_page_has_terms_history_and_signs(officer_client, concept):
    page = officer_client.get(f"/glossary/c/{concept}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Forbid Feed Fish" in text and "forbidden" in text
    assert "Chinese" in text and "English" in text          # language names via Babel
    assert "Concept created" in text and "Terms" in text   # history, readable
    assert "No sign in the inventory uses this concept yet." in text
    # An officer only views: no edit or propose button.
    assert f"/glossary/c/{concept}/edit" not in text
    assert officer_client.get("/glossary/c/nope").status_code == 404


def test_concept_page_in_chinese_interface(login, concept):
    client = login("officer")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    text = client.get(f"/glossary/c/{concept}").get_data(as_text=True)
    assert "中文" in text and "英语" in text


@pytest.mark.parametrize("username", ["reviewer", "staff", "admin"])
def test_editors_change_concepts_directly(login, db, concept, username):
    client = login(username)
    form = client.get(f"/glossary/c/{concept}/edit")
    assert form.status_code == 200 and "Save" in form.get_data(as_text=True)
    response = client.post(f"/glossary/c/{concept}/edit", data=edit_form(
        db, concept, **{"terms-1-text": "No Feeding the Fish", "verified": "y"}))
    assert response.status_code == 302
    record = get_concept(db, concept)
    assert record.terms_in("en", "preferred")[0].text == "No Feeding the Fish"
    assert record.verified is True
    event = db.execute("SELECT actor_name, action FROM audit_events WHERE entity_type = "
                       "'concept' AND entity_id = ? ORDER BY id DESC", [concept]).fetchone()
    assert tuple(event) == (username, "concept.update")
    history = client.get(f"/glossary/c/{concept}").get_data(as_text=True)
    assert "Term added" in history and "No Feeding the Fish" in history
    assert "Term removed" in history and "Verified</span>: no → yes" in history


def test_officer_may_not_edit_propose_or_import(officer_client, db, concept):
    assert officer_client.get(f"/glossary/c/{concept}/edit").status_code == 403
    assert officer_client.post(f"/glossary/c/{concept}/edit",
                               data=edit_form(db, concept)).status_code == 403
    assert officer_client.get("/glossary/new").status_code == 403
    assert officer_client.get("/glossary/import").status_code == 403
    assert officer_client.post(f"/glossary/c/{concept}/delete").status_code == 403
    assert officer_client.get("/glossary/proposals").status_code == 403


def test_translator_proposes_and_the_glossary_waits_for_a_reviewer(translator_client,
                                                                    reviewer_client, db,
                                                                    concept):
    form = translator_client.get(f"/glossary/c/{concept}/edit").get_data(as_text=True)
    assert "Send proposal" in form
    before = get_concept(db, concept).as_dict()
    response = translator_client.post(f"/glossary/c/{concept}/edit", data=edit_form(
        db, concept, **{"terms-1-text": "No Feeding Fish, Please",
                        "comment": "Soft prohibition"}))
    assert response.status_code == 302
    assert get_concept(db, concept).as_dict() == before      # nothing changed yet
    [proposal] = proposals.list_proposals(db, concept_id=concept)
    assert proposal.comment == "Soft prohibition" and proposal.is_open
    assert [c["kind"] for c in proposal.changes] == ["term_removed", "term_added"]
    # Translators cannot accept, not even others' proposals.
    assert translator_client.post(f"/glossary/proposals/{proposal.id}",
                                  data={"decision": "accept"}).status_code == 403
    page = reviewer_client.get(f"/glossary/proposals/{proposal.id}").get_data(as_text=True)
    assert "No Feeding Fish, Please" in page and "Accept" in page
    assert "What it changes" in page and "<del lang=\"en\">No Feeding the Test Fish</del>" in page
    response = reviewer_client.post(f"/glossary/proposals/{proposal.id}",
                                    data={"decision": "accept", "comment": "Good"})
    assert response.status_code == 302
    assert get_concept(db, concept).terms_in("en", "preferred")[0].text == \
        "No Feeding Fish, Please"
    assert proposals.get_proposal(db, proposal.id).status == "accepted"
    actions = [r[0] for r in db.execute(
        "SELECT action FROM audit_events WHERE entity_type IN ('concept', 'glossary_proposal') "
        "ORDER BY id DESC LIMIT 3")]
    assert actions == ["proposal.accept", "concept.update", "proposal.create"]


def test_translator_proposes_a_new_concept_and_reviewer_rejects_with_reason(
        translator_client, reviewer_client, db):
    data = {"domain": "tourism", "function": "facility", "source": "common usage",
            "terms-0-lang": "zh", "terms-0-text": "鑫测观鸟台", "terms-0-status": "preferred",
            "terms-1-lang": "en", "terms-1-text": "Test Birdwatching Deck",
            "terms-1-status": "preferred", "terms-2-lang": "en", "terms-2-text": "",
            "terms-2-status": "admitted", "comment": "Seen at Dongzhaigang"}
    assert translator_client.post("/glossary/new", data=data).status_code == 302
    [proposal] = [p for p in proposals.list_proposals(db) if p.kind == "create"]
    assert proposal.proposed.source_term() == "鑫测观鸟台" and proposal.concept_id is None
    # A reason is required to reject.
    page = reviewer_client.post(f"/glossary/proposals/{proposal.id}",
                                data={"decision": "reject", "comment": ""})
    assert page.status_code == 200 and "Say why" in page.get_data(as_text=True)
    reviewer_client.post(f"/glossary/proposals/{proposal.id}",
                         data={"decision": "reject", "comment": "Already in the glossary"})
    closed = proposals.get_proposal(db, proposal.id)
    assert closed.status == "rejected" and closed.decision_comment == "Already in the glossary"
    assert closed.concept_id is None
    # The translator sees their own proposals, the decision included.
    text = translator_client.get("/glossary/proposals?status=all").get_data(as_text=True)
    assert "鑫测观鸟台" in text


def test_accepting_a_new_concept_creates_it(db, users):
    record = ConceptRecord(id=None, domain="sports", terms=[
        TermRecord("zh", "鑫测攀岩墙"), TermRecord("en", "Test Climbing Wall")])
    proposal_id = proposals.propose(db, users["translator"], record, "new")
    accepted = proposals.accept(db, users["reviewer"], proposal_id)
    assert get_concept(db, accepted.concept_id).source_term() == "鑫测攀岩墙"


def test_no_one_decides_on_their_own_proposal_and_stale_proposals_conflict(db, users, concept):
    from workbench.errors import Conflict

    record = get_concept(db, concept)
    record.notes = "admin's own idea"
    own = proposals.propose(db, users["admin"], record)
    with pytest.raises(PermissionDenied):
        proposals.accept(db, users["admin"], own)
    with pytest.raises(PermissionDenied):
        proposals.propose(db, users["reviewer"], record)   # reviewers edit, they don't propose
    with pytest.raises(PermissionDenied):
        proposals.propose(db, users["officer"], record)
    # The concept changes after the proposal: accepting it would overwrite that change.
    changed = get_concept(db, concept)
    changed.source = "GB/T 30240.1"
    save_concept(db, users["staff"], changed)
    with pytest.raises(Conflict):
        proposals.accept(db, users["reviewer"], own)
    assert proposals.withdraw(db, users["admin"], own).status == "withdrawn"
    with pytest.raises(NotFound):
        proposals.get_proposal(db, 999999)


def test_edit_conflict_when_someone_saved_first(reviewer_client, db, users, concept):
    stale = edit_form(db, concept, **{"terms-1-text": "Mine"})
    changed = get_concept(db, concept)
    changed.notes = "someone else"
    save_concept(db, users["staff"], changed)
    page = reviewer_client.post(f"/glossary/c/{concept}/edit", data=stale)
    assert page.status_code == 200 and "changed this concept" in page.get_data(as_text=True)
    assert get_concept(db, concept).notes == "someone else"


def test_edit_form_reports_problems_and_saves_nothing(reviewer_client, db, concept):
    before = get_concept(db, concept).as_dict()
    page = reviewer_client.post(f"/glossary/c/{concept}/edit", data=edit_form(
        db, concept, **{"terms-0-status": "admitted", "terms-1-status": "admitted"}))
    assert page.status_code == 200
    assert "at least one preferred term" in page.get_data(as_text=True)
    assert get_concept(db, concept).as_dict() == before


def test_new_concept_and_delete_by_staff(staff_client, db):
    data = {"domain": "medical", "function": "facility", "source": "common usage",
            "terms-0-lang": "zh", "terms-0-text": "鑫测输液室", "terms-0-status": "preferred",
            "terms-1-lang": "en", "terms-1-text": "Test Infusion Room",
            "terms-1-status": "preferred"}
    response = staff_client.post("/glossary/new", data=data)
    assert response.status_code == 302
    concept_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert get_concept(db, concept_id).terms_in("en")[0].text == "Test Infusion Room"
    assert "Delete" in staff_client.get(f"/glossary/c/{concept_id}/delete").get_data(as_text=True)
    assert staff_client.post(f"/glossary/c/{concept_id}/delete").status_code == 302
    with pytest.raises(NotFound):
        get_concept(db, concept_id)


def test_more_rows_button_adds_rows_without_saving(reviewer_client, db, concept):
    before = get_concept(db, concept).as_dict()
    data = edit_form(db, concept, more_rows="1")
    page = reviewer_client.post(f"/glossary/c/{concept}/edit", data=data).get_data(as_text=True)
    assert 'name="terms-5-text"' in page
    assert get_concept(db, concept).as_dict() == before


def test_web_import_dry_run_then_import_and_errors(staff_client, db):
    csv_bytes = ("id,domain,zh,en\nw-0100,general,鑫测饮水处,Test Drinking Water\n"
                 ).encode("gb18030")
    page = staff_client.post("/glossary/import", data={
        "file": (io.BytesIO(csv_bytes), "terms.csv"), "dry_run": "y"},
        content_type="multipart/form-data")
    assert "would create 1" in page.get_data(as_text=True).replace("Importing it would create 1",
                                                                  "would create 1")
    with pytest.raises(NotFound):
        get_concept(db, "w-0100")
    staff_client.post("/glossary/import", data={"file": (io.BytesIO(csv_bytes), "terms.csv")},
                      content_type="multipart/form-data")
    assert get_concept(db, "w-0100").terms_in("zh")[0].text == "鑫测饮水处"
    bad = "id,domain,zh,en\nw-0101,nowhere,鑫测,Test\n".encode()
    page = staff_client.post("/glossary/import", data={"file": (io.BytesIO(bad), "bad.csv")},
                             content_type="multipart/form-data").get_data(as_text=True)
    assert "nowhere" in page and "Unknown domain" in page
    with pytest.raises(NotFound):
        get_concept(db, "w-0101")


def test_export_downloads(officer_client, concept):
    response = officer_client.get("/glossary/export?format=csv&lang=zh&lang=en")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    assert text.startswith("id,domain,function,source,verified,zh,")
    assert ",ru" not in text.splitlines()[0]
    assert "鑫测禁止喂鱼" in text
    tbx = officer_client.get("/glossary/export?format=tbx")
    assert b"<martif" in tbx.data and b"w-0001" in tbx.data
    xlsx = officer_client.get("/glossary/export?format=xlsx")
    assert xlsx.data[:2] == b"PK"
    assert officer_client.get("/glossary/export?format=doc").status_code == 400


def test_stats_page(officer_client):
    text = officer_client.get("/glossary/stats").get_data(as_text=True)
    assert "Per language" in text and "English" in text


def test_home_shows_open_proposals_to_reviewers(reviewer_client, db, users, concept):
    record = get_concept(db, concept)
    record.notes = "please check"
    proposals.propose(db, users["translator"], record)
    text = reviewer_client.get("/").get_data(as_text=True)
    assert "Glossary proposals to decide" in text


def test_forms_need_csrf(csrf_app, db, concept):
    client = csrf_app.test_client()
    user = auth.find_user(db, "reviewer")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    response = client.post(f"/glossary/c/{concept}/edit", data=edit_form(db, concept))
    assert response.status_code == 400


def test_find_terms_in_a_text(officer_client, concept):
    page = officer_client.get("/glossary/match", query_string={
        "text": "请注意：鑫测禁止喂鱼", "source": "zh", "target": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<a href="/glossary/c/w-0001">鑫测禁止喂鱼</a>' in text
    assert "No Feeding the Test Fish" in text and "<del>Forbid Feed Fish</del>" in text
    empty = officer_client.get("/glossary/match", query_string={"text": "qqqq"})
    assert "No glossary term in this text." in empty.get_data(as_text=True)
