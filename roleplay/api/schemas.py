"""Request and response bodies of the REST API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from roleplay.domain import Language
from roleplay.services.practice import GradeStatus, Mode, SessionStatus, TurnView


class NewSessionRequest(BaseModel):
    persona_id: str = Field(min_length=1)
    language: Language
    mode: Mode = "training"


class NewSessionResponse(BaseModel):
    session_id: str
    turns: list[TurnView]


class AgentTurnRequest(BaseModel):
    text: str


class DebtorReply(BaseModel):
    role: Literal["debtor"] = "debtor"
    text: str


class AgentTurnResponse(BaseModel):
    reply: DebtorReply
    ended: bool


class SessionResponse(BaseModel):
    id: str
    persona_id: str
    language: Language
    mode: Mode
    status: SessionStatus
    turns: list[TurnView]
    grade: dict[str, Any] | None = Field(description="the latest grade JSON, when grading succeeded")
    grade_status: GradeStatus | None = Field(description="status of the latest grade record, if any")


class ErrorResponse(BaseModel):
    detail: str
