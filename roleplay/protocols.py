"""The small seams between the services and the backends. UI, API, CLI and the evaluation runner
only see these; they never know which backend runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from roleplay.domain import Grade, Language, Persona, TokenUsage, Transcript, Turn

Mood = Literal["hostile", "guarded", "neutral", "open", "cooperative"]
EndReason = Literal["debtor_hung_up", "agreement", "agent_hung_up"]


class CallSetup(BaseModel):
    """Everything that fixes a call before it starts. Engines are stateless: the same setup and
    history always give the same state (and, offline, the same reply)."""

    model_config = ConfigDict(frozen=True)

    persona: Persona
    language: Language
    seed: int = 0


class CallState(BaseModel):
    """What the debtor side looks like after a history of turns (for the trust indicator and the
    end of the call)."""

    trust: float = Field(ge=0, le=1)
    mood: Mood
    stage: str
    disclosed: list[str] = Field(default_factory=list, description="ids of hidden facts disclosed")
    agreement: str | None = Field(default=None, description="what was agreed, in words, if anything")
    ended: bool = False
    end_reason: EndReason | None = None


class Retract(BaseModel):
    """Yielded by `DebtorEngine.stream_reply` between text chunks: discard what was streamed so far for
    this reply (e.g. a reply that broke character is being regenerated). Never stored or shown."""

    model_config = ConfigDict(frozen=True)

    reason: str = ""


class EndpointUnavailable(Exception):
    """A model endpoint failed after the SDK's retries; `str(exc)` is a clear one-line message."""


class DebtorEngine(Protocol):
    name: str
    model: str

    def opening_line(self, setup: CallSetup) -> str | None:
        """What the debtor says on picking up, or None if the agent speaks first."""
        ...

    def stream_reply(self, setup: CallSetup, history: Sequence[Turn]) -> AsyncIterator[str | Retract | TokenUsage]:
        """Stream the debtor's reply to `history` (which ends with the agent's turn) as text chunks.

        A `Retract` means "discard the chunks of this reply so far"; the reply is what follows it.
        A `TokenUsage` reports the tokens the reply used (stored per session, never shown as text)."""
        ...

    def call_state(self, setup: CallSetup, history: Sequence[Turn]) -> CallState:
        """The debtor's state after `history` (a pure function of setup and history)."""
        ...


class GradingFailed(Exception):
    """The grader could not produce a trustworthy grade; never replaced by a default score."""

    def __init__(self, reason: str, status: Literal["failed", "needs_review"] = "failed", raw: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.raw = raw


class Grader(Protocol):
    name: str
    version: str

    async def grade(self, transcript: Transcript) -> Grade:
        """Grade a transcript or raise GradingFailed."""
        ...
