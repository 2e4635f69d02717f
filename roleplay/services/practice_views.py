"""What the practice service returns: plain pydantic views of sessions, turns, grades and usage."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from roleplay.domain import LANGUAGES, Grade, Language, Role, TokenUsage
from roleplay.pricing import estimate_cost
from roleplay.protocols import CallState
from roleplay.services.practice_errors import InvalidChoice
from roleplay.store import StoredGrade, StoredSession, StoredTurn, StoredUsage

Mode = Literal["training", "assessment"]
SessionStatus = Literal["active", "ended"]
TurnStatus = Literal["complete", "incomplete"]
GradeStatus = Literal["pending", "done", "failed", "needs_review"]
MODES: tuple[Mode, ...] = ("training", "assessment")


class TurnView(BaseModel):
    seq: int
    role: Role
    text: str
    status: TurnStatus = "complete"
    created_at: datetime | None = None


class GradeView(BaseModel):
    status: GradeStatus
    grade: Grade | None = None
    error: str | None = None
    grader: str
    grader_version: str


class UsageView(BaseModel):
    """Tokens the session used for one purpose and model, with the estimated cost (for trainers)."""

    purpose: Literal["debtor", "grader"]
    model: str
    prompt_tokens: int
    completion_tokens: int
    calls: int
    cost_usd: float | None = Field(default=None, description="None when the model has no price")


class SessionView(BaseModel):
    id: str
    owner: str
    persona_id: str
    language: Language
    mode: Mode
    status: SessionStatus
    backend: str
    model: str
    turns: list[TurnView] = Field(default_factory=list)
    state: CallState | None = Field(default=None, description="debtor state (shown in training mode)")
    grade: GradeView | None = None
    created_at: datetime | None = None
    ended_at: datetime | None = None
    usage: list[UsageView] = Field(default_factory=list, description="tokens per purpose and model")


class ReplyChunk(BaseModel):
    """A piece of the debtor's reply while it streams. `reset=True` (with empty text): discard the
    reply shown so far, it is being replaced (e.g. it broke character and is regenerated)."""

    kind: Literal["chunk"] = "chunk"
    text: str
    reset: bool = False


class ReplyDone(BaseModel):
    """The end of a reply: the stored debtor turn and the call's state after it."""

    kind: Literal["done"] = "done"
    turn: TurnView
    state: CallState
    ended: bool


class PersonaCard(BaseModel):
    """What the persona picker shows, in the chosen language."""

    id: str
    name: str
    archetype: str
    difficulty: int
    vulnerable: bool
    summary: str
    debt: str = Field(description="one line: amount with currency, creditor, product, days overdue")


class SessionSummary(BaseModel):
    """A line of "my sessions"."""

    id: str
    persona_id: str
    language: Language
    mode: Mode
    status: SessionStatus
    turns: int
    overall: float | None = None
    hard: float | None = None
    soft: float | None = None
    quadrant: str | None = None
    grade_status: GradeStatus | None = None
    created_at: datetime | None = None


def turn_view(turn: StoredTurn) -> TurnView:
    return TurnView(seq=turn.seq, role=turn.role, text=turn.text, status=turn.status, created_at=turn.created_at)


def grade_view(record: StoredGrade) -> GradeView:
    grade = Grade.model_validate_json(record.grade_json) if record.grade_json else None
    return GradeView(
        status=record.status,
        grade=grade,
        error=record.error,
        grader=record.grader,
        grader_version=record.grader_version,
    )


def usage_view(stored: StoredUsage) -> UsageView:
    usage = TokenUsage(
        model=stored.model,
        prompt_tokens=stored.prompt_tokens,
        completion_tokens=stored.completion_tokens,
        calls=stored.calls,
    )
    return UsageView(**stored.model_dump(), cost_usd=estimate_cost(usage))


def summary_line(session: StoredSession, turns: int, grade: GradeView | None) -> SessionSummary:
    scored = grade.grade if grade else None
    return SessionSummary(
        id=session.id,
        persona_id=session.persona_id,
        language=parse_language(session.language),
        mode=parse_mode(session.mode),
        status=session.status,
        turns=turns,
        overall=scored.overall if scored else None,
        hard=scored.hard if scored else None,
        soft=scored.soft if scored else None,
        quadrant=scored.quadrant if scored else None,
        grade_status=grade.status if grade else None,
        created_at=session.created_at,
    )


def parse_language(value: str) -> Language:
    for language in LANGUAGES:
        if value == language:
            return language
    raise InvalidChoice(f"Unknown language '{value}'; use one of: {', '.join(LANGUAGES)}.")


def parse_mode(value: str) -> Mode:
    for mode in MODES:
        if value == mode:
            return mode
    raise InvalidChoice(f"Unknown mode '{value}'; use one of: {', '.join(MODES)}.")
