"""`roleplay export`: sessions with grades and trainer labels as JSONL (evaluation dataset) or CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from roleplay.cli.app import app, fail


class ExportFormatChoice(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since '{value}' is not a date; use YYYY-MM-DD")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("export")
def export_sessions(
    format: Annotated[ExportFormatChoice, typer.Option("--format", help="jsonl or csv")] = ExportFormatChoice.jsonl,
    since: Annotated[str | None, typer.Option(help="only sessions created on or after this date (YYYY-MM-DD)")] = None,
    labelled_only: Annotated[bool, typer.Option("--labelled-only", help="only sessions a trainer labelled")] = False,
    out: Annotated[Path | None, typer.Option(help="write here instead of standard output")] = None,
    db: Annotated[str | None, typer.Option(help="SQLAlchemy URL of the store (default: ROLEPLAY_DB)")] = None,
) -> None:
    """Export sessions with their grades and trainer labels.

    jsonl: the evaluation dataset format (transcript + `labels`, one per trainer as `rater`), read by
    `roleplay eval`; only labelled sessions can be in it. csv: one row per session, a column per
    criterion, hard, soft, quadrant, flags, then the newest trainer label; UTF-8 with a BOM so
    spreadsheets keep the accents.

    Example: roleplay export --format csv --since 2026-01-01 --out sessions.csv
    """
    from roleplay.auth import LOCAL
    from roleplay.content import ContentError
    from roleplay.services.exports import ExportOptions, export_text
    from roleplay.services.factory import build_practice_service
    from roleplay.services.practice import PracticeError
    from roleplay.services.review import ReviewService
    from roleplay.settings import ServeSettings
    from roleplay.store import StoreError

    options = ExportOptions(since=_since(since), labelled_only=labelled_only)
    try:
        review = ReviewService(build_practice_service(db or ServeSettings().db, "offline"))
        text = export_text(review, LOCAL, format.value, options)
    except (StoreError, ContentError, PracticeError) as exc:
        fail(str(exc))
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"wrote {out}", err=True)
