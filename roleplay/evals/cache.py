"""A persistent, content-addressed cache of model responses for evaluation runs.

The key is a SHA-256 of (the chat-completions request body: messages, model and parameters; the repeat
index). The repeat index is part of the key so that k repeats are k real calls, while an unchanged
re-run finds every response and makes no call. The cache sits where the model call happens: the LLM
grader takes an optional `ReplyCache` and asks it before calling the endpoint.

Layout: one JSON file per response under `<dir>/<2 hex>/<64 hex>.json`, written atomically, so several
processes may share a cache directory. Default dir: $XDG_CACHE_HOME/roleplay/responses.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class ReplyCache(Protocol):
    """What the LLM grader calls around its model call. `request` is the JSON body it sends to
    /v1/chat/completions; `response` is the JSON body it got back (a chat.completion object)."""

    def get(self, request: Mapping[str, Any]) -> dict[str, Any] | None: ...

    def put(self, request: Mapping[str, Any], response: Mapping[str, Any]) -> None: ...


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "roleplay" / "responses"


def cache_key(request: Mapping[str, Any], repeat: int) -> str:
    """SHA-256 of the canonical JSON of (request, repeat)."""
    canonical = json.dumps({"request": request, "repeat": repeat}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    writes: int = 0


@dataclass
class ResponseCache:
    """The on-disk store; `for_repeat(i)` gives the `ReplyCache` a grader of repeat i uses."""

    directory: Path = field(default_factory=default_cache_dir)
    stats: CacheStats = field(default_factory=CacheStats)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def load(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.stats.misses += 1
            return None
        self.stats.hits += 1
        return data if isinstance(data, dict) else None

    def save(self, key: str, response: Mapping[str, Any]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as tmp:
            json.dump(response, tmp, ensure_ascii=False)
        os.replace(tmp.name, path)
        self.stats.writes += 1

    def for_repeat(self, repeat: int) -> RepeatCache:
        return RepeatCache(self, repeat)


@dataclass(frozen=True)
class RepeatCache:
    """The cache seen by the grader of one repeat index (implements ReplyCache)."""

    store: ResponseCache
    repeat: int

    def get(self, request: Mapping[str, Any]) -> dict[str, Any] | None:
        return self.store.load(cache_key(request, self.repeat))

    def put(self, request: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        self.store.save(cache_key(request, self.repeat), response)


class Deferred(BaseException):
    """Raised by `CollectingCache` on a miss: the request is queued for the Batch API instead of sent.

    A BaseException so that a grader's `except Exception` cannot turn it into a failed grade."""


@dataclass
class PendingRequest:
    key: str
    request: dict[str, Any]


@dataclass(frozen=True)
class CollectingCache:
    """A ReplyCache for the first pass of a `--batch` run: hits are answered, misses are collected
    (keyed like the real cache) and raise `Deferred`."""

    store: ResponseCache
    repeat: int
    pending: dict[str, PendingRequest]

    def get(self, request: Mapping[str, Any]) -> dict[str, Any] | None:
        key = cache_key(request, self.repeat)
        found = self.store.load(key)
        if found is not None:
            return found
        self.pending.setdefault(key, PendingRequest(key, json.loads(json.dumps(request))))
        raise Deferred(key)

    def put(self, request: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        self.store.save(cache_key(request, self.repeat), response)
