"""Browser-test fixtures: the served app (create_app + uvicorn in a thread on 127.0.0.1, a random
port, a temporary database, the offline backend) and Debian's Chromium driven by Playwright.

Without /usr/bin/chromium the browser tests are skipped, unless ROLEPLAY_REQUIRE_BROWSER=1 (CI),
in which case they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


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
    from served_app import served_roleplay

    db = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    with served_roleplay(db=db) as url:
        yield f"{url}/"


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS, timeout=30_000)
        yield launched
        launched.close()
