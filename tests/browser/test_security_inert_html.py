"""Item 4: hostile text renders inert in Chromium. A persona whose name, summary and opening line (the
debtor's first reply) carry `<img onerror>`, `<script>` and a markdown image to an outside address, and
an agent message carrying the same (quoted back in the scorecard's evidence and feedback): no script
runs, no element loads from outside, no request leaves 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]
STEP_TIMEOUT_MS = 15_000
HTML = '<img src="http://example.invalid/{where}.png" onerror="window.__pwned = 1"><script>window.__pwned = 2</script>'
MARKDOWN = "![tracker](http://example.invalid/{where}-md.png)"
LINK = '<a href="javascript:window.__pwned=3" id="js-link-{where}">click</a>'


def hostile(where: str) -> str:
    return f"{HTML.format(where=where)} {MARKDOWN.format(where=where)} {LINK.format(where=where)}"


def hostile_persona() -> Any:
    from roleplay.content import personas
    from roleplay.domain import Persona

    data = personas()["cooperative_easy"].model_dump(mode="json")
    data.update(
        id="hostile_probe",
        name=f"Eve {hostile('name')}",
        summary={"es": hostile("summary-es"), "en": hostile("summary-en")},
        opening={"es": f"¿Sí? {hostile('opening-es')}", "en": f"Hello? {hostile('opening-en')}"},
    )
    return Persona.model_validate(data)


@pytest.fixture(scope="module")
def hostile_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """API + page over a service whose library also holds the hostile persona (offline engines)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    import gradio as gr
    from served_app import serving

    from roleplay.api import create_api
    from roleplay.backends import build_debtor, build_grader
    from roleplay.content import personas
    from roleplay.services.practice import PracticeService
    from roleplay.store import open_store
    from roleplay.ui.page import PAGE_CSS_PATH, build_practice_page

    library = {"hostile_probe": hostile_persona(), **personas()}
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'hostile.db'}")
    debtor = build_debtor("offline")
    service = PracticeService(
        store, debtor, build_grader("offline"), "offline", debtor.model, persona_library=lambda: library
    )
    app = gr.mount_gradio_app(
        create_api(service), build_practice_page(service), path="/", ssr_mode=False, css_paths=PAGE_CSS_PATH
    )
    with serving(app) as url:
        yield f"{url}/"
    store.close()


def _is_local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "data:", "blob:", "ws://127.0.0.1", "about:"))


def assert_inert(page: Any, outside: list[str]) -> None:
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img[src*='example.invalid']").count() == 0
    assert page.locator("script", has_text="__pwned").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0
    assert outside == [], f"requests left 127.0.0.1: {outside}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_hostile_persona_reply_and_scorecard_render_inert(browser: Any, hostile_app_url: str, language: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    outside: list[str] = []
    page.on("request", lambda request: None if _is_local(request.url) else outside.append(request.url))
    page.on("dialog", lambda dialog: outside.append(f"dialog: {dialog.message}"))
    try:
        page.goto(hostile_app_url)
        if language == "es":
            page.locator("#language label", has_text="Español").click()
            page.locator("#start-call", has_text="Empezar llamada").wait_for()
        cards = page.locator("#persona-cards")
        cards.get_by_text("example.invalid/summary", exact=False).first.wait_for()  # shown as text
        page.locator("#persona input[value='hostile_probe']").check()
        page.locator("#start-call").click()
        page.locator("#chat .bot-row").first.wait_for()
        assert "example.invalid/opening" in page.locator("#chat .bot-row").first.inner_text()
        page.locator("#message textarea").fill(f"Good morning, I am Ana. {hostile('agent')} How are you?")
        page.locator("#message textarea").press("Enter")
        page.locator("#chat .bot-row").nth(1).wait_for()
        page.wait_for_function("() => !document.querySelector('#message textarea').disabled")
        page.locator("#hang-up").click()
        page.locator("#criteria-details .rp-criterion").nth(9).wait_for(timeout=30_000)
        page.wait_for_timeout(500)  # give any injected handler the chance to fire
        assert "example.invalid/agent" in page.locator("#chat").inner_text()
        assert "example.invalid/agent" in page.locator("#criteria-details").inner_text()  # quoted as text
        assert_inert(page, outside)
    finally:
        context.close()
