"""Self-play (roleplay.evals.simulate): scripted agent styles against the ScriptedDebtor, the RuleGrader's
ranking of the styles, the LLM agent against the fake server, and `roleplay simulate`."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path
from statistics import fmean
from typing import Any

import pytest
from fake_openai import FakeOpenAI
from typer.testing import CliRunner

from roleplay.cli import app as cli_app
from roleplay.content import get_persona, personas
from roleplay.domain import Language, Transcript
from roleplay.evals.dataset import parse_dataset
from roleplay.evals.simulate import AGENT_STYLES, AgentStyle, SimulationSpec, scripted_lines, simulate
from roleplay.offline.debtor import ScriptedDebtor
from roleplay.offline.grader import RuleGrader

PERSONAS = ("cannot_pay_job_loss", "student", "angry_defensive", "overwhelmed_many_debts", "cooperative_easy")


def simulated(
    style: AgentStyle, persona_id: str, language: Language, n: int = 1, seed: int = 0
) -> list[dict[str, Any]]:
    spec = SimulationSpec(style, get_persona(persona_id), language, n, seed)
    return asyncio.run(simulate(spec, ScriptedDebtor()))


def mean_figures(style: AgentStyle, language: Language) -> dict[str, float]:
    grader = RuleGrader()
    grades = [
        grader.grade_transcript(Transcript.model_validate(row))
        for persona_id in PERSONAS
        for row in simulated(style, persona_id, language, n=2)
    ]
    return {axis: fmean(getattr(g, axis) for g in grades) for axis in ("hard", "soft", "overall")}


@pytest.mark.parametrize("language", ["es", "en"])
def test_rule_grader_ranks_the_styles(language: Language) -> None:
    figures = {style: mean_figures(style, language) for style in AGENT_STYLES}
    assert max(figures, key=lambda s: figures[s]["overall"]) == "target"
    assert min(figures, key=lambda s: figures[s]["soft"]) == "adversarial"
    ranked = ("target", "submissive", "adversarial")
    assert min(ranked, key=lambda s: figures[s]["hard"]) == "submissive"


@pytest.mark.parametrize("style", AGENT_STYLES)
@pytest.mark.parametrize("language", ["es", "en"])
def test_rows_are_labelled_dataset_lines_with_the_intended_quadrant(style: AgentStyle, language: Language) -> None:
    rows = simulated(style, "student", language, n=2, seed=5)
    dataset = parse_dataset("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "sim")
    assert dataset.problems == []
    assert [i.row.labels[0].quadrant for i in dataset.items] == [style, style]
    assert [i.id for i in dataset.items] == [
        f"sim-{style}-student-{language}-5-0",
        f"sim-{style}-student-{language}-6-1",
    ]
    for item in dataset.items:
        roles = [t.role for t in item.row.turns]
        assert roles.count("agent") >= 3
        assert all(a != b for a, b in itertools.pairwise(roles))


def test_same_seed_same_call_other_seeds_vary() -> None:
    persona = get_persona("student")
    assert scripted_lines("target", persona, "en", 3) == scripted_lines("target", persona, "en", 3)
    variants = {tuple(scripted_lines("target", persona, "en", seed)) for seed in range(8)}
    assert len(variants) > 1
    assert simulated("target", "student", "en", seed=3) == simulated("target", "student", "en", seed=3)


@pytest.mark.parametrize("persona_id", sorted(personas()))
def test_every_persona_can_be_simulated_in_both_languages(persona_id: str) -> None:
    for language in ("es", "en"):
        (row,) = simulated("target", persona_id, language)
        text = " ".join(t["text"] for t in row["turns"] if t["role"] == "agent")
        assert "{" not in text and get_persona(persona_id).name in text


def test_llm_agent_plays_the_style_against_the_fake_server(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    fake_openai.script.responder = lambda body: (
        "Hello, am I speaking with Irene Campos? I'm calling from Financiera Ágil."
    )
    spec = SimulationSpec("submissive", get_persona("student"), "en", 1, 0, backend="openai")
    (row,) = asyncio.run(simulate(spec, ScriptedDebtor()))
    system = fake_openai.chat_requests()[0].json["messages"][0]
    assert system["role"] == "system" and "submissive" in system["content"]
    assert "Irene Campos" in system["content"] and "English" in system["content"]
    agent_turns = [t for t in row["turns"] if t["role"] == "agent"]
    assert 1 <= len(agent_turns) <= 10 and len(fake_openai.chat_requests()) == len(agent_turns)
    assert row["labels"]["quadrant"] == "submissive" and row["agent_backend"] == "openai"


def invoke(args: list[str]) -> Any:
    cli_app._register()
    return CliRunner().invoke(cli_app.app, args)


def test_cli_writes_n_calls(tmp_path: Path) -> None:
    out = tmp_path / "sim.jsonl"
    args = ["simulate", "--agent-style", "adversarial", "--persona", "student", "-n", "3", "--out", str(out)]
    result = invoke([*args, "--language", "es", "--seed", "2"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["seed"] for r in rows] == [2, 3, 4]
    assert {r["language"] for r in rows} == {"es"}


def test_cli_unknown_persona_is_one_line(tmp_path: Path) -> None:
    args = ["simulate", "--agent-style", "target", "--persona", "nobody", "--out", str(tmp_path / "x.jsonl")]
    result = invoke(args)
    assert result.exit_code == 2
    assert "unknown persona 'nobody'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
