"""What the fake server answers: scripted replies, faults, and the queue that hands them out."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_PAUSE_SECONDS = 30.0
"""Every sleep in the fake is capped at this, so a mistaken test can never hang the suite."""


@dataclass(frozen=True)
class HttpFault:
    """Answer with an HTTP error status (429, 401, 500, 502, 503, ...) and an OpenAI-style error body."""

    status: int
    message: str = "fake server error"
    retry_after: float | None = None


@dataclass(frozen=True)
class Hang:
    """Sleep `seconds` (asynchronously, capped) before answering with `then` (or the default reply)."""

    seconds: float
    then: Reply | None = None


@dataclass(frozen=True)
class CutStream:
    """Send `after_chunks` content chunks of `text` (or the default reply), then drop the connection."""

    after_chunks: int
    text: str | None = None


@dataclass(frozen=True)
class MalformedJson:
    """Content that is not JSON at all, although the request asked for a json_schema reply."""

    text: str = '{"score": 3, "rationale": oops no quotes'


@dataclass(frozen=True)
class TruncatedJson:
    """The JSON serialisation of `data` cut in half, with finish_reason "length" as a real cut-off has."""

    data: dict[str, Any]


@dataclass(frozen=True)
class Refusal:
    """`message.refusal` set and `content` null (for streams: refusal deltas)."""

    text: str = "I'm sorry, I can't help with that."


Fault = HttpFault | Hang | CutStream | MalformedJson | TruncatedJson | Refusal
Reply = str | dict[str, Any] | Fault
Responder = Callable[[dict[str, Any]], Reply]


def rate_limited(retry_after: float = 0.05) -> HttpFault:
    """A 429 with a `retry-after` header in seconds (the openai client accepts fractions)."""
    return HttpFault(429, "Rate limit reached (fake)", retry_after)


@dataclass(frozen=True)
class Message:
    """The assistant message one reply resolves to."""

    content: str | None
    refusal: str | None = None
    finish_reason: str = "stop"


def reply_message(reply: Reply, fallback: str) -> Message:
    """The assistant message for a content-level reply; transport faults carry no content of their own."""
    if isinstance(reply, str):
        return Message(reply)
    if isinstance(reply, dict):
        return Message(json.dumps(reply, ensure_ascii=False))
    if isinstance(reply, MalformedJson):
        return Message(reply.text)
    if isinstance(reply, TruncatedJson):
        text = json.dumps(reply.data, ensure_ascii=False)
        return Message(text[: max(1, len(text) // 2)], finish_reason="length")
    if isinstance(reply, Refusal):
        return Message(None, refusal=reply.text)
    if isinstance(reply, CutStream) and reply.text is not None:
        return Message(reply.text)
    return Message(fallback)


class ReplyScript:
    """A thread-safe queue of replies; when empty, the responder (or the default text) answers."""

    def __init__(self, default_reply: str, responder: Responder | None) -> None:
        self.default_reply = default_reply
        self.responder = responder
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def next_reply(self, request_json: dict[str, Any]) -> Reply:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        return self.fallback(request_json)

    def fallback(self, request_json: dict[str, Any]) -> Reply:
        """The unscripted answer: the responder's, else the default text."""
        if self.responder is not None:
            return self.responder(request_json)
        return self.default_reply
