"""`roleplay serve` in a subprocess on 127.0.0.1 (openai backend on the fake endpoint, a temporary
SQLite file), for the REST, Gradio and load figures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx

from benchmarks.fake_endpoint import FakeOpenAI, openai_env
from benchmarks.workload import REPO

START_TIMEOUT_SECONDS = 60.0
TRAINEE_PASSWORD = "bench-practice-Password-2026"


@dataclass(frozen=True)
class Trainee:
    name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def add_trainees(db_url: str, count: int) -> list[Trainee]:
    """`count` trainee accounts with an API token each (the rate limit is per user, as in real use)."""
    from roleplay.auth.accounts import Accounts
    from roleplay.store import open_store

    accounts = Accounts.of(open_store(db_url))
    trainees: list[Trainee] = []
    for index in range(count):
        name = f"trainee{index:02d}"
        accounts.add_user(name, "trainee", TRAINEE_PASSWORD)
        trainees.append(Trainee(name, accounts.issue_token(name)))
    return trainees


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def roleplay_command() -> list[str]:
    """The installed `roleplay` script beside this interpreter, else `python -m roleplay.cli`."""
    script = Path(sys.executable).with_name("roleplay")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from roleplay.cli import main; main()"]


class ServedApp:
    """Adds `trainees` accounts, starts `roleplay serve`, waits until /api answers; on exit stops it
    (SIGTERM, then SIGKILL)."""

    def __init__(self, endpoint: FakeOpenAI, workdir: Path, trainees: int) -> None:
        self.endpoint, self.workdir = endpoint, workdir
        self.port = free_port()
        self.db_path = workdir / "bench.db"
        self.process: subprocess.Popen[bytes] | None = None
        self.trainees = add_trainees(self.db_url, trainees)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _env(self) -> dict[str, str]:
        quiet = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1", "NO_PROXY": "127.0.0.1"}
        home = {"XDG_DATA_HOME": str(self.workdir), "XDG_CACHE_HOME": str(self.workdir / "cache")}
        return {**os.environ, **openai_env(self.endpoint), **quiet, **home}

    def start(self) -> ServedApp:
        command = [*roleplay_command(), "serve", "--port", str(self.port), "--db", self.db_url]
        log = (self.workdir / "serve.log").open("wb")
        self.process = subprocess.Popen(command, env=self._env(), cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_answering()
        return self

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                answer = httpx.get(f"{self.url}/api/personas?language=en", headers=self.trainees[0].headers, timeout=2)
                if answer.status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        log = (self.workdir / "serve.log").read_text(encoding="utf-8", errors="replace")[-400:]
        self.stop()
        raise RuntimeError(f"roleplay serve did not start: {log.strip().splitlines()[-1:] or 'no output'}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def __enter__(self) -> ServedApp:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
