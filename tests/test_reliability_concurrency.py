"""Item 10: 50 concurrent clients through the REST API (50 trainees, bearer tokens) and through the
Gradio queue (50 browser sessions): no "database is locked", no lost or duplicated turns. Past the
queue's max size a client gets gradio's clear "Queue is full! Please try again." and nothing is stored
for it."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from practice_fakes import FakeDebtor, FakeGrader, library, make_persona
from served_app import free_port, served_roleplay

from roleplay.auth.accounts import Accounts
from roleplay.domain import Turn
from roleplay.protocols import CallSetup
from roleplay.services.practice import PracticeService
from roleplay.settings import ServeSettings
from roleplay.store import Store, open_store
from roleplay.store.accounts import AccountStore
from roleplay.ui.page import PAGE_CSS_PATH, build_practice_page

pytestmark = pytest.mark.timeout(240)
CLIENTS = 50
TURNS = 4
PERSONA = "cooperative_easy"


def trainees(db_url: str, count: int) -> dict[str, str]:
    """`count` trainee accounts and their API tokens in the database at `db_url`."""
    store = open_store(db_url)
    try:
        names = [f"trainee{n:02d}" for n in range(count)]
        for name in names:
            AccountStore.of(store).add_user(name, "trainee", password_hash="not used")
        return {name: Accounts.of(store).issue_token(name) for name in names}
    finally:
        store.close()


def assert_turns_exactly_once(turns: Sequence[Any], agent_lines: list[str]) -> None:
    """seq 0..n-1 without gaps, agent and debtor alternating after the opening, each line stored once."""
    assert [t.seq for t in turns] == list(range(len(turns)))
    assert [t.text for t in turns if t.role == "agent"] == agent_lines
    roles = [t.role for t in turns if t.status == "complete"]
    assert roles[0] == "debtor" and all(a != b for a, b in pairwise(roles)), roles


async def one_trainee(client: httpx.AsyncClient, name: str, token: str) -> tuple[str, list[int]]:
    headers = {"Authorization": f"Bearer {token}"}
    body = {"persona_id": PERSONA, "language": "en", "mode": "training"}
    started = await client.post("/api/sessions", json=body, headers=headers)
    assert started.status_code == 201, started.text
    session_id: str = started.json()["session_id"]
    codes = []
    for turn in range(TURNS):
        text = f"{name} line {turn}: how are things going for you at the moment?"
        answer = await client.post(f"/api/sessions/{session_id}/turns", json={"text": text}, headers=headers)
        codes.append(answer.status_code)
        assert "locked" not in answer.text, answer.text
    return session_id, codes


async def test_fifty_trainees_through_the_api(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    db = f"sqlite:///{tmp_path / 'api.db'}"
    tokens = trainees(db, CLIENTS)
    with served_roleplay(db=db) as url:
        limits = httpx.Limits(max_connections=CLIENTS)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
            results = await asyncio.gather(*(one_trainee(client, n, t) for n, t in tokens.items()))
    assert all(codes == [200] * TURNS for _session, codes in results), results
    assert not [r for r in caplog.records if "locked" in r.getMessage()]
    store = open_store(db)
    try:
        for (session_id, _codes), name in zip(results, tokens, strict=True):
            lines = [f"{name} line {t}: how are things going for you at the moment?" for t in range(TURNS)]
            assert store.get_session(session_id).owner == name  # type: ignore[union-attr]
            assert_turns_exactly_once(store.turns(session_id), lines)
    finally:
        store.close()


@pytest.fixture
def page_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ROLEPLAY_RATE_LIMIT_PER_MINUTE", "0")  # local mode: all 50 sessions are one user
    with served_roleplay(db=f"sqlite:///{tmp_path / 'page.db'}") as url:
        yield f"{url}/"


def one_browser_session(client: Any, index: int) -> list[str]:
    client.predict(PERSONA, "en", "training", api_name="/start_call")
    lines = [f"browser {index} line {turn}: I understand, tell me more." for turn in range(2)]
    for line in lines:
        *_, notice = client.predict(line, "en", api_name="/send")
        assert notice == "", notice
    return lines


def test_fifty_sessions_through_the_gradio_queue(page_url: str, tmp_path: Path) -> None:
    from gradio_client import Client

    clients = [Client(page_url, verbose=False) for _ in range(CLIENTS)]  # 50 browser sessions, made one by one
    try:
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            sent = list(pool.map(one_browser_session, clients, range(CLIENTS)))
    finally:
        for client in clients:
            client.close()
    store = open_store(f"sqlite:///{tmp_path / 'page.db'}")
    try:
        sessions = store.list_sessions("local")
        assert len(sessions) == CLIENTS
        by_first_line = {}
        for session in sessions:
            turns = store.turns(session.id)
            agent = [t.text for t in turns if t.role == "agent"]
            by_first_line[agent[0]] = (turns, agent)
        for lines in sent:
            turns, agent = by_first_line[lines[0]]
            assert_turns_exactly_once(turns, lines)
    finally:
        store.close()


class SlowDebtor(FakeDebtor):
    """Takes `seconds` before its reply, so events pile up in the queue."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def stream_reply(self, setup: CallSetup, history: Sequence[Turn]) -> AsyncIterator[str]:
        await asyncio.sleep(self.seconds)
        async for chunk in super().stream_reply(setup, history):
            yield chunk


@pytest.fixture
def store() -> Iterator[Store]:
    opened = open_store("sqlite://")
    yield opened
    opened.close()


def test_past_the_queue_size_a_client_is_told_busy_and_nothing_is_stored(store: Store) -> None:
    from gradio_client import Client

    personas = library(make_persona())
    service = PracticeService(store, SlowDebtor(1.5), FakeGrader(), "fake", "m", persona_library=lambda: personas)
    demo = build_practice_page(service, ServeSettings(queue_concurrency=1, queue_max_size=1))
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                ssr_mode=False, css_paths=PAGE_CSS_PATH)  # fmt: skip
    clients = [Client(demo.local_url, verbose=False) for _ in range(5)]
    try:
        for client in clients:
            client.predict("test_debtor", "en", "training", api_name="/start_call")
        jobs = [client.submit(f"message {n}", "en", api_name="/send") for n, client in enumerate(clients)]
        outcomes = []
        for job in jobs:
            try:
                job.result(timeout=60)
                outcomes.append("done")
            except Exception as exc:  # gradio_client's QueueError
                outcomes.append(str(exc))
    finally:
        for client in clients:
            client.close()
        demo.close()
    busy = [o for o in outcomes if o != "done"]
    assert busy and all(o == "Queue is full! Please try again." for o in busy), outcomes
    assert "done" in outcomes
    stored = [t.text for s in store.list_sessions("local") for t in store.turns(s.id) if t.role == "agent"]
    assert sorted(stored) == sorted(f"message {n}" for n, o in enumerate(outcomes) if o == "done")
    assert all(re.fullmatch(r"message \d", text) for text in stored)
