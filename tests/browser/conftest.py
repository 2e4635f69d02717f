"""Browser-test fixtures: the served app (create_app + uvicorn in a thread on 127.0.0.1, a random
port, a temporary database, the offline backend) and Debian's Chromium driven by Playwright.

Without /usr/bin/chromium the browser tests are skipped, unless ROLEPLAY_REQUIRE_BROWSER=1 (CI),
in which case they fail.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
START_TIMEOUT_S = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("ROLEPLAY_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; ROLEPLAY_REQUIRE_BROWSER=1 requires the browser tests to run")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The practice app served on 127.0.0.1 at a random port, with its own SQLite file."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    import uvicorn

    from roleplay.app import create_app
    from roleplay.settings import ServeSettings

    port = _free_port()
    db = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    settings = ServeSettings(host="127.0.0.1", port=port, db=db, backend="offline")
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS, timeout=30_000)
        yield launched
        launched.close()
