"""An evaluation run: grade a suite's datasets with each grader configuration, build the item records,
compute the results (roleplay.evals.results), write the report (roleplay.evals.report) and check the
suite's thresholds.

Run directory (one per grader configuration; a sub-folder named by `GraderConfig.label()` when the
suite has several): grades.jsonl (resume log), items.jsonl, results.json, report.md, report.html,
run.json (what ran, tokens, cost, failures), batch.json (a --batch run's batch in flight).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roleplay.evals.cache import ResponseCache
from roleplay.evals.dataset import Dataset, EvalItem, load_datasets
from roleplay.evals.injections import Injection, load_injections
from roleplay.evals.report import check_thresholds, write_report
from roleplay.evals.results import results_from_records
from roleplay.evals.runner_exec import Executor, GradeLog, GraderForRepeat, Tally, dump_json
from roleplay.evals.runner_graders import build_graders, cache_for_repeat
from roleplay.evals.runner_jobs import GradeJob, all_jobs, build_records
from roleplay.evals.suite import GraderConfig, Suite

RUNS_DIR = Path("evals") / "runs"


def default_out_dir(now: datetime | None = None) -> Path:
    """evals/runs/<UTC timestamp> (git-ignored)."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return RUNS_DIR / stamp


@dataclass
class RunOptions:
    """How to run, beyond the suite: where, with what cache, quietly or not; `graders` replaces the
    configured grader (tests use synthetic graders of known behaviour)."""

    out_dir: Path
    progress: bool = True
    cache_dir: Path | None = None
    graders: GraderForRepeat | None = None


@dataclass
class RunOutcome:
    run_dir: Path
    grader: str
    results: dict[str, Any]
    threshold_failures: list[str]
    tally: Tally
    dataset_problems: list[str] = field(default_factory=list)
    grading_failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.threshold_failures and not self.tally.unfinished


def run_dir_for(out_dir: Path, suite: Suite, config: GraderConfig) -> Path:
    return out_dir if len(suite.graders) == 1 else out_dir / config.label()


def selected_items(suite: Suite, dataset: Dataset) -> list[EvalItem]:
    return dataset.items[: suite.limit] if suite.limit else list(dataset.items)


async def run_suite(suite: Suite, options: RunOptions) -> list[RunOutcome]:
    """Every grader configuration of the suite, one after the other."""
    dataset = load_datasets(suite.datasets)
    items = selected_items(suite, dataset)
    injections = load_injections() if "adversarial" in suite.checks else []
    jobs = all_jobs(suite, items, injections)
    outcomes = []
    for config in suite.graders:
        run = GraderRun(suite, config, items, jobs, run_dir_for(options.out_dir, suite, config))
        outcomes.append(await run.execute(options, dataset.problems))
    return outcomes


@dataclass
class GraderRun:
    suite: Suite
    config: GraderConfig
    items: list[EvalItem]
    jobs: list[GradeJob]
    run_dir: Path

    def _cache(self, options: RunOptions) -> ResponseCache | None:
        if self.config.backend == "offline" or not (self.suite.execution.cache or self.suite.execution.batch):
            return None
        if options.cache_dir is not None:
            return ResponseCache(options.cache_dir)
        return ResponseCache() if self.suite.execution.cache else ResponseCache(self.run_dir / "responses")

    async def execute(self, options: RunOptions, problems: list[str]) -> RunOutcome:
        log = GradeLog(self.run_dir / "grades.jsonl")
        store = self._cache(options)
        if self.suite.execution.batch and self.config.backend == "openai" and options.graders is None:
            from roleplay.evals.batch import run_batches

            assert store is not None
            await run_batches(self, log, store, progress=options.progress)
        graders = options.graders or build_graders(self.config, cache_for_repeat(store))
        tally = await Executor(graders, log, self.suite.execution, options.progress).run(self.jobs)
        outcome = self.report(log, tally, problems)
        self._write_run_json(outcome, store)
        return outcome

    def report(self, log: GradeLog, tally: Tally, problems: list[str]) -> RunOutcome:
        records = build_records(self.suite, self.items, self.jobs, log.grades(self.jobs))
        results = results_from_records(
            records, seed=self.suite.seed, n_boot=self.suite.bootstrap, tolerance=self.suite.tolerance
        )
        title = f"Grader evaluation: {self.suite.name} · {self.config.label()}"
        write_report(results, self.run_dir, records, title=title)
        return RunOutcome(
            run_dir=self.run_dir,
            grader=self.config.label(),
            results=results,
            threshold_failures=check_thresholds(results, self.suite.thresholds),
            tally=tally,
            dataset_problems=list(problems),
            grading_failures=log.failures(self.jobs),
        )

    def _write_run_json(self, outcome: RunOutcome, store: ResponseCache | None) -> None:
        tally = outcome.tally
        dump_json(
            {
                "suite": self.suite.name,
                "suite_version": self.suite.version,
                "grader": self.config.model_dump(mode="json"),
                "datasets": [str(p) for p in self.suite.datasets],
                "items": len(self.items),
                "gradings": len(self.jobs),
                "repeats": self.suite.repeats,
                "checks": list(self.suite.checks),
                "thresholds": self.suite.thresholds,
                "threshold_failures": outcome.threshold_failures,
                "grading_failures": outcome.grading_failures,
                "unfinished": tally.unfinished,
                "dataset_problems": outcome.dataset_problems,
                "usage": {
                    "calls": tally.calls,
                    "prompt_tokens": tally.prompt_tokens,
                    "completion_tokens": tally.completion_tokens,
                    "estimated_cost_usd": tally.cost,
                },
                "cache": None if store is None else vars(store.stats),
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            self.run_dir / "run.json",
        )


def summary_lines(outcome: RunOutcome) -> list[str]:
    """The short summary `roleplay eval run` prints."""
    v, c = outcome.results["validity"]["overall"], outcome.results["consistency"]["overall"]
    lines = [
        f"{outcome.grader}: {outcome.run_dir}",
        f"  validity: quadrant accuracy {_fmt(v.get('quadrant_accuracy'))}, exact {_fmt(v.get('exact'))}, "
        f"within-1 {_fmt(v.get('within1'))}, QWK {_fmt(v.get('qwk'))}",
        f"  consistency: items changed {_fmt(c.get('share_items_changed'))}, alpha {_fmt(c.get('krippendorff_alpha'))}",
    ]
    lines += [f"  {family}: {_headline(outcome.results[family]['overall'])}" for family in _PAIR_HEADLINES]
    lines.append(_usage_line(outcome.tally))
    lines += [f"  grading failed: {f}" for f in outcome.grading_failures[:5]]
    lines += [f"  unfinished (re-run with the same --out): {u}" for u in outcome.tally.unfinished[:5]]
    lines += [f"  THRESHOLD FAILED: {f}" for f in outcome.threshold_failures]
    lines.append("  PASSED" if outcome.passed else "  FAILED")
    return lines


_PAIR_HEADLINES = {
    "invariance": "share_within_tolerance",
    "directional": "share_moved",
    "adversarial": "attack_success_rate",
    "verbosity": "share_no_increase",
}


def _headline(overall: dict[str, Any]) -> str:
    return ", ".join(f"{k} {_fmt(overall.get(k))}" for k in _headline_keys(overall))


def _headline_keys(overall: dict[str, Any]) -> list[str]:
    wanted = [*list(_PAIR_HEADLINES.values()), "detection_rate", "n_items"]
    return [k for k in wanted if k in overall]


def _usage_line(tally: Tally) -> str:
    cost = "n/a" if tally.cost is None else f"${tally.cost:.4f}"
    return f"  model calls {tally.calls}, tokens {tally.prompt_tokens + tally.completion_tokens}, est. cost {cost}"


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


__all__ = ["Injection", "RunOptions", "RunOutcome", "default_out_dir", "run_suite", "summary_lines"]
