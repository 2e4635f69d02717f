"""`roleplay eval run` with the openai grader on the fake endpoint: N gradings at latency L and
concurrency C against the ideal N·L/C, and an unchanged re-run (answered from the response cache)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.fake_endpoint import FakeOpenAI, grader_verdict, openai_env
from benchmarks.figures import Figure, not_measured
from benchmarks.served_app import roleplay_command
from benchmarks.workload import DEV_DATASET, REPO

LATENCY_SECONDS = 0.2
CONCURRENCY = 8
REPEATS = 3
RUN_TIMEOUT_SECONDS = 120


class AnswerTimes:
    """The fake's responder: answers with a valid verdict and notes when (arrival + L) it answered."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.times.append(time.perf_counter())
        return grader_verdict(request)


def _suite_file(workdir: Path) -> Path:
    suite = {
        "version": "bench-1",
        "name": "bench",
        "datasets": [str(DEV_DATASET)],
        "graders": [{"name": "fake", "backend": "openai", "model": "fake-model"}],
        "repeats": REPEATS,
        "checks": ["consistency", "validity"],
        "bootstrap": 0,
        "execution": {"concurrency": CONCURRENCY, "retries": 0, "cache": True},
    }
    path = workdir / "suite.yaml"
    path.write_text(yaml.safe_dump(suite), encoding="utf-8")
    return path


def _run_cli(endpoint: FakeOpenAI, workdir: Path, out: str) -> float:
    env = {**os.environ, **openai_env(endpoint), "XDG_CACHE_HOME": str(workdir / "cache")}
    command = [*roleplay_command(), "eval", "run", str(_suite_file(workdir)), "--out", str(workdir / out), "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS)
    if done.returncode not in (0, 1):  # 1: a threshold failed, which is no concern here
        raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
    return time.perf_counter() - started


def _ratio_figure(answers: AnswerTimes, calls: int, wall: float) -> Figure:
    ideal = calls * LATENCY_SECONDS / CONCURRENCY
    span = answers.times[-1] - answers.times[0] + LATENCY_SECONDS  # first arrival to last answer
    ratio = span / ideal
    note = (
        f"N={calls} gradings, L={LATENCY_SECONDS * 1000:.0f} ms, C={CONCURRENCY}: grading span {span:.2f} s vs "
        f"ideal {ideal:.2f} s; whole command {wall:.1f} s (start-up, statistics, report)"
    )
    return Figure("eval run / ideal N·L/C", ratio, "x", "<= 1.15x", ratio <= 1.15, note)


def eval_figures(endpoint: FakeOpenAI, workdir: Path) -> list[Figure]:
    endpoint.behaviour.first_byte_delay, endpoint.behaviour.chunk_delay = LATENCY_SECONDS, 0.0
    answers = AnswerTimes()
    endpoint.script.responder = answers
    try:
        before = endpoint.count()
        wall = _run_cli(endpoint, workdir, "first")
        calls = endpoint.count() - before
        _run_cli(endpoint, workdir, "again")
        again = endpoint.count() - before - calls
    except Exception as exc:  # a benchmark reports, it never fails the run
        why = f"{type(exc).__name__}: {exc}"[:160]
        return [not_measured("eval run / ideal N·L/C", "x", "<= 1.15x", why),
                not_measured("eval re-run, unchanged", "model calls", "0", why)]  # fmt: skip
    finally:
        endpoint.script.responder = None
    if calls == 0:
        return [not_measured("eval run / ideal N·L/C", "x", "<= 1.15x", "the run made no model call")]
    rerun = Figure("eval re-run, unchanged", again, "model calls", "0", again == 0, "same suite, new --out, same cache")
    return [_ratio_figure(answers, calls, wall), rerun]
