"""The model-server engine in a real browser: the engines page in Chinese shows where texts
go, and a document segment drafted by the model shows its glossary problem."""
from __future__ import annotations

import pytest

from tests.support.browser import settle, sign_in
from tests.support.fake_llm import replace_text

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_config(app_config, tmp_path, llm_server):
    return dict(app_config, MODELS_DIR=str(tmp_path / "no-models"), LLM_URL=llm_server.url,
                LLM_MODEL="qwen2.5-7b-instruct", MT_ENGINE_PROSE="llm", LLM_BACKOFF=0.01)


def test_engines_page_in_chinese_and_a_prose_draft(live_server, new_page, llm_server,
                                                    artifacts_dir):
    llm_server.script.extend([replace_text({"坚持改革开放。": "Persist in reform."})] * 2)
    page = new_page("zh")
    sign_in(page, live_server, "translator")
    page.goto(f"{live_server}/engines/")
    row = page.locator("#engines tr", has_text="llm")
    assert "发送至 " + llm_server.url in row.inner_text()
    page.fill("#draft-text", "坚持改革开放。")
    page.select_option("#draft-profile", "prose")
    with page.expect_navigation():
        page.click("section.card button[type=submit]")
    settle(page)
    drafts = page.locator("#drafts").inner_text()
    assert "Persist in reform." in drafts
    assert "术语库中“改革开放”的译法为 “reform and opening up”，初稿未采用。" in drafts
    page.screenshot(path=str(artifacts_dir / "llm-engines-zh.png"), full_page=True)
