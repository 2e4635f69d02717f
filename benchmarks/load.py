"""50 concurrent trainees × 10 turns through the REST API of a served app, at endpoint latency L;
then the database is read to check every turn is stored exactly once."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass, field

import httpx

from benchmarks.fake_endpoint import FakeOpenAI
from benchmarks.figures import Figure, percentile
from benchmarks.served_app import ServedApp, Trainee
from benchmarks.workload import workload

TRAINEES = 50
LATENCY_SECONDS = 0.2
TURN_TIMEOUT_SECONDS = 60.0


@dataclass
class LoadTally:
    turn_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answered: dict[str, int] = field(default_factory=dict)


async def _trainee(client: httpx.AsyncClient, trainee: Trainee, tally: LoadTally) -> None:
    chosen = workload()
    try:
        body = {"persona_id": chosen.persona_id, "language": chosen.language}
        started = await client.post("/api/sessions", json=body, headers=trainee.headers)
        session_id = started.raise_for_status().json()["session_id"]
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        tally.errors.append(f"start: {type(exc).__name__}: {exc}"[:200])
        return
    tally.answered[session_id] = 0
    for line in chosen.agent_lines:
        began = time.perf_counter()
        try:
            answer = await client.post(
                f"/api/sessions/{session_id}/turns", json={"text": line}, headers=trainee.headers
            )
        except httpx.HTTPError as exc:
            tally.errors.append(f"{type(exc).__name__}: {exc}"[:160])
            continue
        if answer.status_code != 200:
            tally.errors.append(f"{answer.status_code}: {answer.text[:160]}")
            continue
        tally.answered[session_id] += 1
        tally.turn_seconds.append(time.perf_counter() - began)


async def _load(url: str, trainees: list[Trainee]) -> tuple[LoadTally, float]:
    tally = LoadTally()
    limits = httpx.Limits(max_connections=TRAINEES * 2, max_keepalive_connections=TRAINEES * 2)
    async with httpx.AsyncClient(base_url=url, timeout=TURN_TIMEOUT_SECONDS, limits=limits) as client:
        began = time.perf_counter()
        await asyncio.gather(*(_trainee(client, trainee, tally) for trainee in trainees))
    return tally, time.perf_counter() - began


def stored_problems(app: ServedApp, answered: dict[str, int]) -> tuple[int, list[str]]:
    """(turns stored, problems): every agent line stored exactly once, in order (a turn whose reply
    failed keeps its agent turn, by design), and as many debtor replies after them as turns answered."""
    lines = workload().agent_lines
    problems: list[str] = []
    stored = 0
    with sqlite3.connect(app.db_path) as db:
        for session_id, replies in answered.items():
            rows = db.execute(
                "SELECT role, text FROM turns WHERE session_id = ? ORDER BY seq", (session_id,)
            ).fetchall()
            stored += len(rows)
            agent = [text for role, text in rows if role == "agent"]
            debtor_after = sum(
                1 for i, (role, _) in enumerate(rows[:-1]) if role == "agent" and rows[i + 1][0] == "debtor"
            )
            if agent != lines or debtor_after != replies:
                problems.append(
                    f"{session_id}: {len(agent)} agent turns, {debtor_after} replies for {replies} answered"
                )
    return stored, problems


def load_figures(app: ServedApp, endpoint: FakeOpenAI) -> list[Figure]:
    endpoint.behaviour.first_byte_delay, endpoint.behaviour.chunk_delay = LATENCY_SECONDS, 0.0
    tally, wall = asyncio.run(_load(app.url, app.trainees[-TRAINEES:]))
    over = [(s - LATENCY_SECONDS) * 1000 for s in tally.turn_seconds] or [float("nan")]
    p50, p95 = percentile(over, 0.5), percentile(over, 0.95)
    stored, problems = stored_problems(app, tally.answered)
    expected = TRAINEES * len(workload().agent_lines)
    load = f"{TRAINEES} trainees × {len(workload().agent_lines)} turns, L={LATENCY_SECONDS * 1000:.0f} ms"
    error_note = "; ".join(sorted(set(tally.errors))[:2]).replace("\n", " ")
    return [
        Figure("load: turn latency - L, p50", p50, "ms", "", None, f"{load}; {wall:.1f} s in all"),
        Figure("load: turn latency - L, p95", p95, "ms", "<= 150 ms", p95 <= 150.0),
        Figure("load: errors", len(tally.errors), f"of {expected} turns", "0", not tally.errors, error_note),
        Figure("load: calls stored wrong (lost/duplicated turns)", len(problems), f"of {TRAINEES}", "0", not problems,
               f"{stored} turns stored (openings included); " + "; ".join(problems[:2])),
    ]  # fmt: skip
