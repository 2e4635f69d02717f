"""`FakeOpenAI`: a real OpenAI-compatible HTTP server on 127.0.0.1, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from .app import Behaviour, FakeApp, RecordedRequest
from .batches import BatchStore
from .script import Reply, ReplyScript, Responder

START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
CHAT_PATH = "/v1/chat/completions"


def _probe(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class FakeOpenAI:
    """A scripted OpenAI-compatible server. Use as a context manager or through the `fake_openai` fixture.

    Replies come from `enqueue(...)` in order; when the queue is empty, `responder(request_json)` answers,
    else `default_reply`. Tunables live in `.behaviour` and may be changed while the server runs.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        default_reply: str = "OK",
        responder: Responder | None = None,
        behaviour: Behaviour | None = None,
        batch_polls_to_complete: int = 2,
    ) -> None:
        self.behaviour = behaviour or Behaviour()
        if api_key is not None:
            self.behaviour.api_key = api_key
        self.script = ReplyScript(default_reply, responder)
        self._app = FakeApp(self.behaviour, self.script, BatchStore(batch_polls_to_complete))
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def api_key(self) -> str:
        """The key clients should send (any non-empty text when none is enforced)."""
        return self.behaviour.api_key or "sk-fake"

    # -- scripting -------------------------------------------------------------------------------

    def enqueue(self, *replies: Reply) -> None:
        """Queue replies (text, dict → JSON content, or a fault) for the next calls, in order."""
        self.script.enqueue(*replies)

    # -- what was received -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._app.log.snapshot()

    def chat_requests(self) -> list[RecordedRequest]:
        """Chat Completions calls received over HTTP (batch lines excluded)."""
        return [r for r in self.requests if r.path == CHAT_PATH and not r.via_batch]

    def batch_line_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.via_batch]

    def last_request_json(self) -> dict[str, Any]:
        calls = self.chat_requests()
        if not calls:
            raise AssertionError("the fake OpenAI server received no chat completion call")
        body: dict[str, Any] = calls[-1].json
        return body

    def last_messages(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.last_request_json()["messages"]
        return messages

    def count(self, path: str = CHAT_PATH) -> int:
        """How many HTTP requests hit `path` (default: chat completions)."""
        return sum(1 for r in self.requests if r.path == path and not r.via_batch)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        if self._thread is not None:
            raise RuntimeError("FakeOpenAI is already running")
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self._app.starlette(),
            log_config=None,
            access_log=False,
            http="h11",
            ws="none",
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="fake-openai", daemon=True
        )
        self._thread.start()
        self._wait_until_answering()
        return self

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert self._server is not None and self._thread is not None
            if not self._thread.is_alive():
                break
            if self._server.started and _probe(self.port):
                return
            time.sleep(0.01)
        self.stop()
        raise RuntimeError("the fake OpenAI server did not start")

    def stop(self) -> None:
        """Wake any sleeping handler, shut uvicorn down, join its thread, release the socket."""
        self._app.pauser.closing.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_SECONDS)
            if self._thread.is_alive():
                raise RuntimeError("the fake OpenAI server did not stop in time")
        if self._socket is not None:
            self._socket.close()
        self._server, self._thread, self._socket = None, None, None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
