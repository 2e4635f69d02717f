"""`roleplay serve`: the practice app (Gradio at /) and the REST API (/api) in one process."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from roleplay.cli.app import BackendChoice, app, fail

if TYPE_CHECKING:
    from roleplay.settings import ServeSettings


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on [default: 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="port [default: 7860]")] = None,
    backend: Annotated[BackendChoice | None, typer.Option(help="debtor and grader backend")] = None,
    db: Annotated[str | None, typer.Option(help="SQLAlchemy URL [default: ROLEPLAY_DB or a SQLite file]")] = None,
) -> None:
    """Serve the practice page at / and the JSON API at /api (docs at /api/docs).

    Example: roleplay serve --port 7860 --db sqlite:///practice.db
    """
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    from pydantic import ValidationError

    from roleplay.settings import ServeSettings

    overrides = {"host": host, "port": port, "db": db, "backend": backend.value if backend else None}
    try:
        chosen = {k: v for k, v in overrides.items() if v is not None}
        settings = ServeSettings.model_validate({**ServeSettings().model_dump(), **chosen})
    except ValidationError as exc:
        fail(f"invalid setting: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    _run(settings)


def _run(settings: ServeSettings) -> None:
    import uvicorn

    from roleplay.app import create_app
    from roleplay.auth.accounts import AccountError
    from roleplay.backends import describe
    from roleplay.services.practice import PracticeError
    from roleplay.store import StoreError

    try:
        application = create_app(settings)
    except (PracticeError, StoreError, AccountError) as exc:  # AccountError: local mode on a public host
        fail(str(exc))
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
    typer.echo(f"Practice app: http://{shown_host}:{settings.port}/   API docs: /api/docs")
    typer.echo(f"Backend: {describe(settings.backend)}")
    typer.echo(f"Database: {_without_password(settings.db)}")
    uvicorn.run(application, host=settings.host, port=settings.port, log_level="warning")


def _without_password(url: str) -> str:
    """postgresql://user:secret@host/db -> postgresql://user:***@host/db"""
    import re

    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)
