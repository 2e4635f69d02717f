"""Item 12: two trainees (added with `roleplay users add`) in two Chromium contexts at once see
nothing of each other's calls, and a reload restores only one's own unfinished call and sessions."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(150)]
ROLEPLAY = Path(sys.executable).with_name("roleplay")
PASSWORD = "a long enough password"
LINES = {
    "ana": "Good morning, this is Ana calling about account ANA-7731. How are you today?",
    "luis": "Hello, Luis here about reference LUIS-4402. Is this a good moment to talk?",
}
PERSONAS = {"ana": "cooperative_easy", "luis": "cannot_pay_job_loss"}


def add_user(db: str, name: str) -> None:
    done = subprocess.run(
        [str(ROLEPLAY), "users", "add", name, "--role", "trainee", "--db", db],
        input=f"{PASSWORD}\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def two_trainees_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from served_app import served_roleplay

    db = f"sqlite:///{tmp_path_factory.mktemp('two') / 'two.db'}"
    for name in LINES:
        add_user(db, name)
    with served_roleplay(db=db) as url:
        yield f"{url}/"


def start_and_say(page: Any, persona: str, line: str) -> None:
    page.locator(f"#persona input[value='{persona}']").check()
    page.locator("#start-call").click()
    page.locator("#chat .bot-row").first.wait_for()
    replies = page.locator("#chat .bot-row").count()
    page.locator("#message textarea").fill(line)
    page.locator("#message textarea").press("Enter")
    page.locator("#chat .bot-row").nth(replies).wait_for()
    page.wait_for_function("() => !document.querySelector('#message textarea').disabled")


def shown(page: Any) -> str:
    return str(page.locator("body").inner_text())


def test_two_trainees_see_only_their_own_calls_and_a_reload_restores_their_own(
    browser: Any, two_trainees_url: str
) -> None:
    pages = {name: sign_in(browser, two_trainees_url, name, PASSWORD) for name in LINES}
    try:
        for name, page in pages.items():
            start_and_say(page, PERSONAS[name], LINES[name])
        for name, page in pages.items():
            other = "luis" if name == "ana" else "ana"
            page.locator("#refresh-sessions").click()
            page.wait_for_timeout(500)
            assert LINES[name] in shown(page) and LINES[other] not in shown(page)
            page.reload()
            page.locator("#start-call").wait_for()
            page.locator("#chat .user-row").first.wait_for()  # the unfinished call came back
            assert page.locator("#chat .user-row").first.inner_text().strip() == LINES[name]
            assert LINES[other] not in shown(page)
            rows = page.locator("#my-sessions tbody tr")
            assert rows.count() == 1, shown(page)
    finally:
        for page in pages.values():
            page.context.close()
