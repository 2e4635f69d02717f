"""Offline figures: the ScriptedDebtor's reply per turn and the RuleGrader on a 30-turn call."""

from __future__ import annotations

import asyncio
import time

from benchmarks.figures import Figure, median, percentile
from benchmarks.workload import long_transcript, workload
from roleplay.backends import build_debtor, build_grader
from roleplay.content import get_persona
from roleplay.domain import Turn
from roleplay.protocols import CallSetup, DebtorEngine, Grader

CALLS = 40
GRADINGS = 30


async def _reply(debtor: DebtorEngine, setup: CallSetup, history: list[Turn]) -> tuple[float, float, str]:
    """Seconds of stream_reply (to the end), seconds of the call_state after it, and the reply."""
    started = time.perf_counter()
    reply = "".join([chunk async for chunk in debtor.stream_reply(setup, history) if isinstance(chunk, str)])
    replied = time.perf_counter()
    debtor.call_state(setup, [*history, Turn(role="debtor", text=reply)])
    return replied - started, time.perf_counter() - replied, reply


async def _one_call(debtor: DebtorEngine, seed: int) -> list[tuple[float, float]]:
    chosen = workload()
    setup = CallSetup(persona=get_persona(chosen.persona_id), language=chosen.language, seed=seed)
    opening = debtor.opening_line(setup)
    history = [Turn(role="debtor", text=opening)] if opening else []
    seconds: list[tuple[float, float]] = []
    for line in chosen.agent_lines:
        history.append(Turn(role="agent", text=line))
        reply_seconds, state_seconds, reply = await _reply(debtor, setup, history)
        seconds.append((reply_seconds, state_seconds))
        history.append(Turn(role="debtor", text=reply))
    return seconds


async def _calls(debtor: DebtorEngine) -> list[tuple[float, float]]:
    await _one_call(debtor, seed=-1)  # warm the content caches
    return [pair for seed in range(CALLS) for pair in await _one_call(debtor, seed)]


def debtor_reply_figures() -> list[Figure]:
    """p50/p95 of one reply of a 10-turn call (streamed to the end), over many calls."""
    pairs = asyncio.run(_calls(build_debtor("offline")))
    replies = [reply for reply, _ in pairs]
    p50, p95 = percentile(replies, 0.5) * 1000, percentile(replies, 0.95) * 1000
    with_state = percentile([reply + state for reply, state in pairs], 0.5) * 1000
    note = f"{len(replies)} replies; with the call_state the service adds after each: p50 {with_state:.2f} ms"
    return [
        Figure("offline debtor reply p50", p50, "ms", "<= 2 ms", p50 <= 2.0, note),
        Figure("offline debtor reply p95", p95, "ms"),
    ]


async def _gradings(grader: Grader) -> list[float]:
    transcript = long_transcript(30)
    await grader.grade(transcript)  # warm
    samples: list[float] = []
    for _ in range(GRADINGS):
        started = time.perf_counter()
        await grader.grade(transcript)
        samples.append(time.perf_counter() - started)
    return samples


def offline_grade_figure() -> Figure:
    """Median time of RuleGrader.grade on a 30-turn transcript."""
    samples = asyncio.run(_gradings(build_grader("offline")))
    value = median(samples) * 1000
    note = f"median of {GRADINGS}; p95 {percentile(samples, 0.95) * 1000:.2f} ms"
    return Figure("offline grade, 30-turn call", value, "ms", "<= 10 ms", value <= 10.0, note)
