"""Mounting the practice page on the API app (the UI package is the only one that imports gradio)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from roleplay.ui.login import login_check, login_message_html
from roleplay.ui.page import PAGE_CSS_PATH, build_practice_page

if TYPE_CHECKING:
    from fastapi import FastAPI

    from roleplay.auth.accounts import Accounts
    from roleplay.services.practice import PracticeService
    from roleplay.settings import ServeSettings


def mount_practice_page(app: FastAPI, service: PracticeService, accounts: Accounts, settings: ServeSettings) -> FastAPI:
    """The page at "/" of `app`; a sign-in when any user exists (users added later need a restart)."""
    page = build_practice_page(service, settings, viewer_of=accounts.principal_for_name)
    signed_in = not accounts.local_mode()
    mounted: FastAPI = gr.mount_gradio_app(
        app,
        page,
        path="/",
        auth=login_check(accounts) if signed_in else None,
        auth_message=login_message_html() if signed_in else None,
        server_name=settings.host,
        server_port=settings.port,
        footer_links=["api", "settings"],
        ssr_mode=False,
        css_paths=PAGE_CSS_PATH,
        enable_monitoring=False,
        pwa=False,
        mcp_server=False,
        show_error=False,  # an unexpected error shows a generic message, never its text or a trace
        max_file_size=settings.max_upload_mb * 1_000_000,
    )
    return mounted
