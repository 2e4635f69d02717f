"""The Typer application and the commands' shared plumbing (errors, choices)."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import NoReturn

import typer

app = typer.Typer(
    name="roleplay",
    help="Debt-collection roleplay coach: practise being hard on the problem and soft on people.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class LanguageChoice(StrEnum):
    es = "es"
    en = "en"


class BackendChoice(StrEnum):
    offline = "offline"
    openai = "openai"


def fail(message: str, code: int = 2) -> NoReturn:
    """A user mistake: one line on stderr, a non-zero exit, never a traceback."""
    typer.echo(f"roleplay: {message}", err=True)
    raise typer.Exit(code)


def _register() -> None:
    from roleplay.cli import evals, exports, grade, imports, practice, serve, users  # noqa: F401  (commands register on import)


def main() -> None:
    _register()
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("", err=True)
        sys.exit(130)
