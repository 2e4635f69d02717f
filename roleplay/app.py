"""The served application: the REST API at /api and the practice page (Gradio) at /.

When any user account exists the page asks for a sign-in and the API for a bearer token; with no
user it runs in local single-user mode and refuses a non-loopback host (roleplay.auth.local_mode).

Module-level imports stay light (the CLI imports `create_app` lazily); gradio is imported only
by roleplay.ui (through `create_app`), after analytics and telemetry are switched off.

Run it with: uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from roleplay.settings import ServeSettings


def _quiet_gradio() -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def create_app(settings: ServeSettings) -> FastAPI:
    """Build the practice service from `settings`, the API app, and mount the page at "/".

    Raises roleplay.auth.local_mode.LocalModeExposed for a non-loopback host without users.
    """
    _quiet_gradio()
    from roleplay.api import create_api
    from roleplay.auth.accounts import Accounts
    from roleplay.auth.local_mode import refuse_exposed_local_mode
    from roleplay.services.factory import build_practice_service
    from roleplay.ui.mount import mount_practice_page

    service = build_practice_service(settings.db, settings.backend)
    accounts = Accounts.of(service.store)
    refuse_exposed_local_mode(accounts, settings.host)
    return mount_practice_page(create_api(service, accounts), service, accounts, settings)
