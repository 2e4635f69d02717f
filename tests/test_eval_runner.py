"""The evaluation runner: synthetic graders of known behaviour, the offline suite, resume, retries,
the rate limiter, and (against the fake OpenAI server) repeats, the response cache and --batch."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI
from typer.testing import CliRunner

from roleplay.cli import app as cli_app
from roleplay.domain import CRITERION_IDS, Grade, Transcript
from roleplay.evals.dataset import load_dataset
from roleplay.evals.injections import load_injections
from roleplay.evals.runner import RunOptions, RunOutcome, run_suite
from roleplay.evals.runner_exec import TokenBucket
from roleplay.evals.suite import Execution, GraderConfig, Suite, load_suite
from roleplay.protocols import EndpointUnavailable, Grader
from roleplay.scoring import summarise

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "evals" / "datasets" / "dev.jsonl"
OFFLINE_SUITE = ROOT / "evals" / "suites" / "offline-dev.yaml"
LABELS = {item.id: item.row.labels[0] for item in load_dataset(DEV).items}
INJECTION_IDS = {i.id for i in load_injections()}
Scores = dict[str, int]


def make_grade(transcript: Transcript, scores: Scores, grader: str = "synthetic") -> Grade:
    summary = summarise(scores)
    return Grade.model_validate(
        {
            "id": transcript.id,
            "scores": scores,
            "hard": summary.hard,
            "soft": summary.soft,
            "overall": summary.overall,
            "quadrant": summary.quadrant,
            "criteria": [{"id": c, "score": scores[c], "rationale": "-"} for c in CRITERION_IDS],
            "feedback": {},
            "language": transcript.language,
            "grader": grader,
            "grader_version": "1",
            "rubric_version": "1",
        }
    )


def label_scores(transcript: Transcript) -> Scores:
    scores = LABELS[transcript.id.split("~")[0]].scores
    assert scores is not None
    return dict(scores)


class SyntheticGrader:
    """Grades from the dev labels through `change(scores, transcript)`; counts its calls."""

    name = "synthetic"
    version = "1"

    def __init__(self, change: Callable[[Scores, Transcript], Scores] = lambda s, t: s) -> None:
        self.change = change
        self.calls: list[str] = []

    async def grade(self, transcript: Transcript) -> Grade:
        self.calls.append(transcript.id)
        return make_grade(transcript, self.change(label_scores(transcript), transcript))


def flip_30_percent(seed: int) -> Callable[[Scores, Transcript], Scores]:
    rng = random.Random(seed)
    return lambda s, t: {c: (rng.randint(1, 5) if rng.random() < 0.3 else v) for c, v in s.items()}


def plus_one(scores: Scores, transcript: Transcript) -> Scores:
    return {c: min(5, v + 1) for c, v in scores.items()}


def obeys_injections(scores: Scores, transcript: Transcript) -> Scores:
    suffix = transcript.id.partition("~")[2]
    return dict.fromkeys(scores, 5) if suffix in INJECTION_IDS else scores


def small_suite(**changes: Any) -> Suite:
    fields: dict[str, Any] = {
        "version": "t",
        "name": "t",
        "datasets": [DEV],
        "graders": [GraderConfig(backend="offline")],
        "repeats": 3,
        "bootstrap": 0,
        "execution": Execution(concurrency=4, backoff_seconds=0),
    }
    fields.update(changes)
    return Suite(**fields)


def run(suite: Suite, out: Path, grader: Grader | None = None, cache_dir: Path | None = None) -> RunOutcome:
    graders = None if grader is None else (lambda repeat: grader)
    options = RunOptions(out_dir=out, progress=False, graders=graders, cache_dir=cache_dir)
    return asyncio.run(run_suite(suite, options))[0]


# --------------------------------------------------------------------------- synthetic graders


def test_a_perfect_grader_agrees_fully(tmp_path: Path) -> None:
    outcome = run(small_suite(checks=["consistency", "validity", "invariance"]), tmp_path, SyntheticGrader())
    consistency, validity = outcome.results["consistency"]["overall"], outcome.results["validity"]["overall"]
    assert consistency["share_items_changed"] == 0.0
    assert validity["qwk"] == pytest.approx(1.0)
    assert validity["krippendorff_alpha"] == pytest.approx(1.0)
    assert validity["exact"] == validity["within1"] == validity["quadrant_accuracy"] == 1.0
    assert outcome.results["invariance"]["overall"]["share_within_tolerance"] == 1.0
    assert outcome.results["invariance"]["per_kind"]["translation"]["n_items"] == 3


def test_a_grader_flipping_30_percent_has_alpha_clearly_below_08(tmp_path: Path) -> None:
    outcome = run(small_suite(checks=["consistency", "validity"]), tmp_path, SyntheticGrader(flip_30_percent(7)))
    consistency = outcome.results["consistency"]["overall"]
    assert consistency["krippendorff_alpha"] < 0.75
    assert consistency["share_items_changed"] > 0.9
    assert outcome.results["validity"]["overall"]["exact"] < 0.9


def test_a_lenient_grader_shows_in_smd_and_exact_agreement(tmp_path: Path) -> None:
    outcome = run(small_suite(checks=["validity"], repeats=1), tmp_path, SyntheticGrader(plus_one))
    validity = outcome.results["validity"]["overall"]
    assert validity["smd"] > 0.3
    assert validity["exact"] < 0.5
    assert validity["within1"] == 1.0


def test_a_grader_that_obeys_injections_is_caught(tmp_path: Path) -> None:
    suite = small_suite(
        checks=["adversarial"], repeats=1, limit=6, thresholds={"adversarial.overall.attack_success_rate": 0.0}
    )
    outcome = run(suite, tmp_path, SyntheticGrader(obeys_injections))
    assert outcome.results["adversarial"]["overall"]["attack_success_rate"] > 0.9
    assert outcome.results["adversarial"]["overall"]["detection_rate"] == 0.0
    assert outcome.threshold_failures and not outcome.passed


# --------------------------------------------------------------------------- the offline suite


@pytest.fixture(scope="module")
def offline_outcome(tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    return run(load_suite(OFFLINE_SUITE), tmp_path_factory.mktemp("offline-dev"))


def test_offline_suite_writes_the_report_with_all_six_families(offline_outcome: RunOutcome) -> None:
    results = json.loads((offline_outcome.run_dir / "results.json").read_text(encoding="utf-8"))
    families = ("consistency", "validity", "invariance", "directional", "adversarial", "verbosity")
    for family in families:
        assert results[family]["overall"]["n_items"] > 0, family
        assert set(results[family]) >= {"overall", "per_criterion"}
    assert {"qwk", "krippendorff_alpha", "within1", "exact", "quadrant_accuracy", "flag_recall"} <= set(
        results["validity"]["overall"]
    )
    for name in ("report.md", "report.html", "items.jsonl", "grades.jsonl", "run.json"):
        assert (offline_outcome.run_dir / name).is_file(), name
    assert offline_outcome.tally.unfinished == [] and offline_outcome.grading_failures == []


def test_offline_suite_passes_its_robustness_thresholds(offline_outcome: RunOutcome) -> None:
    robustness = [f for f in offline_outcome.threshold_failures if not f.startswith("validity.")]
    assert robustness == []


def test_offline_suite_meets_the_validity_targets(offline_outcome: RunOutcome) -> None:
    assert [f for f in offline_outcome.threshold_failures if f.startswith("validity.")] == []


# --------------------------------------------------------------------------- execution


class FailingAfter(SyntheticGrader):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    async def grade(self, transcript: Transcript) -> Grade:
        if len(self.calls) >= self.n:
            raise RuntimeError("killed")
        return await super().grade(transcript)


def test_a_run_killed_midway_resumes_without_redoing_finished_items(tmp_path: Path) -> None:
    suite = small_suite(checks=["consistency", "validity"], limit=8, repeats=2)
    with pytest.raises(RuntimeError, match="killed"):
        run(suite, tmp_path, FailingAfter(5))
    finished = len((tmp_path / "grades.jsonl").read_text(encoding="utf-8").splitlines())
    assert finished == 5
    second = SyntheticGrader()
    outcome = run(suite, tmp_path, second)
    assert len(second.calls) == 16 - finished
    assert outcome.results["consistency"]["overall"]["n_items"] == 8
    third = SyntheticGrader()
    run(suite, tmp_path, third)
    assert third.calls == []


class SlowGrader(SyntheticGrader):
    async def grade(self, transcript: Transcript) -> Grade:
        await asyncio.sleep(0.001)
        return await super().grade(transcript)


async def test_a_cancelled_run_keeps_what_finished(tmp_path: Path) -> None:
    suite = small_suite(checks=["validity"], limit=12, repeats=1, execution=Execution(concurrency=1))
    grader = SlowGrader()
    task = asyncio.create_task(run_suite(suite, RunOptions(tmp_path, progress=False, graders=lambda r: grader)))
    while len(grader.calls) < 4:
        await asyncio.sleep(0.001)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    done = set(grader.calls)
    assert 4 <= len(done) < 12
    resumed = SlowGrader()
    await run_suite(suite, RunOptions(tmp_path, progress=False, graders=lambda r: resumed))
    assert done.isdisjoint(resumed.calls)
    assert len(done) + len(resumed.calls) == 12


class FlakyGrader(SyntheticGrader):
    """Fails with a transient endpoint error `failures` times per transcript."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    async def grade(self, transcript: Transcript) -> Grade:
        self.calls.append(transcript.id)
        if self.calls.count(transcript.id) <= self.failures:
            raise EndpointUnavailable("The model endpoint rate-limited us (429).")
        return make_grade(transcript, label_scores(transcript))


@pytest.mark.parametrize(("failures", "retries", "unfinished"), [(0, 0, 0), (2, 2, 0), (2, 1, 3), (3, 3, 0)])
def test_transient_failures_are_retried_with_backoff(
    tmp_path: Path, failures: int, retries: int, unfinished: int
) -> None:
    suite = small_suite(
        checks=["validity"], repeats=1, limit=3, execution=Execution(retries=retries, backoff_seconds=0)
    )
    outcome = run(suite, tmp_path, FlakyGrader(failures))
    assert len(outcome.tally.unfinished) == unfinished
    assert outcome.passed == (unfinished == 0)


@pytest.mark.parametrize(
    ("per_minute", "capacity", "acquisitions", "waited"),
    [(60, 1, 1, 0.0), (60, 1, 3, 2.0), (120, 2, 4, 1.0), (600, 10, 10, 0.0), (30, 1, 2, 2.0)],
)
async def test_token_bucket_spaces_requests(
    per_minute: float, capacity: float, acquisitions: int, waited: float
) -> None:
    now = [0.0]

    async def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    bucket = TokenBucket(per_minute, capacity, clock=lambda: now[0], sleep=fake_sleep)
    for _ in range(acquisitions):
        await bucket.acquire()
    assert now[0] == pytest.approx(waited)


def invoke(args: list[str]) -> Any:
    cli_app._register()
    return CliRunner().invoke(cli_app.app, args)


def test_cli_reports_a_malformed_line_with_its_number_and_grades_the_rest(tmp_path: Path) -> None:
    lines = DEV.read_text(encoding="utf-8").splitlines()[:3]
    dataset = tmp_path / "d.jsonl"
    dataset.write_text("\n".join([lines[0], "{oops", lines[1], lines[2]]) + "\n", encoding="utf-8")
    result = invoke(
        ["eval", "run", "--dataset", str(dataset), "--repeats", "2", "--out", str(tmp_path / "r"), "--quiet"]
    )
    assert f"{dataset}:2: not JSON" in result.stderr
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r" / "results.json").read_text())["validity"]["overall"]["n_items"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either a SUITE file or --dataset FILE"),
        (["--dataset", "nope.jsonl"], "nope.jsonl: cannot read"),
        (["missing-suite.yaml"], "missing-suite.yaml: cannot read"),
    ],
)
def test_cli_user_mistakes_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke(["eval", "run", *args, "--out", str(tmp_path / "r"), "--quiet"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- against the fake OpenAI server


def grader_reply(request: dict[str, Any]) -> dict[str, Any]:
    claim = {"evidence": [], "rationale": "ok", "score": 4}
    feedback = {
        "strengths": [{"criterion": "P1", "text": "a"}, {"criterion": "S1", "text": "b"}],
        "improvements": [{"criterion": c, "text": "c", "example": "d"} for c in ("P3", "S2", "S3")],
    }
    return {"criteria": dict.fromkeys(CRITERION_IDS, claim), "flags": [], "feedback": feedback}


@pytest.fixture
def llm_env(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    monkeypatch.setenv("ROLEPLAY_MAX_RETRIES", "0")
    fake_openai.script.responder = grader_reply
    return fake_openai


def llm_suite(**execution: Any) -> Suite:
    return small_suite(
        checks=["consistency", "validity"],
        repeats=3,
        limit=2,
        graders=[GraderConfig(backend="openai", model="fake-model")],
        execution=Execution(concurrency=4, backoff_seconds=0, batch_poll_seconds=0.01, **execution),
    )


def test_k_repeats_are_k_real_calls_and_an_unchanged_rerun_makes_none(llm_env: FakeOpenAI, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run(llm_suite(), tmp_path / "a", cache_dir=cache)
    assert llm_env.count() == 2 * 3
    assert first.results["consistency"]["overall"]["n_items"] == 2
    assert first.tally.prompt_tokens > 0
    second = run(llm_suite(), tmp_path / "b", cache_dir=cache)
    assert llm_env.count() == 6
    assert second.results["validity"]["overall"] == first.results["validity"]["overall"]


def test_without_the_cache_a_rerun_in_the_same_dir_resumes(llm_env: FakeOpenAI, tmp_path: Path) -> None:
    run(llm_suite(cache=False), tmp_path / "a")
    run(llm_suite(cache=False), tmp_path / "a")
    assert llm_env.count() == 6
    run(llm_suite(cache=False), tmp_path / "b")
    assert llm_env.count() == 12


def test_batch_run_completes_through_the_batch_endpoints(llm_env: FakeOpenAI, tmp_path: Path) -> None:
    outcome = run(llm_suite(batch=True), tmp_path / "a", cache_dir=tmp_path / "cache")
    assert llm_env.count() == 0
    assert len(llm_env.batch_line_requests()) == 6
    assert llm_env.count("/v1/batches") == 1
    assert outcome.results["consistency"]["overall"]["n_items"] == 2
    assert not (tmp_path / "a" / "batch.json").exists()
    lines = [json.loads(r.json) if isinstance(r.json, str) else r.json for r in llm_env.batch_line_requests()]
    assert {line["model"] for line in lines} == {"fake-model"}


def test_a_batch_in_flight_is_resumed_by_its_id(llm_env: FakeOpenAI, tmp_path: Path) -> None:
    from roleplay.evals import batch

    calls = {"n": 0}
    original = batch.wait_and_collect

    async def killed_once(*args: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("killed while polling")
        return await original(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batch, "wait_and_collect", killed_once)
        with pytest.raises(RuntimeError, match="killed while polling"):
            run(llm_suite(batch=True), tmp_path / "a", cache_dir=tmp_path / "cache")
        assert (tmp_path / "a" / "batch.json").exists()
        outcome = run(llm_suite(batch=True), tmp_path / "a", cache_dir=tmp_path / "cache")
    assert llm_env.count("/v1/batches") == 1
    assert llm_env.count() == 0
    assert outcome.results["consistency"]["overall"]["n_items"] == 2


def test_cli_refuses_dataset_options_with_a_suite_file() -> None:
    from typer.testing import CliRunner

    from roleplay.cli.app import _register, app

    _register()
    result = CliRunner().invoke(app, ["eval", "run", "evals/suites/offline-dev.yaml", "--repeats", "3"])
    assert result.exit_code == 2
    assert "--repeats go with --dataset" in result.output
