"""The Gradio sign-in: the password check handed to `gr.mount_gradio_app(auth=...)` and its message.

Gradio keeps the login name in `gr.Request.username`; each event turns it into a Principal itself
(roleplay.ui.page.PracticePage.viewer). The login is only the door, not the check.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from html import escape

from pydantic import BaseModel, ConfigDict

from roleplay.auth.accounts import Accounts
from roleplay.content import load_model, prompts_dir
from roleplay.domain import LANGUAGES, LocalText


class LoginTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    message: LocalText


@cache
def login_texts() -> LoginTexts:
    return load_model(prompts_dir() / "ui" / "login.yaml", LoginTexts)


def login_message_html() -> str:
    """The sign-in page's message, in every product language."""
    texts = login_texts()
    return "".join(f"<p>{escape(texts.message.get(language))}</p>" for language in LANGUAGES)


def login_check(accounts: Accounts) -> Callable[[str, str], bool]:
    """Gradio's `auth` callable: True when the name and password match a stored user."""

    def check(name: str, password: str) -> bool:
        return accounts.password_ok(name, password)

    return check
