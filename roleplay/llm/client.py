"""Build the ChatOpenAI of a purpose (debtor or grader) and turn endpoint failures into clear messages.

Models are built inside the running event loop and reused within it (`build_chat_model`): langchain-openai
caches its default async HTTP client per process unless the timeout is an (unhashable) `openai.Timeout`,
which we always pass, so each loop gets its own model and client, bound to the loop it is used in.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

import httpx2
import openai
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from roleplay.protocols import EndpointUnavailable
from roleplay.settings import LLMSettings

Purpose = Literal["debtor", "grader"]
OFFICIAL_BASE_URL = "https://api.openai.com/v1"
LOCAL_DUMMY_KEY = "not-needed"
WRITE_TIMEOUT_SECONDS = 10.0

__all__ = [
    "EndpointUnavailable",
    "LLMConfigError",
    "Purpose",
    "build_chat_model",
    "describe_backend",
    "endpoint_failure",
    "model_name",
    "read_timeout",
    "shown_base_url",
]


class LLMConfigError(ValueError):
    """The `openai` backend is misconfigured (e.g. no key for the official endpoint); one-line message."""


def model_name(settings: LLMSettings, purpose: Purpose) -> str:
    return settings.debtor_model if purpose == "debtor" else settings.grader_model


def read_timeout(settings: LLMSettings, purpose: Purpose) -> float:
    return settings.debtor_read_timeout if purpose == "debtor" else settings.grader_read_timeout


def _temperature(settings: LLMSettings, purpose: Purpose) -> float:
    return settings.debtor_temperature if purpose == "debtor" else settings.grader_temperature


def shown_base_url(settings: LLMSettings) -> str:
    """The endpoint URL safe to show: the official one when unset, any user:password@ removed."""
    url = (settings.base_url or OFFICIAL_BASE_URL).rstrip("/")
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _is_official(settings: LLMSettings) -> bool:
    return settings.base_url is None or urlsplit(settings.base_url).hostname == "api.openai.com"


def api_key(settings: LLMSettings) -> SecretStr:
    """The key to send: OPENAI_API_KEY; a dummy for a self-hosted endpoint (vLLM, Ollama accept any)."""
    if settings.api_key is not None and settings.api_key.get_secret_value().strip():
        return settings.api_key
    if _is_official(settings):
        raise LLMConfigError(
            "OPENAI_API_KEY is not set: set it, or point OPENAI_BASE_URL at an OpenAI-compatible server."
        )
    return SecretStr(LOCAL_DUMMY_KEY)


def describe_backend(settings: LLMSettings, purpose: Purpose = "debtor") -> str:
    """One line for the UI and `roleplay serve`, e.g. "openai · gpt-4.1-mini @ http://host/v1" (never the key)."""
    return f"openai · {model_name(settings, purpose)} @ {shown_base_url(settings)}"


def _timeout(settings: LLMSettings, purpose: Purpose) -> openai.Timeout:
    # openai's own Timeout (httpx2's since openai 3.x; httpx.Timeout is refused by httpx2 2.17)
    return openai.Timeout(
        connect=settings.connect_timeout,
        read=read_timeout(settings, purpose),
        write=WRITE_TIMEOUT_SECONDS,
        pool=settings.connect_timeout,
    )


_MODELS_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str, bool], ChatOpenAI]] = (
    weakref.WeakKeyDictionary()
)


def build_chat_model(settings: LLMSettings, purpose: Purpose, *, streaming: bool) -> ChatOpenAI:
    """A ChatOpenAI for `purpose` on chat completions; call it inside the event loop that will use it.

    Within one running event loop the model (and so its HTTP client and TLS context, ~0.1 s of CPU
    to build) is reused for the same settings; a new loop gets its own, so no client outlives the loop
    it was bound to. Raises LLMConfigError when no key is set for the official endpoint.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _new_chat_model(settings, purpose, streaming=streaming)
    models = _MODELS_BY_LOOP.setdefault(loop, {})
    secret = settings.api_key.get_secret_value() if settings.api_key else ""
    key = (settings.model_dump_json() + hashlib.sha256(secret.encode()).hexdigest(), purpose, streaming)
    if key not in models:
        models[key] = _new_chat_model(settings, purpose, streaming=streaming)
    return models[key]


def _new_chat_model(settings: LLMSettings, purpose: Purpose, *, streaming: bool) -> ChatOpenAI:
    return ChatOpenAI(
        model=model_name(settings, purpose),
        api_key=api_key(settings),
        base_url=settings.base_url,
        temperature=_temperature(settings, purpose),
        use_responses_api=False,
        streaming=streaming,
        stream_usage=True,
        max_retries=settings.max_retries,
        timeout=_timeout(settings, purpose),
    )


def _status_message(exc: openai.APIStatusError, url: str, model: str) -> str:
    status = exc.status_code
    if status == 429:
        return f"The model endpoint {url} rate-limited us (429); wait a moment and try again."
    if status in (401, 403):
        return f"The model endpoint {url} refused our credentials ({status}); check OPENAI_API_KEY."
    if status == 404:
        return f"The model endpoint {url} does not know the model '{model}' (404)."
    if status >= 500:
        return f"The model endpoint {url} failed with a server error ({status})."
    return f"The model endpoint {url} rejected the request ({status})."


def endpoint_failure(exc: BaseException, settings: LLMSettings, purpose: Purpose) -> EndpointUnavailable | None:
    """The clear error for an SDK failure (after its retries), or None if `exc` is not an endpoint failure.

    The message names the endpoint (without credentials) and never repeats the server's own text.
    """
    url = shown_base_url(settings)
    if isinstance(exc, openai.APITimeoutError):
        return EndpointUnavailable(
            f"The model endpoint {url} did not answer within {read_timeout(settings, purpose):g} s."
        )
    if isinstance(exc, openai.APIConnectionError):
        return EndpointUnavailable(f"The connection to the model endpoint {url} failed or broke off.")
    if isinstance(exc, openai.APIStatusError):
        return EndpointUnavailable(_status_message(exc, url, model_name(settings, purpose)))
    if isinstance(exc, httpx2.TimeoutException):
        return EndpointUnavailable(
            f"The model endpoint {url} did not answer within {read_timeout(settings, purpose):g} s."
        )
    if isinstance(exc, httpx2.TransportError):
        return EndpointUnavailable(f"The connection to the model endpoint {url} failed or broke off.")
    return None
