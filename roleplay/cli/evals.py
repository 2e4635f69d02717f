"""`roleplay eval run|compare` (grader evaluation runs) and `roleplay simulate` (self-play data)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from roleplay.cli.app import BackendChoice, LanguageChoice, app, fail

eval_app = typer.Typer(help="Evaluate a grader: consistency, validity, invariance, injection.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


class StyleChoice(StrEnum):
    target = "target"
    submissive = "submissive"
    adversarial = "adversarial"
    ineffective = "ineffective"


def _user_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that are the user's or the environment's mistake: one line, exit 2."""
    from roleplay.content import ContentError
    from roleplay.evals.batch import BatchError
    from roleplay.evals.dataset import DatasetError
    from roleplay.evals.records import RecordsError
    from roleplay.protocols import EndpointUnavailable
    from roleplay.services.practice import BackendUnavailable

    found: list[type[BaseException]] = [
        BackendUnavailable, ContentError, BatchError, DatasetError, RecordsError, EndpointUnavailable
    ]  # fmt: skip
    try:
        from roleplay.llm.client import LLMConfigError

        found.append(LLMConfigError)
    except ImportError:  # pragma: no cover - the openai extras are always installed
        pass
    return tuple(found)


def _suite_for(suite: Path | None, dataset: Path | None, options: dict[str, Any]) -> Any:
    from roleplay.evals.suite import Execution, GraderConfig, load_suite, suite_from_options

    if (suite is None) == (dataset is None):
        fail("give either a SUITE file or --dataset FILE (not both)")
    overrides = {k: v for k, v in options.items() if v is not None}
    if suite is not None:
        loaded = load_suite(suite)
        if overrides:
            loaded = loaded.model_copy(update={"execution": loaded.execution.model_copy(update=overrides)})
        return loaded
    assert dataset is not None
    grader = GraderConfig(backend=options.pop("backend"), model=options.pop("model"))
    execution = Execution(**{k: v for k, v in options.items() if v is not None and k in Execution.model_fields})
    return suite_from_options(dataset, grader, options.get("repeats") or 3, execution)


@eval_app.command("run")
def run(
    suite: Annotated[Path | None, typer.Argument(help="a suite file (evals/suites/*.yaml)")] = None,
    dataset: Annotated[Path | None, typer.Option("--dataset", help="a labelled JSONL file instead of a suite")] = None,
    grader: Annotated[
        BackendChoice | None, typer.Option("--grader", help="with --dataset: who grades [default: offline]")
    ] = None,
    model: Annotated[str | None, typer.Option(help="with --dataset: the grader model")] = None,
    repeats: Annotated[int | None, typer.Option(min=1, max=50, help="with --dataset: gradings per transcript")] = None,
    concurrency: Annotated[int | None, typer.Option(min=1, max=256, help="gradings at once")] = None,
    rpm: Annotated[float | None, typer.Option("--rpm", min=0.1, help="requests per minute (rate limit)")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="run dir; an existing one is resumed")] = None,
    batch: Annotated[bool | None, typer.Option("--batch/--no-batch", help="use the OpenAI Batch API")] = None,
    cache: Annotated[bool | None, typer.Option("--cache/--no-cache", help="use the response cache")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bar")] = False,
) -> None:
    """Grade a labelled dataset (repeats, perturbations, injections) and write the report.

    Writes results.json, report.md and report.html into --out (default evals/runs/<timestamp>) and
    prints a summary. The exit status is 1 when a suite threshold fails or gradings are left
    unfinished (re-run with the same --out to continue), 2 on a usage error.

    Example: roleplay eval run evals/suites/offline-dev.yaml --out evals/runs/dev
    Example: roleplay eval run --dataset evals/datasets/dev.jsonl --grader openai --repeats 5 --batch
    """
    import asyncio

    from roleplay.evals.runner import RunOptions, default_out_dir, run_suite, summary_lines

    options: dict[str, Any] = {
        "concurrency": concurrency, "requests_per_minute": rpm, "batch": batch, "cache": cache,
    }  # fmt: skip
    if suite is not None and (grader, model, repeats) != (None, None, None):
        fail("--grader, --model and --repeats go with --dataset; a suite file sets its own")
    try:
        if suite is None:
            options.update(backend=(grader or BackendChoice.offline).value, model=model, repeats=repeats)
        chosen = _suite_for(suite, dataset, options)
        run_options = RunOptions(out_dir=out or default_out_dir(), progress=not quiet)
        outcomes = asyncio.run(run_suite(chosen, run_options))
    except _user_errors() as exc:
        fail(str(exc))
    for problem in outcomes[0].dataset_problems if outcomes else []:
        typer.echo(f"roleplay: {problem}", err=True)
    for outcome in outcomes:
        typer.echo("\n".join(summary_lines(outcome)))
    if not all(o.passed for o in outcomes):
        raise typer.Exit(1)


@eval_app.command("compare")
def compare(
    run_a: Annotated[Path, typer.Argument(help="the first run dir")],
    run_b: Annotated[Path, typer.Argument(help="the second run dir")],
    out: Annotated[Path | None, typer.Option("--out", help="also write the table to this Markdown file")] = None,
) -> None:
    """Two runs side by side, with paired bootstrap 95% intervals of the differences (B - A).

    Example: roleplay eval compare evals/runs/prompt-v1 evals/runs/prompt-v2
    """
    from roleplay.evals.compare import compare as compare_runs
    from roleplay.evals.compare import compare_markdown

    try:
        text = compare_markdown(compare_runs(run_a, run_b), str(run_a), str(run_b))
    except _user_errors() as exc:
        fail(str(exc))
    if out is not None:
        out.write_text(text, encoding="utf-8")
    typer.echo(text)


@app.command()
def simulate(
    agent_style: Annotated[StyleChoice, typer.Option("--agent-style", help="how the agent behaves")],
    persona: Annotated[str, typer.Option("--persona", help="persona id (roleplay personas)")],
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write")],
    n: Annotated[int, typer.Option("-n", min=1, max=1000, help="how many calls")] = 1,
    language: Annotated[LanguageChoice, typer.Option(help="call language")] = LanguageChoice.en,
    seed: Annotated[int, typer.Option(help="first seed; call i uses seed+i")] = 0,
    backend: Annotated[BackendChoice, typer.Option(help="who plays the agent")] = BackendChoice.offline,
    debtor: Annotated[BackendChoice, typer.Option(help="who plays the debtor")] = BackendChoice.offline,
) -> None:
    """Generate practice calls by an agent of a known style, labelled with the intended quadrant.

    Example: roleplay simulate --agent-style submissive --persona student -n 5 --out sim.jsonl
    """
    import asyncio

    from roleplay.backends import build_debtor
    from roleplay.content import get_persona
    from roleplay.evals.simulate import SimulationSpec, write_rows
    from roleplay.evals.simulate import simulate as run_simulation

    try:
        chosen = get_persona(persona)
    except KeyError as exc:
        fail(str(exc.args[0]))
    spec = SimulationSpec(agent_style.value, chosen, language.value, n, seed, backend.value)
    try:
        rows = asyncio.run(run_simulation(spec, build_debtor(debtor.value)))
    except _user_errors() as exc:
        fail(str(exc))
    write_rows(rows, out)
    typer.echo(f"{len(rows)} {agent_style.value} call(s) with {persona} written to {out}")
