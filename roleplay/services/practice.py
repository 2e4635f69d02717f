"""The practice service: start a call, send agent turns, stream the debtor's reply, hang up, grade.

Contract shared by the Gradio UI, the REST API and the CLI. Every turn is written to the store the
moment it exists: the agent's turn is committed before the debtor is asked to reply; the debtor's
turn is committed when complete (or stored as `incomplete` if the stream breaks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from roleplay.domain import Grade, Language, Role
from roleplay.protocols import CallState

Mode = Literal["training", "assessment"]
SessionStatus = Literal["active", "ended"]
TurnStatus = Literal["complete", "incomplete"]
GradeStatus = Literal["pending", "done", "failed", "needs_review"]
MAX_MESSAGE_CHARS = 2000


class PracticeError(Exception):
    """Base of the user-facing errors; `str(exc)` is a clear one-line message."""

    http_status = 400


class InvalidMessage(PracticeError):
    http_status = 422


class UnknownPersona(PracticeError):
    http_status = 404


class SessionNotFound(PracticeError):
    """Also raised when the session exists but belongs to someone else (no leak of existence)."""

    http_status = 404


class SessionEnded(PracticeError):
    http_status = 409


class BackendUnavailable(PracticeError):
    """The configured model endpoint failed (after the SDK's retries); the agent turn is kept."""

    http_status = 503


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


class ReplyChunk(BaseModel):
    """A piece of the debtor's reply while it streams."""

    kind: Literal["chunk"] = "chunk"
    text: str


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


def clean_message(text: str) -> str:
    """Strip control and zero-width characters and surrounding space; reject empty or over-long text.

    Raises InvalidMessage with a one-line reason. Nothing is stored and no model is called for a
    rejected message.
    """
    raise NotImplementedError


class PracticeService:
    """Constructed with a store, a debtor engine and a grader (see roleplay.protocols).

    Signature (implemented in the store/API work):
        PracticeService(store, debtor: DebtorEngine, grader: Grader, backend: str, model: str)

        personas(language) -> list[PersonaCard]
        start_session(owner, persona_id, language, mode) -> SessionView       # stores the opening
        async send(owner, session_id, text) -> AsyncIterator[ReplyChunk | ReplyDone]
        hang_up(owner, session_id) -> SessionView
        async grade(owner, session_id) -> GradeView                           # grade is its own record
        get_session(owner, session_id) -> SessionView
        list_sessions(owner) -> list[SessionSummary]
        active_session(owner) -> SessionView | None                           # restore after reload
        transcript(owner, session_id) -> Transcript                           # interchange format
    """

    async def send(self, owner: str, session_id: str, text: str) -> AsyncIterator[ReplyChunk | ReplyDone]:
        raise NotImplementedError
        yield  # pragma: no cover
