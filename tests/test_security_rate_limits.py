"""Item 14: a per-user message rate limit and a per-call token budget, checked before any model call.

A flooding trainee gets "You are sending messages too fast; wait N s" (API: 429 + Retry-After; page:
the notice, the typed text kept); nothing is stored and the debtor is not asked; others are unaffected.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence

import pytest
from fastapi.testclient import TestClient
from practice_fakes import FakeDebtor, FakeGrader, library, make_persona

from roleplay.api import create_api
from roleplay.auth import Principal
from roleplay.auth.accounts import Accounts
from roleplay.domain import TokenUsage, Turn
from roleplay.protocols import CallSetup
from roleplay.services.factory import build_practice_service
from roleplay.services.limits import MessageRateLimiter, budget_left
from roleplay.services.practice import PracticeService, TokenBudgetSpent, TooManyMessages
from roleplay.settings import LimitSettings
from roleplay.store import Store, open_store
from roleplay.store.accounts import AccountStore
from roleplay.ui.handlers import CallHandlers

pytestmark = pytest.mark.timeout(60)
ANA, LUIS = Principal("ana", "trainee"), Principal("luis", "trainee")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("per_minute", "sends_at", "waits"),
    [
        (2, [0, 1, 2], [0, 0, 58]),  # wait until the first one is 60 s old
        (2, [0, 30, 59.5, 60.5], [0, 0, 1, 0]),  # the first message leaves the window at 60 s
        (1, [0, 10, 59, 60], [0, 50, 1, 0]),
        (0, [0, 0, 0, 0], [0, 0, 0, 0]),  # 0: no limit
    ],
)
def test_sliding_window(per_minute: int, sends_at: list[float], waits: list[int]) -> None:
    clock = Clock()
    limiter = MessageRateLimiter(per_minute, clock=clock)
    got = []
    for at in sends_at:
        clock.now = 1000.0 + at
        got.append(limiter.wait_seconds("ana"))
    assert got == waits


def test_each_user_has_their_own_window() -> None:
    limiter = MessageRateLimiter(1, clock=Clock())
    assert [limiter.wait_seconds(u) for u in ("ana", "ana", "luis")] == [0, 60, 0]


@pytest.mark.parametrize(("spent", "budget", "left"), [(0, 0, None), (10**9, 0, None), (90, 100, 10), (120, 100, 0)])
def test_budget_left(spent: int, budget: int, left: int | None) -> None:
    assert budget_left(spent, budget) == left


class CountingDebtor(FakeDebtor):
    """A FakeDebtor that reports `tokens_per_reply` tokens of usage after each reply."""

    def __init__(self, tokens_per_reply: int = 0) -> None:
        super().__init__()
        self.tokens_per_reply = tokens_per_reply

    async def stream_reply(self, setup: CallSetup, history: Sequence[Turn]) -> AsyncIterator[str]:  # type: ignore[override]
        async for chunk in super().stream_reply(setup, history):
            yield chunk
        if self.tokens_per_reply:
            yield TokenUsage(model=self.model, prompt_tokens=self.tokens_per_reply, completion_tokens=0)  # type: ignore[misc]


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("sqlite://")
    yield opened
    opened.close()


def limited(store: Store, debtor: FakeDebtor, per_minute: int = 3, budget: int = 0) -> PracticeService:
    personas = library(make_persona())
    limits = LimitSettings(rate_limit_per_minute=per_minute, session_token_budget=budget)
    return PracticeService(store, debtor, FakeGrader(), "fake", "m", persona_library=lambda: personas, limits=limits)


async def send(service: PracticeService, viewer: Principal, session_id: str, text: str = "Hola") -> None:
    async for _event in service.send(viewer, session_id, text):
        pass


async def test_a_flooding_user_is_throttled_before_any_model_call_and_others_are_not(store: Store) -> None:
    debtor = CountingDebtor()
    service = limited(store, debtor, per_minute=3)
    ana = service.start_session(ANA, "test_debtor", "es", "training").id
    luis = service.start_session(LUIS, "test_debtor", "es", "training").id
    for _ in range(3):
        await send(service, ANA, ana)
    with pytest.raises(TooManyMessages, match=r"^You are sending messages too fast; wait \d+ s\.$") as refused:
        await send(service, ANA, ana, "one too many")
    assert 1 <= refused.value.retry_after <= 60 and refused.value.http_status == 429
    assert len(debtor.histories) == 3  # the debtor was not asked
    assert "one too many" not in [t.text for t in service.get_session(ANA, ana).turns]
    for _ in range(3):
        await send(service, LUIS, luis)  # luis is unaffected
    assert len(service.get_session(LUIS, luis).turns) == 1 + 2 * 3


async def test_a_call_past_its_token_budget_is_refused_before_the_model(store: Store) -> None:
    debtor = CountingDebtor(tokens_per_reply=400)
    service = limited(store, debtor, per_minute=0, budget=1000)
    session = service.start_session(ANA, "test_debtor", "es", "training").id
    for _ in range(3):  # 0, 400, 800 tokens spent before each: all allowed
        await send(service, ANA, session)
    with pytest.raises(TokenBudgetSpent, match="budget of 1000 tokens; hang up and start a new call"):
        await send(service, ANA, session)
    with pytest.raises(TokenBudgetSpent):
        async for _event in service.retry_reply(ANA, session):
            pass
    assert len(debtor.histories) == 3
    other = service.start_session(ANA, "test_debtor", "es", "training").id
    await send(service, ANA, other)  # a new call has its own budget


def test_the_served_service_reads_the_limits_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLEPLAY_RATE_LIMIT_PER_MINUTE", "7")
    monkeypatch.setenv("ROLEPLAY_SESSION_TOKEN_BUDGET", "1234")
    service = build_practice_service("sqlite://", "offline")
    assert service._limits == LimitSettings(rate_limit_per_minute=7, session_token_budget=1234)
    assert service._rate.per_minute == 7


@pytest.fixture
def api(store: Store) -> Iterator[tuple[TestClient, dict[str, str]]]:
    service = limited(store, CountingDebtor(), per_minute=2)
    for name in ("ana", "luis"):
        AccountStore.of(store).add_user(name, "trainee", password_hash="not used")
    tokens = {name: Accounts.of(store).issue_token(name) for name in ("ana", "luis")}
    with TestClient(create_api(service), raise_server_exceptions=False) as client:
        yield client, tokens


def test_the_api_answers_429_with_retry_after_and_other_users_go_on(api: tuple[TestClient, dict[str, str]]) -> None:
    client, tokens = api
    auth = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    body = {"persona_id": "test_debtor", "language": "es", "mode": "training"}
    ana = client.post("/api/sessions", json=body, headers=auth["ana"]).json()["session_id"]
    luis = client.post("/api/sessions", json=body, headers=auth["luis"]).json()["session_id"]
    codes = [client.post(f"/api/sessions/{ana}/turns", json={"text": "Hola"}, headers=auth["ana"]) for _ in range(4)]
    assert [r.status_code for r in codes] == [200, 200, 429, 429]
    assert codes[2].json()["detail"].startswith("You are sending messages too fast; wait ")
    assert 1 <= int(codes[2].headers["Retry-After"]) <= 60
    stored = client.get(f"/api/sessions/{ana}", headers=auth["ana"]).json()["turns"]
    assert [t["role"] for t in stored] == ["debtor", "agent", "debtor", "agent", "debtor"]
    assert client.post(f"/api/sessions/{luis}/turns", json={"text": "Hola"}, headers=auth["luis"]).status_code == 200


async def test_the_page_shows_the_warning_and_keeps_the_typed_text(store: Store) -> None:
    service = limited(store, CountingDebtor(), per_minute=1)
    calls = CallHandlers(service)
    session = service.start_session(ANA, "test_debtor", "en", "training").id
    [_ async for _ in calls.send(ANA, session, "first", "en")]
    views = [view async for view in calls.send(ANA, session, "second", "en")]
    assert views[-1].notice.startswith("You are sending messages too fast; wait ")
    assert views[-1].message == "second"
    assert [t.text for t in service.get_session(ANA, session).turns if t.role == "agent"] == ["first"]
