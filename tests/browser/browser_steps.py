"""Steps the browser tests share (Playwright pages on the served app)."""

from __future__ import annotations

from typing import Any

STEP_TIMEOUT_MS = 15_000


def sign_in(
    browser: Any,
    url: str,
    name: str,
    password: str,
    *,
    viewport: tuple[int, int] = (1280, 900),
    wait_for_page: bool = True,
) -> Any:
    """A new browser context signed in as `name`; waits for the practice page unless told not to
    (a wrong password stays on the sign-in form)."""
    width, height = viewport
    page = browser.new_context(viewport={"width": width, "height": height}, locale="en").new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(url)
    page.locator("input[type=password]").wait_for()
    page.locator("input:not([type=password])").first.fill(name)
    page.locator("input[type=password]").fill(password)
    page.locator("input[type=password]").press("Enter")
    if wait_for_page:
        page.locator("#start-call").wait_for()
    return page
