"""Shared translation units: one per Chinese text and language, opt-out, drafting, sign status."""
from __future__ import annotations

import pytest

from workbench import audit, auth
from workbench.db import transaction
from workbench.errors import ValidationError
from workbench.inventory import importer, records
from workbench.review import units


def county_id(db, name):
    return db.execute("SELECT id FROM counties WHERE name_zh = ?", [name]).fetchone()[0]


@pytest.fixture
def two_sites(db, users):
    admin = users["admin"]
    haikou = records.save_site(db, admin, {"county_id": county_id(db, "海口市"),
                                           "name_zh": "假日海滩", "sector": "tourism_culture"})
    sanya = records.save_site(db, admin, {"county_id": county_id(db, "三亚市"),
                                          "name_zh": "三亚湾", "sector": "tourism_culture"})
    return haikou, sanya


def sign(db, actor, site_id, zh="禁止游泳", **values):
    data = {"zh": zh, "function": "prohibition", "action": "correct",
            "en_current": "Forbid Swimming", "languages": "en"}
    data.update(values)
    return records.create_sign(db, actor, site_id, data)


def unit_ids(db, sign_id):
    return {r[0]: r[1] for r in db.execute(
        "SELECT target_lang, unit_id FROM sign_units WHERE sign_id = ?", [sign_id])}


def set_unit_state(db, unit_id, state, text="No Swimming"):
    with transaction(db):
        db.execute("UPDATE translation_units SET state = ?, target_text = ?, version = version + 1"
                   " WHERE id = ?", [state, text, unit_id])
        audit.record(db, auth.system_actor("pytest"), "test.unit", "translation_unit", unit_id)


def test_identical_chinese_shares_one_unit_per_language(db, users, two_sites):
    haikou, sanya = two_sites
    first = sign(db, users["admin"], haikou, languages="en;ru")
    second = sign(db, users["admin"], sanya, languages="en;ru;ko", location="西段")
    other = sign(db, users["admin"], sanya, zh="禁止垂钓", location="码头")
    a, b = unit_ids(db, first), unit_ids(db, second)
    assert a["en"] == b["en"] and a["ru"] == b["ru"]
    assert "ko" not in a and b["ko"] not in a.values()
    assert unit_ids(db, other)["en"] != a["en"]
    shared = units.units_for_sign(db, first)
    assert [(u["lang"], u["sign_count"], u["scope"]) for u in shared] == [
        ("en", 2, ""), ("ru", 2, "")]
    unit = units.get_unit(db, a["en"])
    assert (unit["state"], unit["version"], unit["source_text"], unit["kind"]) == (
        "new", 1, "禁止游泳", "sign")
    # Each unit was created once, with its own audit event.
    assert [e["action"] for e in audit.history(db, "translation_unit", a["en"])] == [
        "unit.create"]


def test_opt_out_gives_a_private_unit(db, users, two_sites):
    haikou, sanya = two_sites
    shared = sign(db, users["admin"], haikou)
    private = sign(db, users["admin"], sanya, opt_out_reason="景区注册英文名称不同")
    unit = units.get_unit(db, unit_ids(db, private)["en"])
    assert unit["scope"] == f"sign:{private}"
    assert unit_ids(db, private)["en"] != unit_ids(db, shared)["en"]
    # Opting back in on edit links the sign to the shared unit again.
    records.update_sign(db, users["admin"], private, {
        "zh": "禁止游泳", "function": "prohibition", "action": "correct",
        "en_current": "Forbid Swimming"})
    assert unit_ids(db, private)["en"] == unit_ids(db, shared)["en"]


def test_sign_status_follows_its_units(db, users, two_sites):
    haikou, sanya = two_sites
    first = sign(db, users["admin"], haikou, languages="en;ru")
    second = sign(db, users["admin"], sanya, languages="en")
    en, ru = unit_ids(db, first)["en"], unit_ids(db, first)["ru"]

    def status(sign_id):
        return db.execute("SELECT status FROM signs WHERE id = ?", [sign_id]).fetchone()[0]

    set_unit_state(db, en, "machine_draft")
    assert [units.refresh_sign_status(db, s) for s in (first, second)] == ["drafting"] * 2
    set_unit_state(db, en, "approved")
    # The Russian has no draft yet: the sign is not in review because its English is.
    assert units.refresh_sign_status(db, first) == "drafting"
    assert units.refresh_sign_status(db, second) == "approved"  # English is all it needs
    set_unit_state(db, ru, "in_review", "Купаться запрещено")
    assert units.refresh_sign_status(db, first) == "in_review"
    set_unit_state(db, ru, "approved", "Купаться запрещено")
    assert units.refresh_sign_status(db, first) == "approved"
    assert audit.history(db, "sign", first)[-1]["action"] == "sign.status"
    # A new sign with an already approved wording is approved at once.
    third = sign(db, users["admin"], sanya, location="东段")
    assert status(third) == "approved"
    # People's statuses are not overridden.
    records.transition(db, users["staff"], first, "mark_fabricated")
    set_unit_state(db, en, "in_review")
    assert units.refresh_sign_status(db, first) == "fabricated"


@pytest.mark.parametrize("states,expected", [
    ([], "submitted"), (["new"], "submitted"), (["new", "machine_draft"], "drafting"),
    (["translated"], "drafting"), (["in_review", "new"], "drafting"),
    (["approved", "translated"], "drafting"), (["approved", "new"], "drafting"),
    (["approved", "in_review"], "in_review"), (["approved", "approved"], "approved"),
])
def test_status_from_unit_states(states, expected):
    assert units.status_from_units(states) == expected


def test_kept_sign_starts_its_unit_from_a_clean_installed_text(db, users, two_sites):
    haikou, _sanya = two_sites
    kept = sign(db, users["admin"], haikou, zh="问讯处", action="keep",
                en_current="Information", languages="en;ru")
    by_lang = {u["lang"]: u for u in units.units_for_sign(db, kept)}
    assert (by_lang["en"]["state"], by_lang["en"]["target_text"]) == ("translated",
                                                                     "Information")
    assert by_lang["ru"]["state"] == "new"
    wrong = sign(db, users["admin"], haikou, zh="租车服务", action="keep", en_current="Car Rent",
                 location="到达厅")
    assert units.units_for_sign(db, wrong)[0]["state"] == "new"  # QA error: not reused


def test_draft_new_units_fills_drafts_and_moves_signs(db, users, two_sites):
    haikou, sanya = two_sites
    first = sign(db, users["admin"], haikou, zh="小心地滑", function="warning")
    second = sign(db, users["admin"], sanya, zh="小心地滑", function="warning")
    drafted = units.draft_new_units(db, users["admin"], settings={"MT_ENGINE": "rules"})
    assert drafted == 1  # one shared unit for both signs
    unit = units.get_unit(db, unit_ids(db, first)["en"])
    assert unit["state"] == "machine_draft" and unit["target_text"] and unit["version"] == 2
    assert unit["draft_engine"]
    statuses = {r[0] for r in db.execute("SELECT status FROM signs WHERE id IN (?, ?)",
                                         [first, second])}
    assert statuses == {"drafting"}
    assert audit.history(db, "translation_unit", unit["id"])[-1]["action"] == "unit.draft"
    assert units.draft_new_units(db, users["admin"], settings={"MT_ENGINE": "rules"}) == 0


def test_import_links_shared_units_in_bulk(db, users, two_sites):
    haikou, _sanya = two_sites
    existing = sign(db, users["admin"], haikou)
    data = ("county,site,sector,function,zh,action,languages\n"
            "三亚市,三亚湾,tourism_culture,prohibition,禁止游泳,new,en;ru\n"
            "三亚市,亚龙湾,tourism_culture,prohibition,禁止游泳,new,en\n").encode()
    importer.import_inventory(db, users["admin"], data, "u.csv")
    imported = [r[0] for r in db.execute("SELECT id FROM signs WHERE id != ?", [existing])]
    en_units = {unit_ids(db, s)["en"] for s in imported + [existing]}
    assert len(en_units) == 1
    assert units.get_unit(db, en_units.pop())["source_text"] == "禁止游泳"


def test_unknown_transition_is_refused(db, users, two_sites):
    sign_id = sign(db, users["admin"], two_sites[0])
    with pytest.raises(ValidationError):
        records.transition(db, users["admin"], sign_id, "approve")


def test_reimport_with_a_new_chinese_text_relinks_and_resets_status(db, users):
    admin = users["admin"]
    header = "sign_code,county,site,sector,function,zh,action\n"
    importer.import_inventory(db, admin, (header + "QH-1,琼海市,博鳌码头,transport,facility,"
                                          "售票处,new\n").encode(), "a.csv")
    sign_id = db.execute("SELECT id FROM signs WHERE sign_code = 'QH-1'").fetchone()[0]
    old_unit = unit_ids(db, sign_id)["en"]
    set_unit_state(db, old_unit, "machine_draft", "Ticket Office")
    assert units.refresh_sign_status(db, sign_id) == "drafting"
    importer.import_inventory(db, admin, (header + "QH-1,琼海市,博鳌码头,transport,facility,"
                                          "售票厅,new\n").encode(), "a.csv")
    new_unit = unit_ids(db, sign_id)["en"]
    assert new_unit != old_unit and units.get_unit(db, new_unit)["source_text"] == "售票厅"
    assert db.execute("SELECT status FROM signs WHERE id = ?", [sign_id]).fetchone()[0] == \
        "submitted"


def test_import_applies_approved_shared_wordings_in_bulk(db, users, two_sites):
    haikou, _sanya = two_sites
    first = sign(db, users["admin"], haikou)
    set_unit_state(db, unit_ids(db, first)["en"], "approved")
    data = ("county,site,sector,function,zh,action,en_current\n"
            "三亚市,三亚湾,tourism_culture,prohibition,禁止游泳,new,\n"
            "三亚市,三亚湾,tourism_culture,facility,问讯处,keep,Information\n").encode()
    report = importer.import_inventory(db, users["admin"], data, "u.csv")
    statuses = {r[0]: r[1] for r in db.execute("SELECT zh, status FROM signs WHERE id IN (?, ?)",
                                                report.created_ids)}
    assert statuses == {"禁止游泳": "approved", "问讯处": "drafting"}
    event = audit.history(db, "inventory_import", report.import_id)[0]
    assert sorted(sum(event["after"]["status_changes"].values(), [])) == report.created_ids


def test_a_sign_submitted_on_the_web_gets_machine_drafts(officer_client, db):
    site = next(db.query("SELECT s.id FROM sites s JOIN counties c ON c.id = s.county_id "
                         "WHERE c.code = 'haikou' LIMIT 1"), None)
    if site is None:
        site_id = records.save_site(db, auth.find_user(db, "officer"), {
            "county_id": db.execute("SELECT id FROM counties WHERE code='haikou'").fetchone()[0],
            "name_zh": "测试场所", "sector": "transport"})
    else:
        site_id = site["id"]
    response = officer_client.post("/inventory/signs/new", data={
        "site_id": str(site_id), "location": "一层", "function": "prohibition",
        "zh": "禁止吸烟", "en_current": "", "languages": ["en"], "quantity": "1",
        "action": "new"})
    assert response.status_code == 302, response.data[:500]
    unit = next(db.query("SELECT u.* FROM translation_units u JOIN sign_units su "
                         "ON su.unit_id = u.id JOIN signs s ON s.id = su.sign_id "
                         "WHERE s.zh = '禁止吸烟' AND u.target_lang = 'en'"))
    assert unit["state"] == "machine_draft" and unit["target_text"] == "No Smoking"
