"""`roleplay grade`: grade transcript files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from roleplay.cli.app import BackendChoice, app


class GradeFormat(StrEnum):
    json = "json"
    text = "text"


@app.command()
def grade(
    files: Annotated[list[Path], typer.Argument(help="transcript files: JSON, JSONL or Agent:/Debtor: text")],
    backend: Annotated[BackendChoice, typer.Option(help="who grades")] = BackendChoice.offline,
    format: Annotated[GradeFormat, typer.Option("--format", help="json: one grade per line")] = GradeFormat.text,
) -> None:
    """Grade call transcripts against the rubric.

    Reads JSON (one object or a list), JSONL (one per line) or plain text with `Agent:`/`Debtor:`
    lines (also `Agente:`/`Deudor:`/`Cliente:`). A bad file or line is reported on stderr and the
    others are still graded; the exit status is then 2.

    Example: roleplay grade calls/*.jsonl --format json > grades.jsonl
    """
    import asyncio

    from roleplay.services.grading import grade_files

    outcome = asyncio.run(grade_files(files, backend.value))
    for result in outcome.results:
        if format is GradeFormat.json:
            typer.echo(result.grade.model_dump_json())
        else:
            from roleplay.cli.scorecard import render_scorecard

            typer.echo(render_scorecard(result.grade) + "\n")
    for problem in outcome.problems:
        typer.echo(f"roleplay: {problem}", err=True)
    if outcome.problems:
        raise typer.Exit(2)
