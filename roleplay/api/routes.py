"""The REST routes of the practice service, under /api. The viewer (a roleplay.auth.Principal) comes
from a dependency: the bearer token, or LOCAL in local single-user mode (roleplay.api.auth)."""
# No `from __future__ import annotations` here: FastAPI must see the closure-local `Viewer` type.

import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.responses import StreamingResponse

from roleplay.api.auth import bearer_viewer
from roleplay.api.errors import GradingNotDone, install_error_handlers
from roleplay.api.schemas import (
    AgentTurnRequest,
    AgentTurnResponse,
    DebtorReply,
    ErrorResponse,
    NewSessionRequest,
    NewSessionResponse,
    SessionResponse,
)
from roleplay.auth import Principal
from roleplay.auth.accounts import Accounts
from roleplay.domain import Language
from roleplay.services.practice import (
    GradeView,
    PersonaCard,
    PracticeError,
    PracticeService,
    ReplyChunk,
    ReplyDone,
    SessionSummary,
    SessionView,
)

ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 422, 503)}


def _session_response(view: SessionView) -> SessionResponse:
    grade = view.grade.grade if view.grade else None
    return SessionResponse(
        id=view.id,
        persona_id=view.persona_id,
        language=view.language,
        mode=view.mode,
        status=view.status,
        turns=view.turns,
        grade=grade.model_dump(mode="json") if grade else None,
        grade_status=view.grade.status if view.grade else None,
    )


def _grade_json(view: GradeView) -> dict[str, Any]:
    if view.grade is None or view.status != "done":
        raise GradingNotDone(f"Grading {view.status.replace('_', ' ')}: {view.error}. The call is kept; try again.")
    return view.grade.model_dump(mode="json")


def _sse_event(event: ReplyChunk | ReplyDone) -> str:
    if isinstance(event, ReplyDone):
        data: dict[str, Any] = {
            "type": "done",
            "reply": {"role": "debtor", "text": event.turn.text},
            "ended": event.ended,
        }
    else:
        data = {"type": "chunk", "text": event.text, "reset": event.reset}
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _sse(first: ReplyChunk | ReplyDone, rest: AsyncIterator[ReplyChunk | ReplyDone]) -> AsyncIterator[str]:
    yield _sse_event(first)
    try:
        async for event in rest:
            yield _sse_event(event)
    except PracticeError as exc:  # e.g. the model endpoint failed mid-reply: the agent turn is kept
        yield f"data: {json.dumps({'type': 'error', 'detail': str(exc)}, ensure_ascii=False)}\n\n"


def practice_router(service: PracticeService, current_viewer: Callable[..., Principal]) -> APIRouter:
    """Every route needs a viewer (the dependency answers 401 when users exist and none is given)."""
    router = APIRouter(prefix="/api", responses=ERRORS, dependencies=[Depends(current_viewer)])
    Viewer = Annotated[Principal, Depends(current_viewer)]

    @router.get("/personas", response_model=list[PersonaCard])
    def list_personas(language: Annotated[Language, Query()]) -> list[PersonaCard]:
        return service.personas(language)

    @router.post("/sessions", response_model=NewSessionResponse, status_code=201)
    def start_session(body: NewSessionRequest, viewer: Viewer) -> NewSessionResponse:
        view = service.start_session(viewer, body.persona_id, body.language, body.mode)
        return NewSessionResponse(session_id=view.id, turns=view.turns)

    @router.post("/sessions/{session_id}/turns", response_model=AgentTurnResponse)
    async def send_turn(session_id: str, body: AgentTurnRequest, viewer: Viewer) -> AgentTurnResponse:
        done = [event async for event in service.send(viewer, session_id, body.text) if isinstance(event, ReplyDone)]
        return AgentTurnResponse(reply=DebtorReply(text=done[-1].turn.text), ended=done[-1].ended)

    @router.post(
        "/sessions/{session_id}/turns/stream",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}, "description": "server-sent events"}},
    )
    async def send_turn_streaming(session_id: str, body: AgentTurnRequest, viewer: Viewer) -> StreamingResponse:
        """The same turn as POST .../turns, with the debtor's reply streamed as server-sent events:
        `{"type": "chunk", "text"}` (with `"reset": true` when the reply so far is withdrawn), then
        `{"type": "done", "reply": {"role": "debtor", "text"}, "ended"}` or `{"type": "error", "detail"}`."""
        events = service.send(viewer, session_id, body.text)
        first = await anext(events)  # bad input, unknown or ended session: a plain 4xx before any stream
        return StreamingResponse(_sse(first, events), media_type="text/event-stream")

    @router.post("/sessions/{session_id}/retry", response_model=AgentTurnResponse)
    async def retry_reply(session_id: str, viewer: Viewer) -> AgentTurnResponse:
        """Ask the debtor again to answer the last agent turn (after a 503); no new agent turn."""
        events = service.retry_reply(viewer, session_id)
        done = [event async for event in events if isinstance(event, ReplyDone)]
        return AgentTurnResponse(reply=DebtorReply(text=done[-1].turn.text), ended=done[-1].ended)

    @router.post("/sessions/{session_id}/grade", response_model=None)
    async def grade_session(session_id: str, viewer: Viewer) -> dict[str, Any]:
        return _grade_json(await service.grade(viewer, session_id))

    @router.get("/sessions/{session_id}", response_model=SessionResponse)
    def get_session(session_id: str, viewer: Viewer) -> SessionResponse:
        return _session_response(service.get_session(viewer, session_id))

    @router.get("/sessions", response_model=list[SessionSummary])
    def list_sessions(viewer: Viewer) -> list[SessionSummary]:
        return service.list_sessions(viewer)

    return router


def create_api(service: PracticeService, accounts: Accounts | None = None) -> FastAPI:
    """The REST API under /api (docs at /api/docs); the Gradio UI may be mounted on it at "/".

    `accounts` defaults to the accounts in the service's own database.
    """
    app = FastAPI(title="Roleplay coach API", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    app.include_router(practice_router(service, bearer_viewer(accounts or Accounts.of(service.store))))
    install_error_handlers(app)
    return app
