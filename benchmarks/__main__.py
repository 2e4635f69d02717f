"""`python -m benchmarks` (`make bench`): every figure, one table, benchmarks/results.json.

Usage: python -m benchmarks [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.figures import Figure, not_measured, table, write_results
from benchmarks.machine import describe_machine, resident_mib
from benchmarks.workload import HERE

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _guarded(name: str, measure: Callable[[], list[Figure]]) -> list[Figure]:
    """A figure that crashes becomes "not measured: <why>"; a benchmark never fails the run."""
    try:
        return measure()
    except Exception as exc:
        return [not_measured(name, "", "", f"{type(exc).__name__}: {exc}"[:200])]


def offline_figures() -> list[Figure]:
    from benchmarks.offline import debtor_reply_figures, offline_grade_figure

    return [*debtor_reply_figures(), offline_grade_figure()]


def _rss_figure(name: str, pid: int, note: str = "") -> Figure:
    value = resident_mib(pid)
    return not_measured(name, "MiB", "", "no /proc") if value is None else Figure(name, value, "MiB", "", None, note)


def served_figures(workdir: Path) -> list[Figure]:
    """Everything measured against `roleplay serve` on the fake endpoint (one server, one fake)."""
    from benchmarks.eval_run import eval_figures
    from benchmarks.fake_endpoint import fake_server
    from benchmarks.first_token import FIRST_TOKEN_LATENCY, chat_model_build_figure, first_token_figures
    from benchmarks.load import TRAINEES, load_figures
    from benchmarks.served_app import ServedApp

    figures: list[Figure] = []
    with fake_server(*FIRST_TOKEN_LATENCY) as endpoint:
        with ServedApp(endpoint, workdir, trainees=TRAINEES + 2) as app:
            figures.append(_rss_figure("RSS of roleplay serve, idle", app.pid, "openai backend, just started"))
            figures += _guarded("first token", lambda: first_token_figures(app, endpoint))
            figures.append(chat_model_build_figure(endpoint))
            figures += _guarded("load", lambda: load_figures(app, endpoint))
            figures.append(_rss_figure("RSS of roleplay serve, after load", app.pid))
        figures += _guarded("eval run", lambda: eval_figures(endpoint, workdir / "eval"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE / "results.json", help="where to write the JSON")
    out = parser.parse_args().out
    from benchmarks.cli_and_prompt import grader_prompt_figure, help_figure

    began = time.perf_counter()
    figures = [help_figure(), *_guarded("offline", offline_figures), grader_prompt_figure()]
    with tempfile.TemporaryDirectory(prefix="roleplay-bench-") as workdir:
        (Path(workdir) / "eval").mkdir()
        figures += _guarded("served app", lambda: served_figures(Path(workdir)))
    seconds = time.perf_counter() - began
    print(table(figures))
    write_results(out, figures, describe_machine(), seconds)
    print(f"\n{len(figures)} figures in {seconds:.0f} s; written to {out}")


if __name__ == "__main__":
    main()
