"""The practice service: start a call, send agent turns, stream the debtor's reply, hang up, grade.

Contract shared by the Gradio UI, the REST API and the CLI. Every turn is written to the store the
moment it exists: the agent's turn is committed before the debtor is asked to reply; the debtor's
turn is committed when complete (or stored as `incomplete` if the stream breaks).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from contextlib import aclosing
from typing import Literal

from roleplay import content
from roleplay.auth import Principal
from roleplay.domain import Persona, TokenUsage, Transcript, Turn
from roleplay.protocols import CallSetup, CallState, DebtorEngine, EndpointUnavailable, Grader, GradingFailed, Retract
from roleplay.services.limits import MessageRateLimiter, budget_left
from roleplay.services.practice_errors import (
    BackendUnavailable as BackendUnavailable,
)
from roleplay.services.practice_errors import (
    InvalidChoice as InvalidChoice,
)
from roleplay.services.practice_errors import (
    InvalidMessage as InvalidMessage,
)
from roleplay.services.practice_errors import (
    NotAllowed as NotAllowed,
)
from roleplay.services.practice_errors import (
    NothingToGrade as NothingToGrade,
)
from roleplay.services.practice_errors import (
    NothingToRetry as NothingToRetry,
)
from roleplay.services.practice_errors import (
    PracticeError as PracticeError,
)
from roleplay.services.practice_errors import (
    SessionEnded as SessionEnded,
)
from roleplay.services.practice_errors import (
    SessionNotFound as SessionNotFound,
)
from roleplay.services.practice_errors import (
    TokenBudgetSpent as TokenBudgetSpent,
)
from roleplay.services.practice_errors import (
    TooManyMessages as TooManyMessages,
)
from roleplay.services.practice_errors import (
    UnknownPersona as UnknownPersona,
)
from roleplay.services.practice_views import (
    MODES as MODES,
)
from roleplay.services.practice_views import (
    GradeStatus as GradeStatus,
)
from roleplay.services.practice_views import (
    GradeView as GradeView,
)
from roleplay.services.practice_views import (
    Mode as Mode,
)
from roleplay.services.practice_views import (
    PersonaCard as PersonaCard,
)
from roleplay.services.practice_views import (
    ReplyChunk as ReplyChunk,
)
from roleplay.services.practice_views import (
    ReplyDone as ReplyDone,
)
from roleplay.services.practice_views import (
    SessionStatus as SessionStatus,
)
from roleplay.services.practice_views import (
    SessionSummary as SessionSummary,
)
from roleplay.services.practice_views import (
    SessionView as SessionView,
)
from roleplay.services.practice_views import (
    TurnStatus as TurnStatus,
)
from roleplay.services.practice_views import (
    TurnView as TurnView,
)
from roleplay.services.practice_views import (
    UsageView as UsageView,
)
from roleplay.services.practice_views import (
    grade_view,
    parse_language,
    parse_mode,
    summary_line,
    turn_view,
    usage_view,
)
from roleplay.settings import LimitSettings
from roleplay.store import GradeOutcome, NewSession, Store, StoredSession, StoredTurn

MAX_MESSAGE_CHARS = 2000
access_log = logging.getLogger("roleplay.access")


_INVISIBLE = frozenset(
    chr(code) for code in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065), 0xFEFF)
)


def _kept(char: str) -> bool:
    if char in _INVISIBLE:
        return False
    return char in "\n\t" or unicodedata.category(char) != "Cc"


def clean_message(text: str) -> str:
    """Strip control and zero-width characters and surrounding space; reject empty or over-long text.

    Raises InvalidMessage with a one-line reason. Nothing is stored and no model is called for a
    rejected message.
    """
    cleaned = "".join(char for char in text if _kept(char)).strip()
    if not cleaned:
        raise InvalidMessage("The message is empty.")
    if len(cleaned) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(f"The message is too long: {len(cleaned)} characters (the limit is {MAX_MESSAGE_CHARS}).")
    return cleaned


def _history(turns: Sequence[StoredTurn]) -> list[Turn]:
    """What the engines and the grader see: complete turns only."""
    return [Turn(role=t.role, text=t.text) for t in turns if t.status == "complete"]


Action = Literal["read", "change", "grade"]


def _allowed(viewer: Principal, owner: str, action: Action) -> bool:
    """read: roleplay.auth.Principal.can_read; change: can_change; grade: the owner or a reviewer."""
    if action == "read":
        return viewer.can_read(owner)
    if action == "grade":
        return viewer.can_change(owner) or viewer.can_review(owner)
    return viewer.can_change(owner)


class PracticeService:
    """Start a call, send agent turns, stream the debtor's reply, hang up, grade.

    `persona_library` defaults to the persona files under prompts/personas/.
    """

    def __init__(
        self,
        store: Store,
        debtor: DebtorEngine,
        grader: Grader,
        backend: str,
        model: str,
        *,
        persona_library: Callable[[], Mapping[str, Persona]] = content.personas,
        limits: LimitSettings | None = None,
    ) -> None:
        self._store = store
        self._debtor = debtor
        self._grader = grader
        self.backend = backend
        self.model = model
        self._persona_library = persona_library
        self._limits = limits or LimitSettings(rate_limit_per_minute=0, session_token_budget=0)
        self._rate = MessageRateLimiter(self._limits.rate_limit_per_minute)

    @property
    def store(self) -> Store:
        """The store the sessions live in (the accounts live in the same database)."""
        return self._store

    # ------------------------------------------------------------------ personas

    def personas(self, language: str) -> list[PersonaCard]:
        """Cards of every persona in `language`, easiest first."""
        from roleplay.services.personas import persona_card  # that module imports PersonaCard from here

        chosen = parse_language(language)
        cards = [persona_card(p, chosen) for p in self._persona_library().values()]
        return sorted(cards, key=lambda card: (card.difficulty, card.id))

    def _persona(self, persona_id: str) -> Persona:
        library = self._persona_library()
        if persona_id not in library:
            raise UnknownPersona(f"Unknown persona '{persona_id}'; known: {', '.join(library)}.")
        return library[persona_id]

    # ------------------------------------------------------------------ the call

    def start_session(self, viewer: Principal, persona_id: str, language: str, mode: str, seed: int = 0) -> SessionView:
        """Store a new session of `viewer`'s and the debtor's opening line (if the debtor speaks first)."""
        persona = self._persona(persona_id)
        setup = CallSetup(persona=persona, language=parse_language(language), seed=seed)
        opening = self._debtor.opening_line(setup)
        new = NewSession(
            owner=viewer.name,
            persona_id=persona.id,
            language=setup.language,
            mode=parse_mode(mode),
            backend=self.backend,
            model=self.model,
            rubric_version=content.load_rubric().version,
            prompt_version=persona.version,
            seed=seed,
        )
        session = self._store.create_session(new)
        turns = [self._store.add_turn(session.id, "debtor", opening)] if opening else []
        return self._view(session, turns, fresh=True)

    async def send(self, viewer: Principal, session_id: str, text: str) -> AsyncIterator[ReplyChunk | ReplyDone]:
        """Commit the agent's turn, stream the debtor's reply, then commit it (see module docs)."""
        message = clean_message(text)
        session = self._active_session(viewer, session_id)
        self._admit(viewer, session.id)
        setup = self._setup(session)
        self._store.add_turn(session.id, "agent", message)
        async with aclosing(self._reply(session.id, setup)) as events:  # closing us closes the reply
            async for event in events:
                yield event

    async def retry_reply(self, viewer: Principal, session_id: str) -> AsyncIterator[ReplyChunk | ReplyDone]:
        """Ask the debtor again to answer the last stored agent turn (after BackendUnavailable).

        No agent turn is added; a partial reply stored `incomplete` stays as it is.
        """
        session = self._active_session(viewer, session_id)
        self._admit(viewer, session.id)
        history = _history(self._store.turns(session.id))
        if not history or history[-1].role != "agent":
            raise NothingToRetry("The last message already has its reply; there is nothing to retry.")
        async with aclosing(self._reply(session.id, self._setup(session))) as events:
            async for event in events:
                yield event

    async def _reply(self, session_id: str, setup: CallSetup) -> AsyncGenerator[ReplyChunk | ReplyDone, None]:
        history = _history(self._store.turns(session_id))
        parts: list[str] = []
        try:
            async for chunk in self._debtor.stream_reply(setup, history):
                if isinstance(chunk, Retract):
                    parts.clear()
                    yield ReplyChunk(text="", reset=True)
                elif isinstance(chunk, TokenUsage):
                    self._record_usage(session_id, "debtor", chunk)
                else:
                    parts.append(chunk)
                    yield ReplyChunk(text=chunk)
        except EndpointUnavailable as exc:
            self._keep_partial(session_id, parts)
            raise BackendUnavailable(f"{exc} Your message was kept; try again.") from exc
        except Exception as exc:
            self._keep_partial(session_id, parts)
            raise BackendUnavailable(f"The debtor model failed mid-reply ({exc}); your message was kept.") from exc
        except BaseException:  # the caller went away (closed stream, cancelled task): keep what was said
            self._keep_partial(session_id, parts)
            raise
        yield self._finish_reply(session_id, setup, history, "".join(parts))

    def _admit(self, viewer: Principal, session_id: str) -> None:
        """Refuse before any model call: the call's token budget, then the viewer's message rate."""
        spent = sum(u.prompt_tokens + u.completion_tokens for u in self._store.usage(session_id))
        if budget_left(spent, self._limits.session_token_budget) == 0:
            raise TokenBudgetSpent(
                f"This call has used its budget of {self._limits.session_token_budget} tokens; "
                "hang up and start a new call."
            )
        wait = self._rate.wait_seconds(viewer.name)
        if wait:
            raise TooManyMessages(wait)

    def _record_usage(self, session_id: str, purpose: Literal["debtor", "grader"], usage: TokenUsage) -> None:
        self._store.add_usage(session_id, purpose, usage)

    def _keep_partial(self, session_id: str, parts: list[str]) -> None:
        if "".join(parts).strip():
            self._store.add_turn(session_id, "debtor", "".join(parts), status="incomplete")

    def _finish_reply(self, session_id: str, setup: CallSetup, history: list[Turn], reply: str) -> ReplyDone:
        turn = self._store.add_turn(session_id, "debtor", reply)
        state = self._debtor.call_state(setup, [*history, Turn(role="debtor", text=reply)])
        if state.ended:
            self._store.end_session(session_id, state.end_reason)
        return ReplyDone(turn=turn_view(turn), state=state, ended=state.ended)

    def hang_up(self, viewer: Principal, session_id: str) -> SessionView:
        """End the call from the agent's side (a no-op on an ended call)."""
        session = self._session(viewer, session_id, "change")
        return self._view(self._store.end_session(session.id, "agent_hung_up"))

    # ------------------------------------------------------------------ grading

    async def grade(self, viewer: Principal, session_id: str) -> GradeView:
        """Grade the call into a new grade record; the conversation itself is never touched.

        The owner grades their call; a trainer may (re-)grade anyone's.
        """
        session = self._session(viewer, session_id, "grade")
        transcript = self._transcript(session)
        if not transcript.agent_turn_indices():
            raise NothingToGrade("The call has no agent turns to grade yet.")
        record = self._store.start_grade(session.id, self._grader.name, self._grader.version)
        try:
            grade = await self._grader.grade(transcript)
        except GradingFailed as exc:
            outcome = GradeOutcome(status=exc.status, error=exc.reason, raw_reply=exc.raw)
        except BaseException as exc:
            self._store.finish_grade(record.id, GradeOutcome(status="failed", error=f"grader error: {exc!r}"))
            if not isinstance(exc, Exception):
                raise
            raise BackendUnavailable(f"The grader is unavailable ({exc}); the call was kept, try again.") from exc
        else:
            outcome = GradeOutcome(status="done", grade_json=grade.model_dump_json())
            if grade.usage is not None:
                self._record_usage(session.id, "grader", grade.usage)
        return grade_view(self._store.finish_grade(record.id, outcome))

    # ------------------------------------------------------------------ reading

    def get_session(self, viewer: Principal, session_id: str) -> SessionView:
        """A session the viewer may read (their own; any, for a trainer)."""
        return self._view(self._session(viewer, session_id, "read"))

    def list_sessions(self, viewer: Principal) -> list[SessionSummary]:
        """The viewer's own sessions, newest first, with the latest grade's scores."""
        sessions = self._store.list_sessions(viewer.name)
        ids = [s.id for s in sessions]
        counts, grades = self._store.turn_counts(ids), self._store.latest_grades(ids)
        return [summary_line(s, counts[s.id], grade_view(grades[s.id]) if s.id in grades else None) for s in sessions]

    def active_session(self, viewer: Principal) -> SessionView | None:
        """The viewer's own newest active session (to restore a call after a page reload)."""
        session = self._store.latest_active_session(viewer.name)
        return None if session is None else self._view(session)

    def transcript(self, viewer: Principal, session_id: str) -> Transcript:
        """The call in the interchange format (id = session id; complete turns only)."""
        return self._transcript(self._session(viewer, session_id, "read"))

    # ------------------------------------------------------------------ internals

    def _session(self, viewer: Principal, session_id: str, action: Action) -> StoredSession:
        """The session if `viewer` may do `action` to it. A session they may not read answers exactly
        like a missing one (SessionNotFound); the refusal is logged the same way for both."""
        session = self._store.get_session(session_id)
        if session is None or not viewer.can_read(session.owner):
            access_log.warning("refused %s of session %r to %s (%s)", action, session_id, viewer.name, viewer.role)
            raise SessionNotFound(f"No session '{session_id}'.")
        if not _allowed(viewer, session.owner, action):
            access_log.warning("refused %s of session %r to %s (%s)", action, session_id, viewer.name, viewer.role)
            raise NotAllowed(f"Only the trainee who owns session '{session_id}' can change it.")
        return session

    def _active_session(self, viewer: Principal, session_id: str) -> StoredSession:
        session = self._session(viewer, session_id, "change")
        if session.status == "ended":
            raise SessionEnded(f"The call {session_id} has ended; start a new one.")
        return session

    def _setup(self, session: StoredSession) -> CallSetup:
        persona = self._persona(session.persona_id)
        return CallSetup(persona=persona, language=parse_language(session.language), seed=session.seed)

    def _state(self, session: StoredSession, turns: Sequence[StoredTurn]) -> CallState | None:
        """The debtor's state, or None when the persona has since left the library."""
        if session.persona_id not in self._persona_library():
            return None
        return self._debtor.call_state(self._setup(session), _history(turns))

    def _transcript(self, session: StoredSession) -> Transcript:
        turns = _history(self._store.turns(session.id))
        return Transcript(
            id=session.id, language=parse_language(session.language), persona_id=session.persona_id, turns=turns
        )

    def _view(
        self, session: StoredSession, turns: Sequence[StoredTurn] | None = None, *, fresh: bool = False
    ) -> SessionView:
        """The session as shown; `fresh` (just created, `turns` given): no grade or usage to read yet."""
        turns = self._store.turns(session.id) if turns is None else turns
        grade = None if fresh else self._store.latest_grade(session.id)
        usage = [] if fresh else self._store.usage(session.id)
        return SessionView(
            id=session.id,
            owner=session.owner,
            persona_id=session.persona_id,
            language=parse_language(session.language),
            mode=parse_mode(session.mode),
            status=session.status,
            backend=session.backend,
            model=session.model,
            turns=[turn_view(t) for t in turns],
            state=self._state(session, turns),
            grade=grade_view(grade) if grade else None,
            created_at=session.created_at,
            ended_at=session.ended_at,
            usage=[usage_view(u) for u in usage],
        )
