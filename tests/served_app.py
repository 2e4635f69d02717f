"""The whole served app (roleplay.app.create_app: API + Gradio page) on 127.0.0.1 in a thread, for the
security and reliability tests that need real HTTP (raw paths, concurrency, many clients)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve an ASGI `app` on 127.0.0.1; yields the base URL ("http://127.0.0.1:<port>")."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="served-app")
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_S)


@contextmanager
def served_roleplay(**settings: Any) -> Iterator[str]:
    """create_app(ServeSettings(**settings)) served on a free loopback port (offline backend by default)."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    from roleplay.app import create_app
    from roleplay.settings import ServeSettings

    port = free_port()
    chosen = ServeSettings(**{"host": "127.0.0.1", "port": port, "backend": "offline", **settings})
    with serving(create_app(chosen), port) as url:
        yield url
