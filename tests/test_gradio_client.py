"""The practice page served by Gradio and driven by name through gradio_client, on the offline
backend (scripted debtor, rule grader) with a temporary database (ROLEPLAY_DB from conftest)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from roleplay.services.factory import build_practice_service
from roleplay.services.practice import PracticeService
from roleplay.settings import ServeSettings
from roleplay.ui.page import PAGE_CSS_PATH, build_practice_page

pytestmark = pytest.mark.timeout(120)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def service() -> PracticeService:
    return build_practice_service(ServeSettings().db, "offline")


@pytest.fixture
def client(service: PracticeService) -> Iterator[Any]:
    from gradio_client import Client

    demo = build_practice_page(service, ServeSettings(queue_concurrency=4, queue_max_size=8))
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                ssr_mode=False, css_paths=PAGE_CSS_PATH)  # fmt: skip
    try:
        yield Client(demo.local_url, verbose=False)
    finally:
        demo.close()


def texts(chat: list[dict[str, Any]], role: str) -> list[str]:
    return [part["text"] for message in chat if message["role"] == role for part in message["content"]]


def test_every_event_is_callable_by_name(client: Any) -> None:
    endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    expected = {"/start_call", "/send", "/hang_up", "/scorecard", "/scorecard_after_hang_up", "/grade_again",
                "/change_language", "/select_persona", "/my_sessions", "/restore"}  # fmt: skip
    assert expected <= set(endpoints)


def test_the_queue_is_sized_from_the_settings(service: PracticeService) -> None:
    demo = build_practice_page(service, ServeSettings(queue_concurrency=3, queue_max_size=5))
    assert demo._queue.max_size == 5
    assert demo._queue.default_concurrency_limit == 3


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_call_start_send_hang_up_scorecard(client: Any, service: PracticeService, language: str) -> None:
    persona = service.personas(language)[0]
    chat, *_ = client.predict(persona.id, language, "training", api_name="/start_call")
    assert texts(chat, "assistant")
    for line in ("Hello, this is Ana from the collections team.", "How are things going for you at the moment?"):
        chat, message, indicator, notice = client.predict(line, language, api_name="/send")
        assert texts(chat, "user")[-1] == line and message["value"] == ""
        assert "%" in indicator["value"]
    assert len(texts(chat, "assistant")) >= 3
    chat, message, _, notice = client.predict(language, api_name="/hang_up")
    assert message["interactive"] is False and notice
    summary, criteria, quadrant, details, *_rest, sessions = client.predict(
        language, api_name="/scorecard_after_hang_up"
    )
    assert "rp-figures" in summary and details.count('class="rp-criterion"') == 10
    assert criteria["type"] == quadrant["type"] == "matplotlib"
    assert sessions["data"][0][-1]  # the quadrant of the graded call


def test_bad_input_keeps_the_message(client: Any, service: PracticeService) -> None:
    client.predict(service.personas("en")[0].id, "en", "assessment", api_name="/start_call")
    _chat, message, indicator, notice = client.predict("   ", "en", api_name="/send")
    assert "empty" in notice and message["value"] == "   "
    assert indicator["visible"] is False
