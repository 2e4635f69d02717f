"""Item 15: a forced internal error shows a generic message without a stack trace (API: 500
{"detail": "Internal server error."}; page: gradio's generic error, show_error=False), and the API
key never appears in logs, pages, API answers or exports (openai backend on the fake server)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fake_openai import FakeOpenAI
from served_app import served_roleplay

from roleplay.auth import LOCAL
from roleplay.services.exports import ExportOptions, export_text
from roleplay.services.factory import build_practice_service
from roleplay.services.practice import PracticeService
from roleplay.services.review import ReviewService
from roleplay.ui.handlers import CallHandlers

pytestmark = pytest.mark.timeout(120)
INTERNALS = "connection string sqlite:///secret/internals.db at line 42"
TRACE_MARKS = ("Traceback", 'File "', "RuntimeError", "internals.db")


def explode(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError(INTERNALS)


def break_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way in breaks with an unexpected exception whose text must not leak."""
    for name in ("list_sessions", "start_session", "personas"):
        monkeypatch.setattr(PracticeService, name, explode)
    monkeypatch.setattr(CallHandlers, "start_call", explode)


@pytest.fixture
def app_url(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Iterator[str]:
    caplog.set_level(logging.CRITICAL + 1)  # the app logs the traceback server-side; that is expected
    with served_roleplay() as url:
        break_everything(monkeypatch)  # after start-up: the page is built with the real personas
        yield url


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/sessions", None),
        ("GET", "/api/personas?language=es", None),
        ("POST", "/api/sessions", {"persona_id": "cooperative_easy", "language": "es", "mode": "training"}),
    ],
)
def test_the_api_answers_a_generic_500(app_url: str, method: str, path: str, body: object) -> None:
    response = httpx.request(method, f"{app_url}{path}", json=body, timeout=10)
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error."}
    assert not any(mark in response.text for mark in TRACE_MARKS)


def test_the_page_shows_a_generic_error(app_url: str) -> None:
    from gradio_client import Client

    client = Client(f"{app_url}/", verbose=False)
    with pytest.raises(Exception) as failed:  # gradio_client's AppError
        client.predict("cooperative_easy", "es", "training", api_name="/start_call")
    shown = str(failed.value)
    assert "has not enabled verbose error reporting" in shown
    assert not any(mark in shown for mark in TRACE_MARKS)


KEY = "sk-fake-test"  # the key the fake_openai fixture enforces


@pytest.fixture
def openai_env(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    assert fake_openai.api_key == KEY
    for name, value in [
        ("ROLEPLAY_BACKEND", "openai"),
        ("OPENAI_BASE_URL", fake_openai.base_url),
        ("OPENAI_API_KEY", KEY),
        ("ROLEPLAY_DEBTOR_MODEL", "fake-model"),
        ("ROLEPLAY_GRADER_MODEL", "fake-model"),
    ]:
        monkeypatch.setenv(name, value)
    return fake_openai


def test_the_api_key_never_appears_in_logs_pages_answers_or_exports(
    openai_env: FakeOpenAI, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    from gradio_client import Client

    caplog.set_level(logging.DEBUG)
    openai_env.enqueue("Sí, soy yo.", "Le escucho.", "Vale.")
    seen: list[str] = []
    with served_roleplay(backend="openai") as url:
        body = {"persona_id": "cooperative_easy", "language": "es", "mode": "training"}
        session_id = httpx.post(f"{url}/api/sessions", json=body, timeout=10).json()["session_id"]
        seen.append(httpx.post(f"{url}/api/sessions/{session_id}/turns", json={"text": "Hola"}, timeout=30).text)
        seen.append(httpx.post(f"{url}/api/sessions/{session_id}/grade", timeout=60).text)  # "OK" is no grade
        for path in ("/", "/config", "/gradio_api/info", "/api/openapi.json", f"/api/sessions/{session_id}"):
            seen.append(httpx.get(f"{url}{path}", timeout=10).text)
        client = Client(f"{url}/", verbose=False)
        seen.append(repr(client.predict("cooperative_easy", "es", "training", api_name="/start_call")))
        seen.append(repr(client.predict("Buenos días", "es", api_name="/send")))
    assert any(r.headers.get("authorization") == f"Bearer {KEY}" for r in openai_env.chat_requests())  # it was used
    service = build_practice_service(os.environ["ROLEPLAY_DB"], "offline")
    exports = [export_text(ReviewService(service), LOCAL, fmt, ExportOptions()) for fmt in ("csv", "jsonl")]
    assert session_id in exports[0]
    out, err = capfd.readouterr()
    logs = "\n".join(f"{r.name}: {r.getMessage()} {r.args!r}" for r in caplog.records)
    for where, text in {"answers and pages": "\n".join(seen), "exports": "\n".join(exports),
                        "logs": logs, "stdout/stderr": out + err}.items():  # fmt: skip
        assert KEY not in text, where
