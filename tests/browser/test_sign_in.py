"""Signing in in Chromium: with users in the database the page asks for a login; a trainee who signs
in gets the practice page and never sees the trainers' Review tab (its label comes from
prompts/ui/review.yaml), and a trainer does. A wrong password stays on the login form. Screenshots go
to artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser_steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
REVIEW_LABELS = Path(__file__).resolve().parents[2] / "prompts" / "ui" / "review.yaml"
PASSWORD = "a long enough password"


def review_tab_label(language: str = "en") -> str:
    return str(yaml.safe_load(REVIEW_LABELS.read_text(encoding="utf-8"))["tab"][language])


@pytest.fixture(scope="module")
def signed_app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole app on 127.0.0.1 with a trainee (ana) and a trainer (tere) in its database."""
    from served_app import served_roleplay

    from roleplay.auth.accounts import Accounts
    from roleplay.store import open_store

    db = f"sqlite:///{tmp_path_factory.mktemp('signin') / 'signin.db'}"
    accounts = Accounts.of(open_store(db))
    accounts.add_user("ana", "trainee", PASSWORD)
    accounts.add_user("tere", "trainer", PASSWORD)
    with served_roleplay(db=db) as url:
        yield f"{url}/"


def review_tab_shown(page: Any) -> bool:
    label = review_tab_label()
    tab_button = page.get_by_role("tab", name=label)
    return bool(tab_button.count() and tab_button.first.is_visible()) or page.locator("#review-tab").is_visible()


def test_a_trainee_signs_in_and_does_not_see_the_review_workspace(browser: Any, signed_app_url: str) -> None:
    page = sign_in(browser, signed_app_url, "ana", PASSWORD, wait_for_page=False)
    page.locator("#start-call").wait_for()
    page.locator("#my-sessions").wait_for()
    page.wait_for_timeout(1000)  # the load event (restore) has run and set per-viewer visibility
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "signed-in-trainee.png"), full_page=True)
    assert not review_tab_shown(page)
    assert page.locator("#review-table").count() == 0 or not page.locator("#review-table").is_visible()
    page.context.close()


def test_a_wrong_password_stays_on_the_login_form(browser: Any, signed_app_url: str) -> None:
    page = sign_in(browser, signed_app_url, "ana", "not the password", wait_for_page=False)
    page.get_by_text("Incorrect", exact=False).first.wait_for()
    assert page.locator("#start-call").count() == 0
    page.context.close()


def test_a_trainer_signs_in_and_sees_the_review_workspace(browser: Any, signed_app_url: str) -> None:
    page = sign_in(browser, signed_app_url, "tere", PASSWORD, wait_for_page=False)
    page.locator("#start-call").wait_for()
    page.locator("#my-sessions").wait_for()
    page.wait_for_timeout(1000)  # the load event (restore) has run and set per-viewer visibility
    assert review_tab_shown(page)
    page.context.close()
