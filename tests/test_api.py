"""The REST API over the practice service (fake debtor and grader), driven with TestClient."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from practice_fakes import HANG_UP_MARK, FakeDebtor, FakeGrader, grading_failed, library, make_persona

import roleplay.api
from roleplay.api import create_api
from roleplay.auth import LOCAL, Principal
from roleplay.auth.accounts import Accounts
from roleplay.services.practice import MAX_MESSAGE_CHARS, PracticeService
from roleplay.store import Store, open_store
from roleplay.store.accounts import AccountStore


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("sqlite://")
    yield opened
    opened.close()


@pytest.fixture
def debtor() -> FakeDebtor:
    return FakeDebtor(replies=["Sí, soy yo.", "Vale, hablemos."])


@pytest.fixture
def grader() -> FakeGrader:
    return FakeGrader()


@pytest.fixture
def service(store: Store, debtor: FakeDebtor, grader: FakeGrader) -> PracticeService:
    personas = library(make_persona(), make_persona("hard_case", difficulty=3))
    return PracticeService(store, debtor, grader, "fake", "fake-debtor-1", persona_library=lambda: personas)


ANA = Principal("ana", "trainee")


@pytest.fixture
def tokens(service: PracticeService) -> dict[str, str]:
    """Three trainees and their API tokens (so the API requires a token; passwords are not used here)."""
    accounts = Accounts.of(service.store)
    for name in ("ana", "luis", "nobody"):
        AccountStore.of(service.store).add_user(name, "trainee", password_hash="not used")
    return {name: accounts.issue_token(name) for name in ("ana", "luis", "nobody")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(service: PracticeService, tokens: dict[str, str]) -> Iterator[TestClient]:
    """Calls as trainee 'ana' unless a request sends another token."""
    api = create_api(service)
    with TestClient(api, headers=bearer(tokens["ana"]), raise_server_exceptions=False) as test_client:
        yield test_client


def start(client: TestClient, token: str | None = None) -> str:
    body = {"persona_id": "test_debtor", "language": "es", "mode": "training"}
    response = client.post("/api/sessions", json=body, headers=bearer(token) if token else None)
    assert response.status_code == 201, response.text
    return str(response.json()["session_id"])


def talk(client: TestClient, session_id: str, text: str = "Hola, soy Ana de Banco Sol.") -> dict[str, object]:
    response = client.post(f"/api/sessions/{session_id}/turns", json={"text": text})
    assert response.status_code == 200, response.text
    return dict(response.json())


# --------------------------------------------------------------------------- routes


@pytest.mark.parametrize(("language", "debt"), [("es", "1.240,50 € · Banco Sol"), ("en", "€1,240.50 · Banco Sol")])
def test_personas_in_the_language(client: TestClient, language: str, debt: str) -> None:
    response = client.get("/api/personas", params={"language": language})
    assert response.status_code == 200
    cards = response.json()
    assert [c["id"] for c in cards] == ["test_debtor", "hard_case"]
    assert cards[0]["debt"].startswith(debt)


def test_start_session_returns_the_opening(client: TestClient) -> None:
    response = client.post("/api/sessions", json={"persona_id": "test_debtor", "language": "en"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"session_id", "turns"}
    assert [(t["seq"], t["role"], t["text"]) for t in body["turns"]] == [(0, "debtor", "¿Diga?")]


def test_send_turn_returns_the_debtor_reply(client: TestClient, debtor: FakeDebtor) -> None:
    session_id = start(client)
    assert talk(client, session_id, " Hola\u200b ") == {
        "reply": {"role": "debtor", "text": "Sí, soy yo."},
        "ended": False,
    }
    assert debtor.histories[0][-1].text == "Hola"


def test_send_turn_reports_the_end_of_the_call(client: TestClient, debtor: FakeDebtor) -> None:
    debtor.replies.appendleft(f"Adiós. {HANG_UP_MARK}")
    session_id = start(client)
    assert talk(client, session_id)["ended"] is True
    assert client.get(f"/api/sessions/{session_id}").json()["status"] == "ended"


def test_get_session(client: TestClient) -> None:
    session_id = start(client)
    talk(client, session_id)
    body = client.get(f"/api/sessions/{session_id}").json()
    assert list(body) == ["id", "persona_id", "language", "mode", "status", "turns", "grade", "grade_status"]
    assert (body["id"], body["persona_id"], body["language"], body["mode"]) == (
        session_id,
        "test_debtor",
        "es",
        "training",
    )
    assert (body["status"], body["grade"], body["grade_status"]) == ("active", None, None)
    assert [t["role"] for t in body["turns"]] == ["debtor", "agent", "debtor"]


def test_grade_returns_the_grade_json_and_shows_on_the_session(client: TestClient) -> None:
    session_id = start(client)
    talk(client, session_id)
    response = client.post(f"/api/sessions/{session_id}/grade")
    assert response.status_code == 200
    grade = response.json()
    assert next(iter(grade)) == "id"
    assert (grade["id"], grade["overall"], grade["quadrant"]) == (session_id, 4.0, "target")
    assert set(grade["scores"]) == {"P1", "P2", "P3", "P4", "P5", "S1", "S2", "S3", "S4", "S5"}
    session = client.get(f"/api/sessions/{session_id}").json()
    assert (session["grade"], session["grade_status"]) == (grade, "done")


def test_list_sessions_is_per_caller(client: TestClient, tokens: dict[str, str]) -> None:
    mine = [start(client), start(client)]
    start(client, tokens["luis"])
    response = client.get("/api/sessions")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()] == mine[::-1]
    assert client.get("/api/sessions", headers=bearer(tokens["nobody"])).json() == []


def test_without_users_the_owner_is_local(service: PracticeService) -> None:
    with TestClient(create_api(service)) as default_client:
        session_id = start(default_client)
    assert service.get_session(LOCAL, session_id).owner == "local"


@pytest.mark.parametrize(("path", "status"), [("/api/docs", 200), ("/api/openapi.json", 200), ("/docs", 404)])
def test_docs_live_under_api(client: TestClient, path: str, status: int) -> None:
    assert client.get(path).status_code == status


# --------------------------------------------------------------------------- errors


def assert_error(response: object, status: int, detail: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert list(body) == ["detail"] and isinstance(body["detail"], str)
    assert detail in body["detail"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [({"language": "fr"}, "query.language: Input should be 'es' or 'en'"), ({}, "query.language: Field required")],
)
def test_personas_bad_language(client: TestClient, params: dict[str, str], detail: str) -> None:
    assert_error(client.get("/api/personas", params=params), 422, detail)


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"persona_id": "nobody", "language": "es"}, 404, "Unknown persona 'nobody'"),
        ({"persona_id": "test_debtor", "language": "fr"}, 422, "body.language: Input should be 'es' or 'en'"),
        ({"persona_id": "test_debtor", "language": "es", "mode": "exam"}, 422, "body.mode"),
        ({"language": "es"}, 422, "body.persona_id: Field required"),
        ([], 422, "body: Input should be a valid dictionary"),
    ],
)
def test_start_session_errors(client: TestClient, store: Store, body: object, status: int, detail: str) -> None:
    assert_error(client.post("/api/sessions", json=body), status, detail)
    assert store.list_sessions("ana") == []


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({"text": ""}, "The message is empty."),
        ({"text": "\u200b \n"}, "The message is empty."),
        ({"text": "x" * (MAX_MESSAGE_CHARS + 1)}, f"the limit is {MAX_MESSAGE_CHARS}"),
        ({}, "body.text: Field required"),
        ({"text": 5}, "body.text: Input should be a valid string"),
    ],
)
def test_rejected_message_stores_nothing(
    client: TestClient, debtor: FakeDebtor, payload: dict[str, object], detail: str
) -> None:
    session_id = start(client)
    assert_error(client.post(f"/api/sessions/{session_id}/turns", json=payload), 422, detail)
    assert len(client.get(f"/api/sessions/{session_id}").json()["turns"]) == 1
    assert debtor.histories == []


@pytest.mark.parametrize(
    ("content", "headers"),
    [("{not json", {"content-type": "application/json"}), ('{"text": "hola"', {"content-type": "application/json"})],
)
def test_malformed_json_body(client: TestClient, content: str, headers: dict[str, str]) -> None:
    session_id = start(client)
    response = client.post(f"/api/sessions/{session_id}/turns", content=content, headers=headers)
    assert_error(response, 422, "Malformed JSON body")
    assert len(client.get(f"/api/sessions/{session_id}").json()["turns"]) == 1


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("get", "/api/sessions/{id}", None),
        ("post", "/api/sessions/{id}/turns", {"text": "hola"}),
        ("post", "/api/sessions/{id}/grade", None),
    ],
)
@pytest.mark.parametrize("who", ["unknown", "foreign"])
def test_unknown_or_foreign_session_is_404(
    client: TestClient, tokens: dict[str, str], method: str, path: str, json: object, who: str
) -> None:
    session_id = start(client, tokens["luis"]) if who == "foreign" else "no-such-id"
    response = client.request(method.upper(), path.format(id=session_id), json=json)
    assert_error(response, 404, f"No session '{session_id}'.")


def test_ended_session_is_409_and_stores_nothing(client: TestClient, service: PracticeService) -> None:
    session_id = start(client)
    service.hang_up(ANA, session_id)
    assert_error(client.post(f"/api/sessions/{session_id}/turns", json={"text": "hola"}), 409, "has ended")
    assert len(client.get(f"/api/sessions/{session_id}").json()["turns"]) == 1


def test_broken_debtor_is_503_and_keeps_the_agent_turn(client: TestClient, debtor: FakeDebtor) -> None:
    session_id = start(client)
    debtor.fail_after_chunks = 1
    response = client.post(f"/api/sessions/{session_id}/turns", json={"text": "hola"})
    assert_error(response, 503, "endpoint down")
    turns = client.get(f"/api/sessions/{session_id}").json()["turns"]
    assert [(t["role"], t["status"]) for t in turns[1:]] == [("agent", "complete"), ("debtor", "incomplete")]


@pytest.mark.parametrize(
    ("outcome", "detail", "grade_status"),
    [
        (grading_failed("no JSON in the reply"), "Grading failed: no JSON in the reply.", "failed"),
        (
            grading_failed("evidence missing", status="needs_review"),
            "Grading needs review: evidence missing.",
            "needs_review",
        ),
        (TimeoutError("read timeout"), "grader is unavailable", "failed"),
    ],
)
def test_failed_grading_is_503_and_the_call_is_kept(
    store: Store, debtor: FakeDebtor, outcome: BaseException, detail: str, grade_status: str
) -> None:
    service = PracticeService(store, debtor, FakeGrader(outcome), "fake", "m", persona_library=library)
    with TestClient(create_api(service)) as client:
        session_id = start(client)
        talk(client, session_id)
        assert_error(client.post(f"/api/sessions/{session_id}/grade"), 503, detail)
        session = client.get(f"/api/sessions/{session_id}").json()
    assert (session["grade"], session["grade_status"], len(session["turns"])) == (None, grade_status, 3)


def test_grading_an_empty_call_is_409(client: TestClient) -> None:
    assert_error(client.post(f"/api/sessions/{start(client)}/grade"), 409, "no agent turns")


def test_unknown_route_is_json_404(client: TestClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "Not Found")


def test_unexpected_failure_is_json_500(
    client: TestClient, debtor: FakeDebtor, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = start(client)
    monkeypatch.setattr(FakeDebtor, "call_state", lambda *args: 1 / 0)
    assert_error(client.get(f"/api/sessions/{session_id}"), 500, "Internal server error.")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


@pytest.mark.parametrize("path", sorted((Path(roleplay.api.__file__).parent).glob("*.py")), ids=lambda p: p.name)
def test_the_api_reaches_storage_only_through_the_service(path: Path) -> None:
    forbidden = ("roleplay.store", "sqlalchemy", "alembic", "gradio", "roleplay.ui", "roleplay.cli")
    assert [m for m in imported_modules(path) if m.startswith(forbidden)] == []


# --------------------------------------------------------------------------- streaming turns (SSE)


def _events(text: str) -> list[dict[str, object]]:
    import json

    return [json.loads(line[len("data: ") :]) for line in text.splitlines() if line.startswith("data: ")]


def test_streamed_turn_sends_chunks_then_done_and_stores_once(client: TestClient, debtor: FakeDebtor) -> None:
    session_id = start(client)
    with client.stream("POST", f"/api/sessions/{session_id}/turns/stream", json={"text": "Hola"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response.read().decode())
    chunks = [e["text"] for e in events if e["type"] == "chunk"]
    assert chunks == ["Sí, ", "soy ", "yo."]
    assert events[-1] == {"type": "done", "reply": {"role": "debtor", "text": "Sí, soy yo."}, "ended": False}
    turns = client.get(f"/api/sessions/{session_id}").json()["turns"]
    assert [(t["role"], t["text"]) for t in turns] == [
        ("debtor", "¿Diga?"),
        ("agent", "Hola"),
        ("debtor", "Sí, soy yo."),
    ]


def test_streamed_turn_rejects_bad_input_before_streaming(client: TestClient, debtor: FakeDebtor) -> None:
    session_id = start(client)
    response = client.post(f"/api/sessions/{session_id}/turns/stream", json={"text": " \u200b "})
    assert response.status_code == 422
    assert response.json() == {"detail": "The message is empty."}
    assert client.post("/api/sessions/nope/turns/stream", json={"text": "Hola"}).status_code == 404
    assert debtor.histories == []  # no model call


def test_streamed_turn_reports_a_broken_stream_as_an_error_event(client: TestClient, debtor: FakeDebtor) -> None:
    session_id = start(client)
    debtor.fail_after_chunks = 1
    with client.stream("POST", f"/api/sessions/{session_id}/turns/stream", json={"text": "Hola"}) as response:
        events = _events(response.read().decode())
    assert events[0] == {"type": "chunk", "text": "Sí, ", "reset": False}
    assert events[-1]["type"] == "error"
    turns = client.get(f"/api/sessions/{session_id}").json()["turns"]
    assert [(t["role"], t["status"]) for t in turns][1:] == [("agent", "complete"), ("debtor", "incomplete")]
