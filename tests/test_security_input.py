"""Item 1: oversized, empty, control-character and zero-width messages are refused with a one-line 422
before any model call: the LLM debtor's fake endpoint receives nothing and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_openai import FakeOpenAI
from fastapi.testclient import TestClient

from roleplay.api import create_api
from roleplay.llm.debtor import LLMDebtor
from roleplay.services.practice import MAX_MESSAGE_CHARS, PracticeService
from roleplay.settings import LLMSettings
from roleplay.store import open_store

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def client(fake_openai: FakeOpenAI) -> Iterator[TestClient]:
    settings = LLMSettings.model_validate(
        {"OPENAI_API_KEY": fake_openai.api_key, "OPENAI_BASE_URL": fake_openai.base_url, "max_retries": 0}
    )
    store = open_store("sqlite://")
    debtor = LLMDebtor(settings)
    service = PracticeService(store, debtor, grader=None, backend="openai", model=debtor.model)  # type: ignore[arg-type]
    with TestClient(create_api(service)) as test_client:
        yield test_client
    store.close()


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "The message is empty."),
        ("  \n\t  ", "The message is empty."),
        ("\x00\x01\x07\x1b\x7f", "The message is empty."),
        ("\u200b\u200c\u200d\u2060\ufeff", "The message is empty."),
        ("\u202e\u202d\u200b \x00", "The message is empty."),
        ("x" * (MAX_MESSAGE_CHARS + 1), f"The message is too long: {MAX_MESSAGE_CHARS + 1} characters"),
        ("\u200b".join("y" * (MAX_MESSAGE_CHARS + 1)), f"The message is too long: {MAX_MESSAGE_CHARS + 1} characters"),
    ],
    ids=["empty", "blank", "control", "zero-width", "bidi-and-control", "oversized", "oversized-hidden-padding"],
)
def test_a_bad_message_is_refused_before_any_model_call(
    client: TestClient, fake_openai: FakeOpenAI, text: str, detail: str
) -> None:
    body = {"persona_id": "cooperative_easy", "language": "en", "mode": "training"}
    session_id = client.post("/api/sessions", json=body).json()["session_id"]
    before = client.get(f"/api/sessions/{session_id}").json()["turns"]
    refused = client.post(f"/api/sessions/{session_id}/turns", json={"text": text})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith(detail) and "\n" not in refused.json()["detail"]
    assert fake_openai.count() == 0
    assert client.get(f"/api/sessions/{session_id}").json()["turns"] == before


def test_hidden_characters_are_stripped_from_an_accepted_message(client: TestClient, fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue("Yes?")
    body = {"persona_id": "cooperative_easy", "language": "en", "mode": "training"}
    session_id = client.post("/api/sessions", json=body).json()["session_id"]
    assert (
        client.post(f"/api/sessions/{session_id}/turns", json={"text": "Hel\x00lo\u200b the\u202ere"}).status_code
        == 200
    )
    assert fake_openai.last_messages()[-1]["content"] == "Hello there"
