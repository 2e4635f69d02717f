"""`roleplay import`: store real call transcripts as imported sessions, optionally graded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from roleplay.cli.app import BackendChoice, app, fail

if TYPE_CHECKING:
    from roleplay.services.imports import ImportService, UploadedFile


def _import_service(db: str | None, backend: str) -> ImportService:
    from roleplay.services.factory import build_practice_service
    from roleplay.services.imports import ImportService
    from roleplay.services.review import ReviewService
    from roleplay.settings import ServeSettings

    return ImportService(ReviewService(build_practice_service(db or ServeSettings().db, backend)))


def _read(paths: list[Path]) -> tuple[list[UploadedFile], list[str]]:
    from roleplay.services.imports import UploadedFile

    uploads: list[UploadedFile] = []
    problems: list[str] = []
    for path in paths:
        read = UploadedFile.read(path)
        if isinstance(read, str):
            problems.append(f"{path}: cannot read the file ({read})")
        else:
            uploads.append(read)
    return uploads, problems


async def _grade(service: ImportService, session_ids: list[str]) -> list[str]:
    import sys

    from tqdm import tqdm  # type: ignore[import-untyped]

    from roleplay.auth import LOCAL

    with tqdm(total=len(session_ids), desc="grading", unit="call", file=sys.stderr) as bar:
        report = await service.grade_sessions(LOCAL, session_ids, lambda done, _total: bar.update(1))
    return report.problems


@app.command("import")
def import_calls(
    files: Annotated[list[Path], typer.Argument(help="transcripts: JSON, JSONL, Agent:/Debtor: text or CSV")],
    owner: Annotated[str | None, typer.Option(help="the trainee the calls belong to (default: imported)")] = None,
    grade: Annotated[bool, typer.Option("--grade", help="grade the imported calls now")] = False,
    backend: Annotated[BackendChoice, typer.Option(help="who grades (with --grade)")] = BackendChoice.offline,
    db: Annotated[str | None, typer.Option(help="SQLAlchemy URL of the store (default: ROLEPLAY_DB)")] = None,
) -> None:
    """Import real call transcripts for review, each as an ended session marked "imported".

    Reads JSON, JSONL, plain text with `Agent:`/`Debtor:` lines (also `Agente:`/`Deudor:`/`Cliente:`)
    or CSV with a header row `call_id,order,speaker,text` (one row per turn, UTF-8 with or without
    BOM). A bad file or line is reported on stderr and the good ones are still imported; the exit
    status is then 2. Progress of grading goes to stderr.

    Example: roleplay import calls/*.csv --owner ana --grade
    """
    import asyncio

    from roleplay.auth import LOCAL
    from roleplay.content import ContentError
    from roleplay.services.practice import PracticeError
    from roleplay.store import StoreError

    uploads, problems = _read(files)
    try:
        service = _import_service(db, backend.value)
        report = service.import_files(LOCAL, uploads, owner=owner)
        problems += report.problems
        if grade and report.session_ids:
            problems += asyncio.run(_grade(service, report.session_ids))
    except (StoreError, ContentError, PracticeError) as exc:
        fail(str(exc))
    typer.echo(f"imported {len(report.session_ids)} call(s)" + (" and graded them" if grade else ""))
    for session_id in report.session_ids:
        typer.echo(session_id)
    for problem in problems:
        typer.echo(f"roleplay: {problem}", err=True)
    if problems:
        raise typer.Exit(2)
