"""The access-control matrix: for the service, every REST route, every UI handler called directly and
every Gradio endpoint called through gradio_client, a trainee cannot read or change another trainee's
session, a trainer reads all, unauthenticated calls are refused when users exist, a foreign session
answers exactly like a missing one (and the refusal is logged the same way), and local mode refuses a
non-loopback host."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import roleplay.auth.secrets_hashing as secrets_hashing
from roleplay.api import create_api
from roleplay.auth import LOCAL, Principal
from roleplay.auth.accounts import Accounts
from roleplay.cli.app import app as cli_app
from roleplay.services.factory import build_practice_service
from roleplay.services.practice import NotAllowed, PracticeService, SessionNotFound
from roleplay.settings import ServeSettings
from roleplay.ui.login import login_check
from roleplay.ui.page import PAGE_CSS_PATH, PracticePage, build_practice_page

pytestmark = pytest.mark.timeout(180)
PASSWORD = "a long enough password"
ANA, BEA, TERE = Principal("ana", "trainee"), Principal("bea", "trainee"), Principal("tere", "trainer")
FIRST_LINE = "Hello, this is Ana from the collections team, am I speaking with the account holder?"
MISSING = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets_hashing, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def service(tmp_path: Path) -> PracticeService:
    return build_practice_service(f"sqlite:///{tmp_path / 'access.db'}", "offline")


@pytest.fixture
def accounts(service: PracticeService) -> Accounts:
    made = Accounts.of(service.store)
    for who in (ANA, BEA, TERE):
        made.add_user(who.name, who.role, PASSWORD)
    return made


async def say(service: PracticeService, viewer: Principal, session_id: str, text: str = FIRST_LINE) -> None:
    [event async for event in service.send(viewer, session_id, text)]


@pytest.fixture
def anas_call(service: PracticeService, accounts: Accounts) -> str:
    """Ana's active call with one exchange."""
    persona = service.personas("en")[0].id
    session_id = service.start_session(ANA, persona, "en", "training").id
    asyncio.run(say(service, ANA, session_id))
    return session_id


def snapshot(service: PracticeService, session_id: str) -> tuple[str, int, int]:
    """What a refused call must leave untouched: status, turns, grade records."""
    session = service.get_session(TERE, session_id)
    return session.status, len(session.turns), len(service.store.grades(session_id))


# --------------------------------------------------------------------------- the service


SERVICE_CALLS = {
    "get_session": lambda s, v, i: s.get_session(v, i),
    "transcript": lambda s, v, i: s.transcript(v, i),
    "hang_up": lambda s, v, i: s.hang_up(v, i),
    "send": lambda s, v, i: asyncio.run(say(s, v, i)),
    "retry_reply": lambda s, v, i: asyncio.run(_drain(s.retry_reply(v, i))),
    "grade": lambda s, v, i: asyncio.run(s.grade(v, i)),
}


async def _drain(events: Any) -> None:
    [event async for event in events]


@pytest.mark.parametrize("call", sorted(SERVICE_CALLS))
def test_service_a_trainee_cannot_touch_another_trainees_session(
    service: PracticeService, anas_call: str, call: str
) -> None:
    before = snapshot(service, anas_call)
    with pytest.raises(SessionNotFound, match=f"^No session '{anas_call}'.$"):
        SERVICE_CALLS[call](service, BEA, anas_call)
    assert snapshot(service, anas_call) == before
    assert service.list_sessions(BEA) == [] and service.active_session(BEA) is None


@pytest.mark.parametrize(
    ("call", "outcome"),
    [
        ("get_session", None),
        ("transcript", None),
        ("grade", None),
        ("hang_up", NotAllowed),
        ("send", NotAllowed),
        ("retry_reply", NotAllowed),
    ],
)
def test_service_a_trainer_reads_and_grades_all_but_does_not_talk_for_a_trainee(
    service: PracticeService, anas_call: str, call: str, outcome: type[Exception] | None
) -> None:
    if outcome is None:
        SERVICE_CALLS[call](service, TERE, anas_call)
        return
    before = snapshot(service, anas_call)
    with pytest.raises(outcome):
        SERVICE_CALLS[call](service, TERE, anas_call)
    assert snapshot(service, anas_call) == before


def test_service_foreign_and_missing_are_refused_and_logged_alike(
    service: PracticeService, anas_call: str, caplog: pytest.LogCaptureFixture
) -> None:
    answers, logged = [], []
    for session_id in (anas_call, MISSING):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="roleplay.access"), pytest.raises(SessionNotFound) as caught:
            service.get_session(BEA, session_id)
        answers.append(str(caught.value).replace(session_id, "<id>"))
        logged.append([(r.name, r.levelname, r.getMessage().replace(session_id, "<id>")) for r in caplog.records])
    assert answers[0] == answers[1] == "No session '<id>'."
    assert logged[0] == logged[1] == [("roleplay.access", "WARNING", "refused read of session '<id>' to bea (trainee)")]


# --------------------------------------------------------------------------- the REST API


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(service: PracticeService, accounts: Accounts) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    headers = {who.name: bearer(accounts.issue_token(who.name)) for who in (ANA, BEA, TERE)}
    with TestClient(create_api(service, accounts), raise_server_exceptions=False) as client:
        yield client, headers


SESSION_ROUTES = [
    ("GET", "/api/sessions/{id}", None),
    ("POST", "/api/sessions/{id}/turns", {"text": "Hello?"}),
    ("POST", "/api/sessions/{id}/retry", None),
    ("POST", "/api/sessions/{id}/grade", None),
]
ALL_ROUTES = [
    *SESSION_ROUTES,
    ("GET", "/api/sessions", None),
    ("POST", "/api/sessions", {"persona_id": "x", "language": "en"}),
    ("GET", "/api/personas?language=en", None),
]


@pytest.mark.parametrize(("method", "path", "body"), SESSION_ROUTES)
def test_api_foreign_session_answers_exactly_like_a_missing_one(
    api: tuple[TestClient, dict[str, dict[str, str]]],
    service: PracticeService,
    anas_call: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    client, headers = api
    before = snapshot(service, anas_call)
    foreign = client.request(method, path.format(id=anas_call), json=body, headers=headers["bea"])
    missing = client.request(method, path.format(id=MISSING), json=body, headers=headers["bea"])
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"].replace(anas_call, "<id>") == missing.json()["detail"].replace(MISSING, "<id>")
    assert snapshot(service, anas_call) == before


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/sessions/{id}", None, 200),
        ("POST", "/api/sessions/{id}/grade", None, 200),
        ("POST", "/api/sessions/{id}/turns", {"text": "Hello?"}, 403),
        ("POST", "/api/sessions/{id}/retry", None, 403),
    ],
)
def test_api_a_trainer_reads_and_regrades_but_does_not_talk(
    api: tuple[TestClient, dict[str, dict[str, str]]], anas_call: str, method: str, path: str, body: Any, status: int
) -> None:
    client, headers = api
    response = client.request(method, path.format(id=anas_call), json=body, headers=headers["tere"])
    assert response.status_code == status, response.text


def test_api_lists_only_the_callers_sessions(api: tuple[TestClient, dict[str, dict[str, str]]], anas_call: str) -> None:
    client, headers = api
    assert [s["id"] for s in client.get("/api/sessions", headers=headers["ana"]).json()] == [anas_call]
    assert client.get("/api/sessions", headers=headers["bea"]).json() == []


@pytest.mark.parametrize(
    "authorization", [None, "Bearer rp_not-a-real-token", "Basic YW5hOnB3", "Bearer", "bearer  "], ids=str
)
@pytest.mark.parametrize(("method", "path", "body"), ALL_ROUTES)
def test_api_without_a_valid_token_is_401_when_users_exist(
    api: tuple[TestClient, dict[str, dict[str, str]]],
    anas_call: str,
    authorization: str | None,
    method: str,
    path: str,
    body: Any,
) -> None:
    client, _ = api
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.request(method, path.format(id=anas_call), json=body, headers=headers)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"} and "\n" not in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_api_a_removed_users_token_stops_working(
    api: tuple[TestClient, dict[str, dict[str, str]]], accounts: Accounts
) -> None:
    client, headers = api
    assert client.get("/api/sessions", headers=headers["bea"]).status_code == 200
    accounts.remove_user("bea")
    assert client.get("/api/sessions", headers=headers["bea"]).status_code == 401


# --------------------------------------------------------------------------- UI handlers, called directly


def as_user(name: str | None) -> gr.Request:
    return gr.Request(username=name)


@pytest.fixture
def page(service: PracticeService, accounts: Accounts) -> PracticePage:
    return PracticePage(service, viewer_of=accounts.principal_for_name)


async def run_handler(page: PracticePage, name: str, session_id: str, request: gr.Request) -> list[Any]:
    if name == "send":
        return [update async for update in page.on_send(session_id, "Hello?", "en", request)]
    if name == "scorecard":
        return await page.on_scorecard(session_id, "en", request)
    return {"hang_up": page.on_hang_up}[name](session_id, "en", request)  # type: ignore[no-any-return]


@pytest.mark.parametrize("handler", ["send", "hang_up", "scorecard"])
async def test_ui_handlers_refuse_another_trainees_session(
    page: PracticePage, service: PracticeService, anas_call: str, handler: str
) -> None:
    before = snapshot(service, anas_call)
    updates = await run_handler(page, handler, anas_call, as_user("bea"))
    assert snapshot(service, anas_call) == before
    assert FIRST_LINE not in repr(updates)
    assert "No session" in repr(updates)


async def test_ui_load_and_my_sessions_show_only_the_viewers_own(page: PracticePage, anas_call: str) -> None:
    for updates in (page.on_load("en", as_user("bea")), [page.on_sessions("en", as_user("bea"))]):
        assert anas_call not in repr(updates) and FIRST_LINE not in repr(updates)
    assert FIRST_LINE in repr(page.on_load("en", as_user("ana")))


UI_EVENTS = {
    "start_call": lambda p, r: p.on_start("x", "en", "training", r),
    "send": lambda p, r: asyncio.run(_drain(p.on_send("id", "Hello?", "en", r))),
    "hang_up": lambda p, r: p.on_hang_up("id", "en", r),
    "scorecard": lambda p, r: asyncio.run(p.on_scorecard("id", "en", r)),
    "change_language": lambda p, r: p.on_language("en", None, r),
    "select_persona": lambda p, r: p.on_persona("en", None, r),
    "my_sessions": lambda p, r: p.on_sessions("en", r),
    "restore": lambda p, r: p.on_load("en", r),
}


@pytest.mark.parametrize("event", sorted(UI_EVENTS))
@pytest.mark.parametrize("name", [None, "ghost"])
def test_ui_handlers_refuse_an_unknown_or_missing_login(page: PracticePage, event: str, name: str | None) -> None:
    with pytest.raises(gr.Error, match=r"[Ss]ign in"):
        UI_EVENTS[event](page, as_user(name))


def test_ui_handlers_without_users_act_as_local(service: PracticeService) -> None:
    page = PracticePage(service, viewer_of=Accounts.of(service.store).principal_for_name)
    assert page.viewer(as_user(None)) == LOCAL


# --------------------------------------------------------------------------- Gradio endpoints via gradio_client


@pytest.fixture
def served(service: PracticeService, accounts: Accounts) -> Iterator[str]:
    from served_app import free_port

    demo = build_practice_page(service, ServeSettings(queue_concurrency=4), viewer_of=accounts.principal_for_name)
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                ssr_mode=False, css_paths=PAGE_CSS_PATH, auth=login_check(accounts))  # fmt: skip
    try:
        yield demo.local_url
    finally:
        demo.close()


def signed_in(url: str, name: str) -> Any:
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORD), verbose=False)


SESSION_ENDPOINTS = ["/send", "/hang_up", "/scorecard", "/scorecard_after_hang_up", "/grade_again"]
ENDPOINT_ARGS: dict[str, tuple[Any, ...]] = {
    "/send": ("Hello?", "en"),
    "/hang_up": ("en",),
    "/scorecard": ("en",),
    "/scorecard_after_hang_up": ("en",),
    "/grade_again": ("en",),
    "/my_sessions": ("en",),
    "/restore": ("en",),
}


def test_gradio_a_trainee_cannot_reach_another_trainees_call_even_with_her_session_hash(
    served: str, service: PracticeService
) -> None:
    ana = signed_in(served, "ana")
    persona = service.personas("en")[0].id
    ana.predict(persona, "en", "training", api_name="/start_call")
    ana.predict(FIRST_LINE, "en", api_name="/send")
    [anas_call] = [s.id for s in service.list_sessions(ANA)]
    before = snapshot(service, anas_call)
    bea = signed_in(served, "bea")
    bea.session_hash = ana.session_hash  # bea replays ana's browser session: the state holds ana's call
    for endpoint in [*SESSION_ENDPOINTS, "/my_sessions", "/restore"]:
        try:
            result = bea.predict(*ENDPOINT_ARGS[endpoint], api_name=endpoint)
        except Exception as refused:  # an error is a refusal too; it must not leak either
            result = refused
        assert FIRST_LINE not in repr(result), endpoint
        assert snapshot(service, anas_call) == before, endpoint
    assert service.list_sessions(BEA) == []


def test_gradio_a_trainer_reads_but_cannot_talk_in_a_trainees_call(served: str, service: PracticeService) -> None:
    ana = signed_in(served, "ana")
    ana.predict(service.personas("en")[0].id, "en", "training", api_name="/start_call")
    ana.predict(FIRST_LINE, "en", api_name="/send")
    [anas_call] = [s.id for s in service.list_sessions(ANA)]
    tere = signed_in(served, "tere")
    tere.session_hash = ana.session_hash
    _chat, _message, _indicator, notice = tere.predict("I am the trainer", "en", api_name="/send")
    assert "Only the trainee" in repr(notice)
    assert "I am the trainer" not in [t.text for t in service.get_session(TERE, anas_call).turns]


def test_gradio_every_endpoint_refuses_an_unauthenticated_call(served: str) -> None:
    names = signed_in(served, "ana").view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert {"/start_call", "/send", "/hang_up", "/scorecard", "/restore", "/my_sessions"} <= set(names)
    with httpx.Client(base_url=served, timeout=10) as raw:
        for name in names:
            response = raw.post(f"gradio_api/call{name}", json={"data": []})
            assert response.status_code == 401, name
        assert raw.post("gradio_api/queue/join", json={"data": [], "fn_index": 0}).status_code == 401
        assert raw.get("config").status_code == 401


def test_gradio_a_wrong_password_does_not_sign_in(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as raw:
        assert raw.post("login", data={"username": "ana", "password": "wrong password"}).status_code == 400
        assert raw.post("login", data={"username": "ghost", "password": PASSWORD}).status_code == 400
        assert raw.post("login", data={"username": "ana", "password": PASSWORD}).status_code == 200


# --------------------------------------------------------------------------- local mode


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_local_mode_refuses_a_non_loopback_host(tmp_path: Path, host: str) -> None:
    from roleplay.cli.app import _register

    _register()
    db = f"sqlite:///{tmp_path / 'local.db'}"
    result = CliRunner().invoke(cli_app, ["serve", "--host", host, "--db", db, "--backend", "offline"])
    assert result.exit_code == 2
    assert "local single-user mode" in result.stderr and "roleplay users add" in result.stderr
    assert result.stderr.count("\n") == 1


def test_with_users_a_non_loopback_host_is_allowed(service: PracticeService, accounts: Accounts) -> None:
    from roleplay.auth.local_mode import refuse_exposed_local_mode

    refuse_exposed_local_mode(accounts, "0.0.0.0")  # no exception: sign-in is required
