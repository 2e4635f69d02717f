"""Item 9: `kill -9` of `roleplay serve` (a subprocess on 127.0.0.1, a temporary SQLite file, the openai
backend on the fake server streaming slowly) in the middle of a debtor reply. After a restart every
committed turn is there, `PRAGMA integrity_check` says ok, and the call continues (retry, next turn)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from fake_openai import FakeOpenAI
from served_app import free_port

pytestmark = pytest.mark.timeout(180)
ROLEPLAY = Path(sys.executable).with_name("roleplay")
START_TIMEOUT_S = 60
PERSONA = "cooperative_easy"
SLOW_REPLY = "Mire, " + "le voy a contar despacio todo lo que me ha pasado este año con el trabajo. " * 6


class Server:
    """`roleplay serve` in its own process; only this process is ever signalled, by its pid."""

    def __init__(self, env: dict[str, str], db: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(ROLEPLAY), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--db", f"sqlite:///{db}"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        self._wait_until_up(log)

    def _wait_until_up(self, log: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"roleplay serve exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/openapi.json", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError("roleplay serve did not start in time")

    def kill_9(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill_9()


@pytest.fixture
def server_env(fake_openai: FakeOpenAI, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ROLEPLAY_"))}
    env.update(
        ROLEPLAY_BACKEND="openai",
        OPENAI_BASE_URL=fake_openai.base_url,
        OPENAI_API_KEY=fake_openai.api_key,
        ROLEPLAY_DEBTOR_MODEL="fake-model",
        ROLEPLAY_GRADER_MODEL="fake-model",
        ROLEPLAY_DEBTOR_READ_TIMEOUT="20",
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_DISABLE_TELEMETRY="1",
        GRADIO_TEMP_DIR=str(tmp_path / "gradio"),
    )
    return env


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def integrity(db: Path) -> tuple[str, ...]:
    with closing(sqlite3.connect(db)) as connection:
        return tuple(connection.execute("PRAGMA integrity_check").fetchone())


def turns(url: str, session_id: str) -> list[tuple[str, str, str]]:
    body = httpx.get(f"{url}/api/sessions/{session_id}", timeout=10).json()
    return [(t["role"], t["text"], t["status"]) for t in body["turns"]]


def test_kill_9_mid_reply_loses_no_committed_turn_and_the_call_goes_on(
    fake_openai: FakeOpenAI, server_env: dict[str, str], servers: list[Server], tmp_path: Path
) -> None:
    db, log = tmp_path / "practice.db", tmp_path / "serve.log"
    servers.append(Server(server_env, db, log))
    first = servers[0]
    body = {"persona_id": PERSONA, "language": "es", "mode": "training"}
    session_id = httpx.post(f"{first.url}/api/sessions", json=body, timeout=10).json()["session_id"]
    fake_openai.enqueue("Sí, soy yo.")
    assert httpx.post(f"{first.url}/api/sessions/{session_id}/turns", json={"text": "Hola, ¿es usted?"}, timeout=30)
    before = turns(first.url, session_id)

    fake_openai.behaviour.chunk_size, fake_openai.behaviour.chunk_delay = 4, 0.2  # ~25 s of streaming
    fake_openai.enqueue(SLOW_REPLY)
    requests_before = fake_openai.count()
    failed: list[BaseException] = []

    def send_slow_turn() -> None:
        try:
            httpx.post(f"{first.url}/api/sessions/{session_id}/turns", json={"text": "Cuénteme."}, timeout=60)
        except httpx.TransportError as exc:
            failed.append(exc)

    sender = threading.Thread(target=send_slow_turn)
    sender.start()
    deadline = time.monotonic() + 20
    while fake_openai.count() == requests_before and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # a few chunks are out: the reply is mid-stream
    first.kill_9()
    sender.join(30)
    assert failed, "the turn should have been cut by the kill"

    assert integrity(db) == ("ok",)
    fake_openai.behaviour.chunk_delay = 0.0
    servers.append(Server(server_env, db, log))
    second = servers[1]
    after = turns(second.url, session_id)
    assert after[: len(before)] == before  # every committed turn survived
    assert after[len(before)] == ("agent", "Cuénteme.", "complete")  # committed before the reply began
    assert all(role == "debtor" and status == "incomplete" for role, _text, status in after[len(before) + 1 :])

    fake_openai.enqueue("Perdone, se cortó. Le decía que perdí el trabajo.", "De acuerdo.")
    retried = httpx.post(f"{second.url}/api/sessions/{session_id}/retry", timeout=30)
    assert retried.status_code == 200, retried.text
    nxt = httpx.post(f"{second.url}/api/sessions/{session_id}/turns", json={"text": "Lo entiendo."}, timeout=30)
    assert nxt.status_code == 200 and nxt.json()["reply"]["text"] == "De acuerdo."
    final = [(role, text) for role, text, status in turns(second.url, session_id) if status == "complete"]
    assert final[-4:] == [
        ("agent", "Cuénteme."),
        ("debtor", "Perdone, se cortó. Le decía que perdí el trabajo."),
        ("agent", "Lo entiendo."),
        ("debtor", "De acuerdo."),
    ]
    assert integrity(db) == ("ok",)
