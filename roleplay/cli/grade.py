"""`roleplay grade`: grade transcript files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from roleplay.cli.app import BackendChoice, app, fail


class GradeFormat(StrEnum):
    json = "json"
    text = "text"


@app.command()
def grade(
    files: Annotated[list[Path], typer.Argument(help="transcript files: JSON, JSONL or Agent:/Debtor: text")],
    backend: Annotated[BackendChoice, typer.Option(help="who grades")] = BackendChoice.offline,
    format: Annotated[GradeFormat, typer.Option("--format", help="json: one grade per line")] = GradeFormat.text,
    samples: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=15,
            help="openai: grade each call this many times and take the per-criterion (low) median; "
            "default ROLEPLAY_GRADER_SAMPLES. The offline grader is deterministic and ignores it.",
        ),
    ] = None,
) -> None:
    """Grade call transcripts against the rubric.

    Reads JSON (one object or a list), JSONL (one per line) or plain text with `Agent:`/`Debtor:`
    lines (also `Agente:`/`Deudor:`/`Cliente:`). A bad file or line is reported on stderr and the
    others are still graded; the exit status is then 2.

    Example: roleplay grade calls/*.jsonl --format json > grades.jsonl
    Example: roleplay grade --backend openai --samples 3 call.json --format json
    """
    import asyncio

    from roleplay.services.grading import grade_files
    from roleplay.services.practice import BackendUnavailable

    try:
        outcome = asyncio.run(grade_files(files, backend.value, samples))
    except BackendUnavailable as exc:
        fail(str(exc))
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
