"""Time to the first streamed token through the app minus the raw `openai` client's, same endpoint.

REST: the streaming turn route (server-sent events), to the first chunk event. Gradio: gradio_client's streamed /send
updates, to the first update carrying debtor text. Samples alternate app and raw client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from benchmarks.fake_endpoint import FakeOpenAI
from benchmarks.figures import Figure, median, not_measured
from benchmarks.served_app import TRAINEE_PASSWORD, ServedApp
from benchmarks.workload import workload

SAMPLES = 10
FIRST_TOKEN_LATENCY = (0.1, 0.005)
"""(first-byte delay, delay between chunks) of the endpoint, in seconds, for these figures."""
GOAL = "<= 20 ms"


async def _raw_seconds(endpoint: FakeOpenAI) -> tuple[float, float]:
    """(first content token, whole reply) of one streamed completion through the raw openai client."""
    from openai import AsyncOpenAI

    async with AsyncOpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key, max_retries=0) as client:
        started = time.perf_counter()
        first = 0.0
        stream = await client.chat.completions.create(
            model="fake-model", messages=[{"role": "user", "content": "Hello?"}], stream=True
        )
        async for chunk in stream:
            if not first and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter() - started
        return first, time.perf_counter() - started


def raw_seconds(endpoint: FakeOpenAI) -> tuple[float, float]:
    return asyncio.run(_raw_seconds(endpoint))


def _first_sse_chunk(client: httpx.Client, session_id: str, line: str) -> float:
    """Seconds from sending the turn to the first debtor chunk of POST .../turns/stream."""
    started = time.perf_counter()
    first = 0.0
    with client.stream("POST", f"/api/sessions/{session_id}/turns/stream", json={"text": line}) as response:
        response.raise_for_status()
        for row in response.iter_lines():
            if not first and row.startswith("data: ") and '"type": "chunk"' in row:
                first = time.perf_counter() - started
    if not first:
        raise RuntimeError("the streamed turn sent no chunk")
    return first


def _rest_samples(app: ServedApp, endpoint: FakeOpenAI) -> list[tuple[float, float]]:
    chosen = workload()
    pairs: list[tuple[float, float]] = []
    with httpx.Client(base_url=app.url, timeout=30, headers=app.trainees[0].headers) as client:
        body = {"persona_id": chosen.persona_id, "language": chosen.language}
        session_id = client.post("/api/sessions", json=body).raise_for_status().json()["session_id"]
        for line in chosen.agent_lines[:SAMPLES]:
            pairs.append((_first_sse_chunk(client, session_id, line), raw_seconds(endpoint)[0]))
    return pairs


def _texts(chat: list[dict[str, Any]], role: str) -> list[str]:
    found: list[str] = []
    for message in chat:
        if message.get("role") != role:
            continue
        content = message.get("content")
        parts = content if isinstance(content, list) else [content]
        found += [p.get("text", "") if isinstance(p, dict) else str(p or "") for p in parts]
    return found


def _first_debtor_update(job: Any, replies_before: int, started: float) -> float:
    """Seconds until an update of the /send job shows more debtor text than before the turn."""
    for update in job:
        chat = update[0] if isinstance(update, list | tuple) else update
        if len([t for t in _texts(chat, "assistant") if t]) > replies_before:
            return time.perf_counter() - started
    raise RuntimeError("the /send stream ended without a debtor reply")


def _gradio_samples(app: ServedApp, endpoint: FakeOpenAI) -> list[tuple[float, float]]:
    from gradio_client import Client

    chosen = workload()
    client = Client(f"{app.url}/", auth=(app.trainees[1].name, TRAINEE_PASSWORD), verbose=False)
    chat, *_ = client.predict(chosen.persona_id, chosen.language, "training", api_name="/start_call")
    replies = len(_texts(chat, "assistant"))
    pairs: list[tuple[float, float]] = []
    for line in chosen.agent_lines[:SAMPLES]:
        started = time.perf_counter()
        job = client.submit(line, chosen.language, api_name="/send")
        first = _first_debtor_update(job, replies, started)
        job.result()
        replies += 1
        pairs.append((first, raw_seconds(endpoint)[0]))
    client.close()
    return pairs


def _difference_figure(name: str, measure: Callable[[], list[tuple[float, float]]], note: str) -> Figure:
    try:
        pairs = measure()
    except Exception as exc:  # a benchmark reports, it never fails the run
        return not_measured(name, "ms", GOAL, f"{type(exc).__name__}: {exc}"[:160])
    app, raw = median([a for a, _ in pairs]) * 1000, median([r for _, r in pairs]) * 1000
    value = app - raw
    return Figure(name, value, "ms", GOAL, value <= 20.0, f"{note}: app {app:.1f} ms, raw openai {raw:.1f} ms")


def first_token_figures(app: ServedApp, endpoint: FakeOpenAI) -> list[Figure]:
    """REST and Gradio against the served app, on whatever latency `endpoint` has now."""
    raw_seconds(endpoint)  # warm the raw client's imports
    rest_note = f"median of {SAMPLES}, first SSE chunk of the streamed turn"
    rest = _difference_figure("REST first token - raw client", lambda: _rest_samples(app, endpoint), rest_note)
    gradio_note = f"median of {SAMPLES} gradio_client /send streams, first debtor text"
    gradio = _difference_figure("Gradio first token - raw client", lambda: _gradio_samples(app, endpoint), gradio_note)
    return [rest, gradio]


async def _builds(settings: Any, count: int) -> list[float]:
    """Seconds of each `build_chat_model` call inside one running loop, as LLMDebtor makes them."""
    from roleplay.llm.client import build_chat_model

    samples: list[float] = []
    for _ in range(count):
        started = time.perf_counter()
        build_chat_model(settings, "debtor", streaming=True)
        samples.append(time.perf_counter() - started)
    return samples


def chat_model_build_figure(endpoint: FakeOpenAI) -> Figure:
    """What the debtor spends before each reply getting its chat model (roleplay.llm.client): the
    first reply in an event loop builds it, the later ones reuse it."""
    name = "debtor chat model, per reply (reused)"
    try:
        from roleplay.settings import LLMSettings

        settings = LLMSettings.model_validate({"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": "sk-fake"})
        samples = asyncio.run(_builds(settings, 20))
    except Exception as exc:  # a benchmark reports, it never fails the run
        return not_measured(name, "ms", "", f"{type(exc).__name__}: {exc}"[:160])
    note = (
        f"build_chat_model inside one event loop: first build {samples[0] * 1000:.1f} ms, then the cached "
        "ChatOpenAI is returned; every caller (debtor, grader, simulate) runs inside the server's loop"
    )
    return Figure(name, median(samples[1:]) * 1000, "ms", "", None, note)
