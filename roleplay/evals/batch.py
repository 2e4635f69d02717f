"""`--batch`: send a run's model calls through the OpenAI Batch API instead of one by one.

The response cache is the medium. A first pass grades every job with a `CollectingCache`: cached
requests are answered, the others are collected (and the grading deferred). The collected requests go
up as one JSONL file, a batch is created, polled until it ends, and its output lines are written into
the cache under the same keys. The next pass finds them; a grader that makes follow-up calls (several
samples, a repair prompt) needs another round. The batch in flight is kept in `batch.json` in the run
dir, so a killed run resumes polling the same batch instead of paying for a new one.

Plain HTTP (httpx) against `OPENAI_BASE_URL`: /files, /batches, /files/{id}/content.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import BaseModel, ConfigDict

from roleplay.evals.cache import PendingRequest, ResponseCache
from roleplay.evals.runner_exec import Executor, GradeLog
from roleplay.evals.runner_graders import build_graders, collecting_cache
from roleplay.settings import LLMSettings

if TYPE_CHECKING:
    from roleplay.evals.runner import GraderRun

CHAT_ENDPOINT = "/v1/chat/completions"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
EXTRA_ROUNDS = 2


class BatchError(Exception):
    """The Batch API refused or lost the work; one-line message."""


class BatchState(BaseModel):
    """batch.json: the batch in flight."""

    model_config = ConfigDict(extra="forbid")

    batch_id: str
    input_file_id: str
    requests: int


def batch_lines(pending: Sequence[PendingRequest]) -> bytes:
    """The Batch API input file: one chat-completions request per line, custom_id = cache key."""
    lines = [
        json.dumps({"custom_id": p.key, "method": "POST", "url": CHAT_ENDPOINT, "body": p.request}, ensure_ascii=False)
        for p in pending
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def successful_outputs(content: bytes) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """(cache key -> response body) of the lines that succeeded, and one problem per failed line."""
    found: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for number, line in enumerate(content.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        data = json.loads(line)
        response = data.get("response") or {}
        if response.get("status_code") == 200 and isinstance(response.get("body"), dict):
            found[str(data.get("custom_id"))] = response["body"]
        else:
            problems.append(f"batch output line {number} ({data.get('custom_id')}): {data.get('error') or response}")
    return found, problems


@dataclass
class BatchClient:
    """The four Batch API calls, over one httpx client."""

    http: httpx.AsyncClient

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise BatchError(f"the Batch API answered {response.status_code} to {method} {path}")
        data: dict[str, Any] = response.json()
        return data

    async def upload(self, content: bytes) -> str:
        files = {"file": ("batch_input.jsonl", content, "application/jsonl")}
        return str((await self._json("POST", "files", data={"purpose": "batch"}, files=files))["id"])

    async def create(self, input_file_id: str) -> str:
        body = {"input_file_id": input_file_id, "endpoint": CHAT_ENDPOINT, "completion_window": "24h"}
        return str((await self._json("POST", "batches", json=body))["id"])

    async def retrieve(self, batch_id: str) -> dict[str, Any]:
        return await self._json("GET", f"batches/{batch_id}")

    async def content(self, file_id: str) -> bytes:
        response = await self.http.get(f"files/{file_id}/content")
        if response.status_code >= 400:
            raise BatchError(f"the Batch API answered {response.status_code} for the output file {file_id}")
        return response.content


def http_client(settings: LLMSettings) -> httpx.AsyncClient:
    from roleplay.llm.client import OFFICIAL_BASE_URL, api_key

    base = (settings.base_url or OFFICIAL_BASE_URL).rstrip("/") + "/"
    headers = {"Authorization": f"Bearer {api_key(settings).get_secret_value()}"}
    return httpx.AsyncClient(
        base_url=base, headers=headers, timeout=httpx.Timeout(60.0, connect=settings.connect_timeout)
    )


async def submit(client: BatchClient, pending: Sequence[PendingRequest]) -> BatchState:
    file_id = await client.upload(batch_lines(pending))
    return BatchState(batch_id=await client.create(file_id), input_file_id=file_id, requests=len(pending))


async def wait_and_collect(client: BatchClient, state: BatchState, store: ResponseCache, poll_seconds: float) -> int:
    """Poll until the batch ends; write its successful lines into the cache; how many were written."""
    batch = await client.retrieve(state.batch_id)
    while batch.get("status") not in TERMINAL:
        await asyncio.sleep(poll_seconds)
        batch = await client.retrieve(state.batch_id)
    if batch.get("status") != "completed" or not batch.get("output_file_id"):
        raise BatchError(f"batch {state.batch_id} ended {batch.get('status')}; nothing to collect")
    found, _problems = successful_outputs(await client.content(str(batch["output_file_id"])))
    for key, body in found.items():
        store.save(key, body)
    return len(found)


def read_state(path: Path) -> BatchState | None:
    return BatchState.model_validate_json(path.read_text(encoding="utf-8")) if path.exists() else None


async def collect_pending(run: GraderRun, log: GradeLog, store: ResponseCache) -> list[PendingRequest]:
    """One collecting pass: grade what the cache can answer, gather the requests it cannot."""
    pending: dict[str, PendingRequest] = {}
    graders = build_graders(run.config, collecting_cache(store, pending))
    execution = run.suite.execution.model_copy(update={"requests_per_minute": None})
    await Executor(graders, log, execution, progress=False).run(run.jobs)
    return list(pending.values())


async def run_batches(run: GraderRun, log: GradeLog, store: ResponseCache, progress: bool = True) -> None:
    """Rounds of collect -> submit -> poll -> cache until no request is left (or the rounds run out;
    the normal pass that follows then calls the endpoint for what is left)."""
    state_path = run.run_dir / "batch.json"
    poll = run.suite.execution.batch_poll_seconds
    async with http_client(LLMSettings()) as http:
        client = BatchClient(http)
        for _ in range(run.config.samples + EXTRA_ROUNDS):
            state = read_state(state_path)
            if state is None:
                pending = await collect_pending(run, log, store)
                if not pending:
                    return
                state = await submit(client, pending)
                run.run_dir.mkdir(parents=True, exist_ok=True)
                state_path.write_text(state.model_dump_json(), encoding="utf-8")
                _say(progress, f"batch {state.batch_id}: {state.requests} requests submitted")
            written = await wait_and_collect(client, state, store, poll)
            _say(progress, f"batch {state.batch_id}: {written} responses collected")
            state_path.unlink()


def _say(enabled: bool, message: str) -> None:
    if enabled:
        import sys

        print(message, file=sys.stderr)
