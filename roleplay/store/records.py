"""Pydantic views of stored rows. The store returns these, never ORM objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

StoredRole = Literal["agent", "debtor"]
StoredSessionStatus = Literal["active", "ended"]
StoredTurnStatus = Literal["complete", "incomplete"]
StoredGradeStatus = Literal["pending", "done", "failed", "needs_review"]
UsagePurpose = Literal["debtor", "grader"]
SessionSource = Literal["practice", "imported"]


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; every stored time is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)


class NewSession(BaseModel):
    """What a new session is created with."""

    model_config = ConfigDict(frozen=True)

    owner: str
    persona_id: str
    language: str
    mode: str
    backend: str
    model: str
    rubric_version: str
    prompt_version: str
    seed: int = 0
    source: SessionSource = "practice"
    external_id: str | None = None


class StoredSession(_Record):
    id: str
    owner: str
    persona_id: str
    language: str
    mode: str
    backend: str
    model: str
    rubric_version: str
    prompt_version: str
    seed: int
    status: StoredSessionStatus
    end_reason: str | None
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    source: SessionSource = "practice"
    external_id: str | None = None

    _utc = field_validator("created_at", "updated_at", "ended_at")(as_utc)


class StoredTurn(_Record):
    id: str
    session_id: str
    seq: int
    role: StoredRole
    text: str
    status: StoredTurnStatus
    created_at: datetime
    completed_at: datetime | None

    _utc = field_validator("created_at", "completed_at")(as_utc)


class StoredGrade(_Record):
    id: str
    session_id: str
    grader: str
    grader_version: str
    status: StoredGradeStatus
    grade_json: str | None
    raw_reply: str
    error: str | None
    created_at: datetime
    updated_at: datetime

    _utc = field_validator("created_at", "updated_at")(as_utc)


class StoredUsage(BaseModel):
    """Tokens a session used for one purpose and model, summed over its calls."""

    model_config = ConfigDict(frozen=True)

    purpose: UsagePurpose
    model: str
    prompt_tokens: int
    completion_tokens: int
    calls: int


class GradeOutcome(BaseModel):
    """How a pending grade finished."""

    model_config = ConfigDict(frozen=True)

    status: Literal["done", "failed", "needs_review"]
    grade_json: str | None = None
    raw_reply: str = ""
    error: str | None = None


class NewLabel(BaseModel):
    """A trainer's human scores of one session."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    reviewer: str
    scores: dict[str, int]
    flags: list[str] = []
    comment: str = ""


class StoredLabel(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    session_id: str
    reviewer: str
    scores: dict[str, int]
    flags: list[str]
    comment: str
    created_at: datetime

    _utc = field_validator("created_at")(as_utc)
