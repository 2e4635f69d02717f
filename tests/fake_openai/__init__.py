"""A fake OpenAI-compatible HTTP server for the test suite, and its `fake_openai` pytest fixture.

Wire the fixture into the suite with `pytest_plugins = ["fake_openai"]` in tests/conftest.py, or import
`fake_openai_fixture` into a test module (it registers under the name `fake_openai`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .app import Behaviour, RecordedRequest
from .chat import estimate_tokens
from .script import (
    MAX_PAUSE_SECONDS,
    CutStream,
    Hang,
    HttpFault,
    MalformedJson,
    Refusal,
    Reply,
    Responder,
    TruncatedJson,
    rate_limited,
)
from .server import FakeOpenAI

__all__ = [
    "MAX_PAUSE_SECONDS",
    "Behaviour",
    "CutStream",
    "FakeOpenAI",
    "Hang",
    "HttpFault",
    "MalformedJson",
    "RecordedRequest",
    "Refusal",
    "Reply",
    "Responder",
    "TruncatedJson",
    "estimate_tokens",
    "fake_openai_fixture",
    "rate_limited",
]


@pytest.fixture(name="fake_openai")
def fake_openai_fixture() -> Iterator[FakeOpenAI]:
    """A running fake server with API key "sk-fake-test" enforced; stopped after the test."""
    with FakeOpenAI(api_key="sk-fake-test") as server:
        yield server
