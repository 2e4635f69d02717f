"""Pure builders for Chat Completions bodies in the real OpenAI wire format."""

from __future__ import annotations

import json
import math
from typing import Any

from .script import Message

CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 4
FINGERPRINT = "fp_fake_openai"


def estimate_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: one token per started group of four characters."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def message_text(message: dict[str, Any]) -> str:
    """The text of a chat message whose content is a string or a list of content parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def prompt_tokens(request_json: dict[str, Any]) -> int:
    messages = request_json.get("messages") or []
    return sum(TOKENS_PER_MESSAGE + estimate_tokens(message_text(m)) for m in messages if isinstance(m, dict))


def usage(request_json: dict[str, Any], message: Message) -> dict[str, int]:
    completion = estimate_tokens(message.content or message.refusal or "")
    prompt = prompt_tokens(request_json)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def completion_body(request_json: dict[str, Any], message: Message, completion_id: str, created: int) -> dict[str, Any]:
    """A non-streaming `chat.completion` object."""
    assistant: dict[str, Any] = {"role": "assistant", "content": message.content, "refusal": message.refusal}
    assistant["annotations"] = []
    choice = {"index": 0, "message": assistant, "logprobs": None, "finish_reason": message.finish_reason}
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": request_json.get("model", "fake-model"),
        "choices": [choice],
        "usage": usage(request_json, message),
        "system_fingerprint": FINGERPRINT,
    }


def split_text(text: str, chunk_size: int) -> list[str]:
    size = max(1, chunk_size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def content_deltas(message: Message, chunk_size: int) -> list[dict[str, Any]]:
    """The deltas after the opening role delta: content pieces, or refusal pieces for a refusal."""
    if message.refusal is not None:
        return [{"refusal": piece} for piece in split_text(message.refusal, chunk_size)]
    return [{"content": piece} for piece in split_text(message.content or "", chunk_size)]


def opening_delta(message: Message) -> dict[str, Any]:
    if message.refusal is not None:
        return {"role": "assistant", "content": None, "refusal": ""}
    return {"role": "assistant", "content": "", "refusal": None}


class ChunkFactory:
    """Builds `chat.completion.chunk` objects sharing one id, model and timestamp."""

    def __init__(self, request_json: dict[str, Any], completion_id: str, created: int) -> None:
        self.request_json = request_json
        self.include_usage = bool((request_json.get("stream_options") or {}).get("include_usage"))
        self._base = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": request_json.get("model", "fake-model"),
            "system_fingerprint": FINGERPRINT,
        }

    def delta(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        chunk = {**self._base, "choices": [choice]}
        if self.include_usage:
            chunk["usage"] = None
        return chunk

    def usage_chunk(self, message: Message) -> dict[str, Any]:
        return {**self._base, "choices": [], "usage": usage(self.request_json, message)}


def stream_chunks(factory: ChunkFactory, message: Message, chunk_size: int) -> list[dict[str, Any]]:
    """Every chunk of a complete stream: role, content pieces, finish, and usage when asked for."""
    chunks = [factory.delta(opening_delta(message))]
    chunks += [factory.delta(delta) for delta in content_deltas(message, chunk_size)]
    chunks.append(factory.delta({}, message.finish_reason))
    if factory.include_usage:
        chunks.append(factory.usage_chunk(message))
    return chunks


def sse_event(payload: dict[str, Any] | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


def error_body(status: int, message: str) -> dict[str, Any]:
    kinds = {401: "invalid_request_error", 429: "rate_limit_exceeded", 404: "invalid_request_error"}
    codes = {401: "invalid_api_key", 429: "rate_limit_exceeded", 404: "not_found"}
    kind = kinds.get(status, "server_error")
    return {"error": {"message": message, "type": kind, "param": None, "code": codes.get(status)}}
