"""Test doubles for the practice service: a persona, a scripted fake DebtorEngine and a fake Grader
that record what they were given (in the spirit of simonw/llm's MockModel)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import AsyncIterator, Sequence
from typing import Any

from roleplay.domain import CRITERION_IDS, CriterionScore, Feedback, Grade, Persona, Transcript, Turn
from roleplay.protocols import CallSetup, CallState, GradingFailed
from roleplay.scoring import summarise

HANG_UP_MARK = "[cuelga]"


def make_persona(persona_id: str = "test_debtor", difficulty: int = 1, amount: float = 1240.5) -> Persona:
    text = {"es": "texto", "en": "text"}
    return Persona.model_validate(
        {
            "version": "persona-test-1",
            "id": persona_id,
            "name": "Rosa Test",
            "archetype": "cooperative",
            "difficulty": difficulty,
            "summary": {"es": "Una deudora de prueba.", "en": "A test debtor."},
            "debt": {
                "creditor": "Banco Sol",
                "product": {"es": "tarjeta de crédito", "en": "credit card"},
                "amount": amount,
                "currency": "EUR",
                "days_overdue": 75,
            },
            "cause": text,
            "capacity": {"monthly": 100, "lump_sum": 50, "next_income": text},
            "temperament": text,
            "initial_trust": 0.3,
            "hangup_patience": 2,
            "hidden_facts": [{"id": "job_loss", "text": text, "earned_by": ["empathy"], "min_trust": 0.4}],
            "closed_by": ["threat"],
            "accepts": [{"kind": "instalments", "description": text}],
            "opening": {"es": "¿Diga?", "en": "Hello?"},
        }
    )


def library(*personas: Persona) -> dict[str, Persona]:
    chosen = personas or (make_persona(),)
    return {p.id: p for p in chosen}


class FakeDebtor:
    """Replies from a queue, chunked word by word; `fail_after_chunks` breaks the stream."""

    name = "fake"
    model = "fake-debtor-1"

    def __init__(self, replies: Sequence[str] = (), opening: str | None = "¿Diga?") -> None:
        self.replies = deque(replies)
        self.opening = opening
        self.fail_after_chunks: int | None = None
        self.histories: list[list[Turn]] = []

    def opening_line(self, setup: CallSetup) -> str | None:
        return self.opening

    async def stream_reply(self, setup: CallSetup, history: Sequence[Turn]) -> AsyncIterator[str]:
        self.histories.append(list(history))
        reply = self.replies.popleft() if self.replies else "Vale."
        for index, chunk in enumerate(re.findall(r"\S+\s*", reply)):
            if self.fail_after_chunks is not None and index >= self.fail_after_chunks:
                raise ConnectionError("endpoint down")
            yield chunk

    def call_state(self, setup: CallSetup, history: Sequence[Turn]) -> CallState:
        agent_turns = sum(1 for t in history if t.role == "agent")
        hung_up = any(t.role == "debtor" and HANG_UP_MARK in t.text for t in history)
        return CallState(
            trust=min(1.0, 0.1 * agent_turns),
            mood="neutral",
            stage="talking",
            ended=hung_up,
            end_reason="debtor_hung_up" if hung_up else None,
        )


def make_grade(transcript_id: str, score: int = 4) -> Grade:
    scores = dict.fromkeys(CRITERION_IDS, score)
    summary = summarise(scores)
    return Grade(
        id=transcript_id,
        scores=scores,
        **summary.model_dump(),
        criteria=[CriterionScore(id=c, score=score, rationale="ok") for c in CRITERION_IDS],
        feedback=Feedback(),
        language="es",
        grader="fake-grader",
        grader_version="1",
        rubric_version="rubric-1.0",
    )


class FakeGrader:
    """Each call takes the next outcome: an int score (a Grade is made) or an exception to raise."""

    name = "fake-grader"
    version = "1"

    def __init__(self, *outcomes: int | BaseException) -> None:
        self.outcomes: deque[int | BaseException] = deque(outcomes)
        self.transcripts: list[Transcript] = []

    async def grade(self, transcript: Transcript) -> Grade:
        self.transcripts.append(transcript)
        outcome = self.outcomes.popleft() if self.outcomes else 4
        if isinstance(outcome, BaseException):
            raise outcome
        return make_grade(transcript.id, outcome)


def grading_failed(reason: str, status: Any = "failed", raw: str = "") -> GradingFailed:
    return GradingFailed(reason, status=status, raw=raw)
