"""roleplay.llm.client: the ChatOpenAI it builds, the backend line, keys, and endpoint failures."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import openai
import pytest
from fake_openai import FakeOpenAI

from roleplay.llm.client import (
    LLMConfigError,
    api_key,
    build_chat_model,
    describe_backend,
    endpoint_failure,
    shown_base_url,
)
from roleplay.protocols import EndpointUnavailable
from roleplay.settings import LLMSettings

SECRET = "sk-live-SECRET-0123456789"


def settings(**values: Any) -> LLMSettings:
    return LLMSettings.model_validate(values)


def status_error(status: int) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    response = httpx.Response(status, request=request, json={"error": {"message": SECRET}})
    error_types: dict[int, type[openai.APIStatusError]] = {
        401: openai.AuthenticationError,
        404: openai.NotFoundError,
        429: openai.RateLimitError,
        500: openai.InternalServerError,
        400: openai.BadRequestError,
    }
    return error_types[status](SECRET, response=response, body=None)


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ({"OPENAI_API_KEY": SECRET}, "openai · gpt-4.1-mini @ https://api.openai.com/v1"),
        ({"OPENAI_BASE_URL": "http://gpu:8000/v1/", "debtor_model": "llama3"}, "openai · llama3 @ http://gpu:8000/v1"),
        (
            {"OPENAI_BASE_URL": "http://me:pw@gpu:8000/v1", "OPENAI_API_KEY": SECRET},
            "openai · gpt-4.1-mini @ http://gpu:8000/v1",
        ),
    ],
)
def test_describe_backend_names_model_and_endpoint_never_the_key_or_password(values: dict[str, Any], line: str) -> None:
    described = describe_backend(settings(**values))
    assert described == line
    assert SECRET not in described and "pw" not in described


def test_the_official_endpoint_without_a_key_is_a_one_line_error() -> None:
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY is not set") as raised:
        build_chat_model(settings(), "debtor", streaming=True)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:11434/v1", "http://vllm.internal:8000/v1"])
def test_a_self_hosted_endpoint_may_go_without_a_key(base_url: str) -> None:
    assert api_key(settings(OPENAI_BASE_URL=base_url)).get_secret_value() == "not-needed"


@pytest.mark.parametrize(
    ("purpose", "model", "temperature", "read"),
    [("debtor", "d-model", 0.7, 12.0), ("grader", "g-model", 0.0, 90.0)],
)
def test_build_chat_model_uses_chat_completions_with_the_purpose_settings(
    purpose: Any, model: str, temperature: float, read: float
) -> None:
    chosen = settings(
        OPENAI_API_KEY=SECRET,
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",
        debtor_model="d-model",
        grader_model="g-model",
        debtor_temperature=0.7,
        debtor_read_timeout=12,
        grader_read_timeout=90,
        connect_timeout=3,
        max_retries=4,
    )
    built = build_chat_model(chosen, purpose, streaming=True)
    assert (built.model_name, built.temperature, built.max_retries) == (model, temperature, 4)
    assert built.use_responses_api is False and built.stream_usage is True and built.streaming is True
    assert built.openai_api_base == "http://127.0.0.1:9/v1"
    assert isinstance(built.request_timeout, openai.Timeout)
    assert (built.request_timeout.read, built.request_timeout.connect) == (read, 3)
    assert SECRET not in repr(built)


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (status_error(429), "The model endpoint http://h/v1 rate-limited us (429); wait a moment and try again."),
        (status_error(500), "The model endpoint http://h/v1 failed with a server error (500)."),
        (status_error(401), "The model endpoint http://h/v1 refused our credentials (401); check OPENAI_API_KEY."),
        (status_error(404), "The model endpoint http://h/v1 does not know the model 'gpt-4.1-mini' (404)."),
        (status_error(400), "The model endpoint http://h/v1 rejected the request (400)."),
        (
            openai.APITimeoutError(httpx.Request("POST", "http://h/v1")),
            "The model endpoint http://h/v1 did not answer within 7 s.",
        ),
        (
            openai.APIConnectionError(request=httpx.Request("POST", "http://h/v1")),
            "The connection to the model endpoint http://h/v1 failed or broke off.",
        ),
    ],
)
def test_endpoint_failures_become_clear_one_line_messages_without_the_servers_text(
    error: Exception, message: str
) -> None:
    mapped = endpoint_failure(error, settings(OPENAI_BASE_URL="http://h/v1", debtor_read_timeout=7), "debtor")
    assert isinstance(mapped, EndpointUnavailable)
    assert str(mapped) == message
    assert SECRET not in str(mapped)


def test_other_errors_are_not_endpoint_failures() -> None:
    assert endpoint_failure(ValueError("bug"), settings(OPENAI_BASE_URL="http://h/v1"), "grader") is None


def test_shown_base_url_strips_credentials() -> None:
    assert (
        shown_base_url(settings(OPENAI_BASE_URL="https://u:p@proxy.example:4000/v1")) == "https://proxy.example:4000/v1"
    )


async def test_the_key_is_sent_to_the_endpoint_but_never_logged(
    fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    chosen = settings(
        OPENAI_API_KEY=fake_openai.api_key, OPENAI_BASE_URL=fake_openai.base_url, debtor_model="fake-model"
    )
    reply = await build_chat_model(chosen, "debtor", streaming=False).ainvoke("hola")
    assert reply.content == "OK"
    assert fake_openai.chat_requests()[0].headers["authorization"] == f"Bearer {fake_openai.api_key}"
    assert caplog.records, "debug logging was on, something should have logged"
    assert fake_openai.api_key not in caplog.text


def test_a_model_is_reused_within_one_event_loop_and_not_across_loops() -> None:
    import asyncio

    from roleplay.llm.client import build_chat_model
    from roleplay.settings import LLMSettings

    settings = LLMSettings(OPENAI_BASE_URL="http://127.0.0.1:9/v1", OPENAI_API_KEY="sk-a")

    async def two_builds() -> tuple[object, object, object]:
        first = build_chat_model(settings, "debtor", streaming=True)
        again = build_chat_model(settings, "debtor", streaming=True)
        other_key = build_chat_model(
            LLMSettings(OPENAI_BASE_URL="http://127.0.0.1:9/v1", OPENAI_API_KEY="sk-b"), "debtor", streaming=True
        )
        return first, again, other_key

    first, again, other_key = asyncio.run(two_builds())
    assert first is again  # one HTTP client and TLS context per loop, not per reply
    assert other_key is not first
    next_loop_model, _, _ = asyncio.run(two_builds())
    assert next_loop_model is not first  # never a client bound to a closed loop
