"""The practice page in Chromium, in each language: switch language, start a call, send three
messages, see three replies, switch language mid-call (the trust indicator follows), hang up, see the
scorecard (ten criteria, the quadrant chart) and the call in "my sessions" with its status in the
page language.

A screenshot per language goes to artifacts/ (git-ignored). No request may leave 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(90)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
STEP_TIMEOUT_MS = 15_000
MESSAGES = {
    "es": (
        "Buenos días, soy Ana, de Telefónica Norte. ¿Hablo con Elena Marín?",
        "¿Cómo le van las cosas estos días?",
        "¿Qué importe le resultaría cómodo pagar cada mes?",
    ),
    "en": (
        "Good morning, this is Ana from Telefónica Norte. Am I speaking with Elena Marín?",
        "How are things going for you these days?",
        "What amount would be comfortable for you to pay each month?",
    ),
}
LABELS = {
    "es": {
        "choice": "Español",
        "start": "Empezar llamada",
        "hang_up": "Colgar",
        "scorecard": "Evaluación de la llamada",
        "ended": "terminada",
        "trust": "Confianza del deudor",
    },
    "en": {
        "choice": "English",
        "start": "Start call",
        "hang_up": "Hang up",
        "scorecard": "Call scorecard",
        "ended": "ended",
        "trust": "Debtor's trust",
    },
}
OTHER = {"es": "en", "en": "es"}


def _is_local(url: str) -> bool:
    return url.startswith(("http://127.0.0.1", "data:", "blob:", "ws://127.0.0.1"))


def _send(page: Any, text: str, replies_before: int) -> None:
    box = page.locator("#message textarea")
    box.fill(text)
    # Gradio re-applies a streamed event's last update when the event completes ("process_completed"),
    # which empties a box filled in between; a person cannot type that fast, a test can.
    page.wait_for_timeout(300)
    if box.input_value() != text:
        box.fill(text)
    box.press("Enter")
    page.locator("#chat .bot-row").nth(replies_before).wait_for()
    page.wait_for_function("() => !document.querySelector('#message textarea').disabled")


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_practice_call_in_the_browser(browser: Any, app_url: str, language: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    outside: list[str] = []
    page.on("request", lambda request: None if _is_local(request.url) else outside.append(request.url))
    try:
        page.goto(app_url)
        labels = LABELS[language]
        # switch away and back, so the labels are set by the language picker itself
        page.locator("#language label", has_text=LABELS[OTHER[language]]["choice"]).click()
        page.locator("#start-call", has_text=LABELS[OTHER[language]]["start"]).wait_for()
        page.locator("#language label", has_text=labels["choice"]).click()
        page.locator("#start-call", has_text=labels["start"]).wait_for()

        page.locator("#persona input[value='cooperative_easy']").check()
        page.locator("#persona-cards .rp-selected[data-persona='cooperative_easy']").wait_for()
        page.locator("#start-call").click()
        page.locator("#chat .bot-row").first.wait_for()
        opening = page.locator("#chat .bot-row").count()
        for sent, text in enumerate(MESSAGES[language]):
            _send(page, text, opening + sent)
        assert page.locator("#chat .bot-row").count() == opening + 3
        assert page.locator("#chat .user-row").count() == 3
        assert page.locator("#trust-indicator .rp-bar").is_visible()
        # switching language mid-call redraws the trust indicator in the other language, and back
        for shown in (OTHER[language], language):
            page.locator("#language label", has_text=LABELS[shown]["choice"]).click()
            page.locator("#trust-indicator", has_text=LABELS[shown]["trust"]).wait_for()

        page.locator("#hang-up", has_text=labels["hang_up"]).click()
        page.locator("#scorecard", has_text=labels["scorecard"]).wait_for(timeout=30_000)
        page.locator("#criteria-details .rp-criterion").nth(9).wait_for()
        assert page.locator("#criteria-details .rp-criterion").count() == 10
        page.locator("#quadrant-chart img").wait_for()
        page.locator("#criteria-chart img").wait_for()
        assert page.locator("#message textarea").is_disabled()
        assert page.locator("#my-sessions").get_by_text(labels["ended"], exact=True).count() >= 1  # in the language

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"practice-{language}.png"), full_page=True)
        assert outside == [], f"requests left 127.0.0.1: {outside}"
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"practice-{language}-failed.png"), full_page=True)
        raise
    finally:
        context.close()


INJECTED = (
    '<img src="http://example.invalid/pwned.png" onerror="window.__pwned = 1"><script>window.__pwned = 2</script>'
)


def test_html_in_a_message_is_shown_as_text(browser: Any, app_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    outside: list[str] = []
    page.on("request", lambda request: None if _is_local(request.url) else outside.append(request.url))
    try:
        page.goto(app_url)
        page.locator("#persona input[value='cooperative_easy']").check()
        page.locator("#start-call").click()
        page.locator("#chat .bot-row").first.wait_for()
        _send(page, f"Hello {INJECTED}", page.locator("#chat .bot-row").count())
        assert page.locator("#chat .user-row").last.inner_text().startswith("Hello <img src=")
        assert page.locator("#chat img[src*='example.invalid']").count() == 0
        assert page.evaluate("() => window.__pwned") is None
        assert outside == []
    finally:
        context.close()
