"""Submitting signs: every source stores its signs, then one rule queues or runs the drafting."""
from __future__ import annotations

import pytest

from workbench import jobs
from workbench.errors import ValidationError
from workbench.inventory import records
from workbench.inventory.submission import DemoInventory, NewSign, submit_signs


@pytest.fixture
def site(db, users):
    county = db.execute("SELECT id FROM counties WHERE name_zh = '海口市'").fetchone()[0]
    return records.save_site(db, users["officer"], {
        "county_id": county, "name_zh": "海口东站", "sector": "交通"})


def _sign(site_id, zh="出口"):
    return NewSign(site_id, {"zh": zh, "function": "facility", "action": "new",
                             "languages": "en"})


def test_a_new_sign_queues_its_drafting_job(db, users, app, site):
    submitted = submit_signs(db, users["officer"], _sign(site), settings=app.config)
    assert submitted.sign_ids == [submitted.result] and submitted.drafted is None
    run = jobs.get_run(db, submitted.run_id)
    assert run["kind"] == "inventory.draft"
    assert run["arguments"]["sign_ids"] == submitted.sign_ids
    # The same Chinese again: its shared unit is drafted already, so no job is queued.
    again = submit_signs(db, users["officer"], _sign(site), settings=app.config)
    assert again.sign_ids and again.run_id is None


def test_drafting_inline_or_not_at_all(db, users, app, site):
    left = submit_signs(db, users["officer"], _sign(site, "入口"), settings=app.config,
                        drafting="none")
    assert left.run_id is None and left.drafted is None
    assert records.get_sign(db, users["officer"], left.result)["units"][0]["state"] == "new"
    done = submit_signs(db, users["officer"], _sign(site, "售票处"), settings=app.config,
                        drafting="inline")
    assert done.run_id is None and done.drafted == 1


def test_a_refused_sign_writes_and_drafts_nothing(db, users, app, site):
    before = db.execute("SELECT count(*) FROM job_runs").fetchone()[0]
    with pytest.raises(ValidationError):
        submit_signs(db, users["officer"], NewSign(site, {"zh": "Exit"}), settings=app.config)
    assert db.execute("SELECT count(*) FROM signs").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM job_runs").fetchone()[0] == before


def test_the_demo_inventory_is_submitted_once(db, users, app):
    first = submit_signs(db, users["admin"], DemoInventory(), settings=app.config,
                         drafting="none")
    sites, signs = first.result
    assert sites and signs == len(first.sign_ids) > 0
    again = submit_signs(db, users["admin"], DemoInventory(), settings=app.config)
    assert again.result == (0, 0) and again.sign_ids == [] and again.run_id is None
