"""The fake OpenAI-compatible server of the test suite (tests/fake_openai), used as the endpoint.

tests/ is put on sys.path so `fake_openai` imports as the suite imports it; nothing there is edited.
"""

from __future__ import annotations

import sys
from typing import Any

from benchmarks.workload import REPO
from roleplay.domain import CRITERION_IDS

TESTS_DIR = REPO / "tests"
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from fake_openai import FakeOpenAI  # noqa: E402  (needs tests/ on sys.path first)

DEBTOR_REPLY = (
    "Look, I know I owe the money, but things have been really tight since the spring. "
    "I can maybe manage something small each month, but not the whole amount at once."
)


def grader_verdict(request: dict[str, Any]) -> dict[str, Any]:
    """A valid grader reply (the strict json_schema of roleplay.llm.grader_schema) for any transcript."""
    claim = {"evidence": [], "rationale": "ok", "score": 4}
    feedback = {
        "strengths": [{"criterion": "P1", "text": "a"}, {"criterion": "S1", "text": "b"}],
        "improvements": [{"criterion": c, "text": "c", "example": "d"} for c in ("P3", "S2", "S3")],
    }
    return {"criteria": dict.fromkeys(CRITERION_IDS, claim), "flags": [], "feedback": feedback}


def fake_server(first_byte_delay: float = 0.0, chunk_delay: float = 0.0) -> FakeOpenAI:
    """A fake endpoint (not started) answering every chat call with the debtor line."""
    server = FakeOpenAI(api_key="sk-fake-bench", default_reply=DEBTOR_REPLY)
    server.behaviour.first_byte_delay = first_byte_delay
    server.behaviour.chunk_delay = chunk_delay
    return server


def openai_env(server: FakeOpenAI) -> dict[str, str]:
    """Environment for a process using the openai backend against `server`."""
    return {
        "ROLEPLAY_BACKEND": "openai",
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_API_KEY": server.api_key,
        "ROLEPLAY_DEBTOR_MODEL": "fake-model",
        "ROLEPLAY_GRADER_MODEL": "fake-model",
        "ROLEPLAY_MAX_RETRIES": "0",
    }
