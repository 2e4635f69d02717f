"""Running grading jobs at scale: bounded concurrency, a requests-per-minute token bucket, retries with
exponential backoff for transient failures, a progress bar (ETA, tokens, estimated cost) on stderr, and
a resume log (grades.jsonl in the run dir: one finished job per line, appended as it finishes).

A job whose grading fails as `needs_review` (an unusable reply) is finished: logged as failed, not
redone. Transient failures (GradingFailed "failed" = the endpoint failed, EndpointUnavailable,
timeouts) are retried with backoff; one that outlives its retries is left unfinished so that a re-run
with the same --out tries it again. Any other exception stops the run (what finished is kept).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from roleplay.domain import Grade
from roleplay.evals.cache import Deferred
from roleplay.evals.runner_jobs import GradeJob
from roleplay.evals.suite import Execution
from roleplay.protocols import EndpointUnavailable, Grader, GradingFailed

TRANSIENT: tuple[type[BaseException], ...] = (EndpointUnavailable, TimeoutError, ConnectionError)
GraderForRepeat = Callable[[int], Grader]
Sleep = Callable[[float], Awaitable[None]]


class LoggedGrade(BaseModel):
    """One line of grades.jsonl."""

    model_config = ConfigDict(extra="forbid")

    key: str
    fingerprint: str
    status: Literal["ok", "failed"]
    grade: Grade | None = None
    reason: str = ""


class GradeLog:
    """The resume file. Lines that do not parse (a run killed mid-write) are ignored."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, LoggedGrade] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                self._load(line)

    def _load(self, line: str) -> None:
        try:
            entry = LoggedGrade.model_validate_json(line)
        except ValidationError:
            return
        self.entries[entry.key] = entry

    def finished(self, job: GradeJob) -> bool:
        entry = self.entries.get(job.key)
        return entry is not None and entry.fingerprint == job.fingerprint

    def append(self, entry: LoggedGrade) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(entry.model_dump_json() + "\n")
        self.entries[entry.key] = entry

    def grades(self, jobs: Sequence[GradeJob]) -> dict[str, Grade]:
        """The successful grades of `jobs` (stale entries of changed transcripts excluded)."""
        found: dict[str, Grade] = {}
        for job in jobs:
            entry = self.entries.get(job.key)
            if entry and entry.fingerprint == job.fingerprint and entry.grade is not None:
                found[job.key] = entry.grade
        return found

    def failures(self, jobs: Sequence[GradeJob]) -> list[str]:
        return [
            f"{job.key}: {entry.reason}"
            for job in jobs
            if (entry := self.entries.get(job.key))
            and entry.status == "failed"
            and entry.fingerprint == job.fingerprint
        ]


@dataclass
class TokenBucket:
    """At most `per_minute` acquisitions per minute on average, bursts up to `capacity`."""

    per_minute: float
    capacity: float = 1.0
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep
    _tokens: float = field(init=False, default=0.0)
    _stamp: float | None = field(init=False, default=None)
    _lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    def _refill(self) -> None:
        now = self.clock()
        if self._stamp is None:
            self._tokens = self.capacity
        else:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.per_minute / 60.0)
        self._stamp = now

    async def acquire(self) -> None:
        async with self._lock:
            self._refill()
            while self._tokens < 1.0:
                await self.sleep((1.0 - self._tokens) * 60.0 / self.per_minute)
                self._refill()
            self._tokens -= 1.0


@dataclass
class Tally:
    """What the run has used so far (shown on the progress bar and in run.json)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None
    failed: int = 0
    unfinished: list[str] = field(default_factory=list)
    deferred: int = 0

    def add(self, grade: Grade) -> None:
        if grade.usage is None:
            return
        self.calls += grade.usage.calls
        self.prompt_tokens += grade.usage.prompt_tokens
        self.completion_tokens += grade.usage.completion_tokens
        cost = estimated_cost(grade)
        if cost is not None:
            self.cost = (self.cost or 0.0) + cost

    def postfix(self) -> dict[str, Any]:
        cost = "n/a" if self.cost is None else f"${self.cost:.4f}"
        return {"tokens": self.prompt_tokens + self.completion_tokens, "cost": cost}


def estimated_cost(grade: Grade) -> float | None:
    if grade.usage is None:
        return None
    try:
        from roleplay.pricing import estimate_cost
    except ImportError:  # the price table is optional; no estimate rather than a guess
        return None
    return estimate_cost(grade.usage)


@dataclass
class Executor:
    """Runs jobs with the limits of `options`; `progress=False` silences the bar (tests, --quiet)."""

    graders: GraderForRepeat
    log: GradeLog
    options: Execution
    progress: bool = True
    sleep: Sleep = asyncio.sleep
    tally: Tally = field(default_factory=Tally)

    async def run(self, jobs: Sequence[GradeJob]) -> Tally:
        todo = [job for job in jobs if not self.log.finished(job)]
        limiter = self._limiter()
        semaphore = asyncio.Semaphore(self.options.concurrency)
        with _progress_bar(len(jobs), len(jobs) - len(todo), self.progress) as bar:

            async def one(job: GradeJob) -> None:
                async with semaphore:
                    await self._grade_with_retries(job, limiter)
                bar.update(1)
                bar.set_postfix(self.tally.postfix(), refresh=False)

            await _all_or_first_error([one(job) for job in todo])
        return self.tally

    def _limiter(self) -> TokenBucket | None:
        rpm = self.options.requests_per_minute
        return None if rpm is None else TokenBucket(rpm, capacity=max(1.0, min(rpm / 60.0, 10.0)), sleep=self.sleep)

    async def _grade_with_retries(self, job: GradeJob, limiter: TokenBucket | None) -> None:
        for attempt in range(self.options.retries + 1):
            if limiter is not None:
                await limiter.acquire()
            try:
                grade = await self.graders(job.repeat).grade(job.transcript)
            except GradingFailed as exc:
                if exc.status == "failed" and attempt < self.options.retries:
                    await self.sleep(self.options.backoff_seconds * 2**attempt)
                    continue
                if exc.status == "failed":  # endpoint failure: a re-run tries again
                    self.tally.unfinished.append(f"{job.key}: {exc.reason}")
                else:
                    self._finish(job, None, exc.reason)
                return
            except Deferred:
                self.tally.deferred += 1
                return
            except TRANSIENT as exc:
                if attempt == self.options.retries:
                    self.tally.unfinished.append(f"{job.key}: {exc}")
                    return
                await self.sleep(self.options.backoff_seconds * 2**attempt)
                continue
            self._finish(job, grade, "")
            return

    def _finish(self, job: GradeJob, grade: Grade | None, reason: str) -> None:
        status: Literal["ok", "failed"] = "ok" if grade is not None else "failed"
        self.log.append(
            LoggedGrade(key=job.key, fingerprint=job.fingerprint, status=status, grade=grade, reason=reason)
        )
        if grade is None:
            self.tally.failed += 1
        else:
            self.tally.add(grade)


async def _all_or_first_error(coroutines: Sequence[Awaitable[None]]) -> None:
    """Run all; on the first unexpected exception cancel the rest and raise it."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    if not tasks:
        return
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error


class _QuietBar:
    def update(self, n: int) -> None: ...

    def set_postfix(self, values: dict[str, Any], refresh: bool = True) -> None: ...

    def __enter__(self) -> _QuietBar:
        return self

    def __exit__(self, *args: object) -> None: ...


def _progress_bar(total: int, initial: int, enabled: bool) -> Any:
    if not enabled:
        return _QuietBar()
    from tqdm import tqdm  # type: ignore[import-untyped]

    return tqdm(total=total, initial=initial, desc="grading", unit="call", file=sys.stderr, dynamic_ncols=True)


def dump_json(data: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
