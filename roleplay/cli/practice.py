"""`roleplay personas` and `roleplay chat`: the persona library and a practice call in the terminal."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from roleplay.cli.app import LanguageChoice, app, fail

if TYPE_CHECKING:
    from roleplay.domain import Language
    from roleplay.services.practice import PracticeService, ReplyDone

HANG_UP_COMMANDS = {"/hangup", "/colgar", "/quit", "/salir"}


@app.command()
def personas(
    language: Annotated[LanguageChoice, typer.Option(help="language of the summaries")] = LanguageChoice.en,
) -> None:
    """List the debtor personas you can practise with.

    Example: roleplay personas --language es
    """
    from roleplay.content import ContentError
    from roleplay.services.personas import persona_cards

    try:
        cards = persona_cards(language.value)
    except ContentError as exc:
        fail(str(exc))
    for card in cards:
        stars = "★" * card.difficulty + "☆" * (3 - card.difficulty)
        vulnerable = " [vulnerable]" if card.vulnerable else ""
        typer.echo(f"{card.id:<26} {stars}  {card.name}{vulnerable}\n{'':<30}{card.summary}\n{'':<30}{card.debt}")


@app.command()
def chat(
    persona: Annotated[str, typer.Option(help="persona id (see `roleplay personas`)")],
    language: Annotated[LanguageChoice, typer.Option(help="language of the call")] = LanguageChoice.en,
    training: Annotated[bool, typer.Option("--training/--assessment", help="show the debtor's trust")] = True,
    db: Annotated[str | None, typer.Option(help="SQLAlchemy URL of the store (default: ROLEPLAY_DB)")] = None,
) -> None:
    """Hold a practice call in the terminal with the offline debtor; graded when it ends.

    Type what you would say and press Enter. /hangup (or /colgar) ends the call, and so does the end
    of the input, so a scripted call can be piped in.

    Example: printf 'Hello, am I speaking with Lucy?\\n/hangup\\n' | roleplay chat --persona student
    """
    import asyncio

    from roleplay.content import ContentError
    from roleplay.services.practice import PracticeError, UnknownPersona
    from roleplay.store import StoreError

    try:
        asyncio.run(_chat(persona, language.value, "training" if training else "assessment", db, sys.stdin))
    except (UnknownPersona, StoreError, ContentError) as exc:
        fail(str(exc))
    except PracticeError as exc:
        fail(str(exc), code=1)


async def _chat(persona_id: str, language: Language, mode: str, db: str | None, stdin: TextIO) -> None:
    from roleplay.auth import LOCAL
    from roleplay.cli.labels import label
    from roleplay.content import get_persona
    from roleplay.services.factory import build_practice_service
    from roleplay.settings import ServeSettings

    service = build_practice_service(db or ServeSettings().db, "offline")
    view = service.start_session(LOCAL, persona_id, language, mode)
    persona = get_persona(persona_id)
    typer.echo(label("chat_intro", language, name=persona.name, persona=persona_id))
    for turn in view.turns:
        typer.echo(f"{label('debtor', language)}: {turn.text}")
    ended = await _converse(service, view.id, language, mode, stdin)
    if not ended:
        service.hang_up(LOCAL, view.id)
    await _show_grade(service, view.id, language)


async def _converse(service: PracticeService, session_id: str, language: Language, mode: str, stdin: TextIO) -> bool:
    from roleplay.auth import LOCAL
    from roleplay.cli.labels import label
    from roleplay.services.practice import InvalidMessage, ReplyDone

    interactive = stdin.isatty()
    while True:
        if interactive:
            typer.echo(f"{label('you', language)}> ", nl=False)
        line = stdin.readline()
        if not line or line.strip().lower() in HANG_UP_COMMANDS:
            return False
        if not interactive:
            typer.echo(f"{label('you', language)}: {line.strip()}")
        try:
            typer.echo(f"{label('debtor', language)}: ", nl=False)
            async for event in service.send(LOCAL, session_id, line):
                if isinstance(event, ReplyDone):
                    typer.echo("")
                    _show_state(event, language, mode)
                    if event.ended:
                        return True
                elif event.reset:  # the engine withdrew what it streamed: start the line again
                    typer.echo(f"\n{label('debtor', language)}: {event.text}", nl=False)
                else:
                    typer.echo(event.text, nl=False)
        except InvalidMessage as exc:
            typer.echo(f"\n({exc})", err=True)


def _show_state(event: ReplyDone, language: Language, mode: str) -> None:
    from roleplay.cli.labels import label

    state = event.state
    if mode == "training":
        typer.echo(f"   [{label('trust', language)} {state.trust:.0%} · {state.mood}]")
    if state.ended and state.end_reason:
        typer.echo(label("call_ended", language, reason=label(f"end_{state.end_reason}", language)))


async def _show_grade(service: PracticeService, session_id: str, language: Language) -> None:
    from roleplay.auth import LOCAL
    from roleplay.cli.labels import label
    from roleplay.cli.scorecard import render_scorecard

    typer.echo(label("grading", language))
    result = await service.grade(LOCAL, session_id)
    if result.grade is None:
        fail(f"the call could not be graded ({result.status}): {result.error}", code=1)
    typer.echo(render_scorecard(result.grade))
