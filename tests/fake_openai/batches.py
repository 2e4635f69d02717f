"""The Files and Batch API of the fake: stored files, batches that complete after a few polls."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LineAnswer = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]
"""Answers one batch line's request body with (HTTP status, response body)."""


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    content: bytes
    created_at: int = field(default_factory=lambda: int(time.time()))

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
        }


@dataclass
class StoredBatch:
    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, str] | None
    polls: int = 0
    completing: bool = False
    output_file_id: str | None = None
    completed_at: int | None = None
    line_count: int = 0
    created_at: int = field(default_factory=lambda: int(time.time()))

    def status(self) -> str:
        if self.output_file_id is not None:
            return "completed"
        return "validating" if self.polls == 0 else "in_progress"

    def as_json(self) -> dict[str, Any]:
        status = self.status()
        done = status == "completed"
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": status,
            "created_at": self.created_at,
            "output_file_id": self.output_file_id,
            "error_file_id": None,
            "completed_at": self.completed_at,
            "metadata": self.metadata,
            "request_counts": {"total": self.line_count, "completed": self.line_count if done else 0, "failed": 0},
        }


def parse_jsonl(content: bytes) -> list[dict[str, Any]]:
    lines = content.decode("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def output_line(index: int, line: dict[str, Any], answer: LineAnswer) -> dict[str, Any]:
    """One line of a batch output file, in the format the Batch API writes."""
    status, body = answer(line.get("body") or {})
    response = {"status_code": status, "request_id": f"req_fake_{index}", "body": body}
    return {"id": f"batch_req_{index}", "custom_id": line.get("custom_id"), "response": response, "error": None}


class BatchStore:
    """Thread-safe storage of uploaded files and batches."""

    def __init__(self, polls_to_complete: int) -> None:
        self.polls_to_complete = polls_to_complete
        self._files: dict[str, StoredFile] = {}
        self._batches: dict[str, StoredBatch] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}-fake{next(self._ids)}"

    def add_file(self, filename: str, purpose: str, content: bytes) -> StoredFile:
        with self._lock:
            stored = StoredFile(self._next_id("file"), filename, purpose, content)
            self._files[stored.id] = stored
            return stored

    def file(self, file_id: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(file_id)

    def create_batch(self, body: dict[str, Any]) -> StoredBatch | None:
        """A new batch, or None when its input file does not exist."""
        input_file = self.file(str(body.get("input_file_id")))
        if input_file is None:
            return None
        with self._lock:
            batch = StoredBatch(
                id=self._next_id("batch"),
                input_file_id=input_file.id,
                endpoint=str(body.get("endpoint", "/v1/chat/completions")),
                completion_window=str(body.get("completion_window", "24h")),
                metadata=body.get("metadata"),
                line_count=len(parse_jsonl(input_file.content)),
            )
            self._batches[batch.id] = batch
            return batch

    def batch_json(self, batch_id: str) -> dict[str, Any] | None:
        with self._lock:
            batch = self._batches.get(batch_id)
            return batch.as_json() if batch else None

    def poll(self, batch_id: str, answer: LineAnswer) -> dict[str, Any] | None:
        """The batch as seen by one more poll; on the completing poll its output file is written."""
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is None:
                return None
            batch.polls += 1
            must_complete = batch.polls >= self.polls_to_complete and not batch.completing
            batch.completing = batch.completing or must_complete
        if must_complete:
            self._complete(batch, answer)
        return batch.as_json()

    def _complete(self, batch: StoredBatch, answer: LineAnswer) -> None:
        input_file = self.file(batch.input_file_id)
        lines = parse_jsonl(input_file.content) if input_file else []
        output = [json.dumps(output_line(i, line, answer)) for i, line in enumerate(lines)]
        stored = self.add_file(f"{batch.id}_output.jsonl", "batch_output", ("\n".join(output) + "\n").encode())
        with self._lock:
            batch.output_file_id = stored.id
            batch.completed_at = int(time.time())
