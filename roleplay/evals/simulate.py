"""Self-play data: calls between an agent of a known style and the debtor, labelled with the quadrant the
style is meant to land in, for checking that a grader ranks the styles correctly.

Offline (default): the agent speaks scripted lines (prompts/simulate/agent.<language>.yaml, one step
per turn, a variant per step chosen by a stable hash of the seed) against the ScriptedDebtor. With the
`openai` backend an LLM plays the style (prompts/simulate/llm_agent.yaml). The output rows are the
dataset format (roleplay.evals.dataset) with `labels` = {"rater": "simulate", "quadrant": style}.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from roleplay.content import ContentError, load_model, prompts_dir
from roleplay.dialogue.call_dynamics import format_money
from roleplay.domain import Language, Persona, Quadrant, Transcript, Turn
from roleplay.protocols import CallSetup, DebtorEngine

AgentStyle = Literal["target", "submissive", "adversarial", "ineffective"]
AGENT_STYLES: tuple[AgentStyle, ...] = ("target", "submissive", "adversarial", "ineffective")
PLACEHOLDERS = frozenset({"agent", "name", "creditor", "product", "amount", "days", "monthly", "lump_sum", "day"})
LANGUAGE_NAMES = {"es": "Spanish (Spain)", "en": "English"}
MAX_LLM_TURNS = 10
AgentLine = Callable[[list[Turn]], Awaitable[str | None]]


class AgentScript(BaseModel):
    """prompts/simulate/agent.<language>.yaml: per style, steps of line variants."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    language: Language
    agents: list[str] = Field(min_length=1)
    styles: dict[AgentStyle, list[list[str]]]

    @model_validator(mode="after")
    def _complete(self) -> AgentScript:
        missing = [s for s in AGENT_STYLES if s not in self.styles]
        if missing:
            raise ValueError(f"styles missing {missing}")
        for style, steps in self.styles.items():
            for n, variants in enumerate(steps):
                _check_step(f"styles.{style}.{n}", variants)
        return self


def _check_step(where: str, variants: list[str]) -> None:
    import string

    if not variants:
        raise ValueError(f"{where}: no variant")
    for line in variants:
        used = {f for _, f, _, _ in string.Formatter().parse(line) if f}
        if used - PLACEHOLDERS:
            raise ValueError(f"{where}: unknown placeholder(s) {sorted(used - PLACEHOLDERS)}")


class LLMAgentPrompts(BaseModel):
    """prompts/simulate/llm_agent.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    common: str
    styles: dict[AgentStyle, str]


@cache
def load_agent_script(language: Language) -> AgentScript:
    path = prompts_dir() / "simulate" / f"agent.{language}.yaml"
    script = load_model(path, AgentScript)
    if script.language != language:
        raise ContentError(f"{path}: key 'language': '{script.language}' must be '{language}'")
    return script


@cache
def load_llm_agent_prompts() -> LLMAgentPrompts:
    return load_model(prompts_dir() / "simulate" / "llm_agent.yaml", LLMAgentPrompts)


def stable_choice(size: int, *parts: object) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return int(digest, 16) % size


def persona_context(persona: Persona, language: Language, agent: str, seed: int) -> dict[str, str]:
    """The values the agent lines may use."""

    def money(amount: float) -> str:
        return format_money(amount, persona.debt.currency, language)

    day = 1 + stable_choice(28, "day", persona.id, seed)
    return {
        "agent": agent,
        "name": persona.name,
        "creditor": persona.debt.creditor,
        "product": persona.debt.product.get(language),
        "amount": money(persona.debt.amount),
        "days": str(persona.debt.days_overdue),
        "monthly": money(max(persona.capacity.monthly, 5.0)),
        "lump_sum": money(max(persona.capacity.lump_sum, 10.0)),
        "day": str(day) if language == "es" else _ordinal(day),
    }


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def scripted_lines(style: AgentStyle, persona: Persona, language: Language, seed: int) -> list[str]:
    """The scripted agent's lines for one call, in order."""
    script = load_agent_script(language)
    agent = script.agents[stable_choice(len(script.agents), "agent", persona.id, seed)]
    context = persona_context(persona, language, agent, seed)
    steps = script.styles[style]
    return [
        variants[stable_choice(len(variants), style, n, seed)].format_map(context) for n, variants in enumerate(steps)
    ]


def scripted_agent(lines: Sequence[str]) -> AgentLine:
    """An agent that says `lines` one per turn, then stops."""
    remaining = list(lines)

    async def next_line(history: list[Turn]) -> str | None:
        return remaining.pop(0) if remaining else None

    return next_line


async def play_call(debtor: DebtorEngine, setup: CallSetup, agent: AgentLine, max_turns: int = 40) -> list[Turn]:
    """Alternate agent and debtor until the agent has nothing more to say or the call ends."""
    history: list[Turn] = []
    opening = debtor.opening_line(setup)
    if opening:
        history.append(Turn(role="debtor", text=opening))
    while len(history) < max_turns:
        line = await agent(history)
        if not line:
            break
        history.append(Turn(role="agent", text=line))
        reply = "".join([chunk async for chunk in debtor.stream_reply(setup, history) if isinstance(chunk, str)])
        if reply.strip():
            history.append(Turn(role="debtor", text=reply.strip()))
        if debtor.call_state(setup, history).ended:
            break
    return history


@dataclass(frozen=True)
class SimulationSpec:
    """What `roleplay simulate` was asked for."""

    style: AgentStyle
    persona: Persona
    language: Language
    n: int = 1
    seed: int = 0
    backend: Literal["offline", "openai"] = "offline"


def simulated_row(spec: SimulationSpec, index: int, seed: int, turns: Sequence[Turn]) -> dict[str, Any]:
    quadrant: Quadrant = spec.style
    transcript = Transcript(
        id=f"sim-{spec.style}-{spec.persona.id}-{spec.language}-{seed}-{index}",
        language=spec.language,
        persona_id=spec.persona.id,
        turns=list(turns),
    )
    return {
        **transcript.model_dump(mode="json"),
        "labels": {"rater": "simulate", "quadrant": quadrant},
        "agent_style": spec.style,
        "agent_backend": spec.backend,
        "seed": seed,
    }


async def simulate(spec: SimulationSpec, debtor: DebtorEngine) -> list[dict[str, Any]]:
    """`spec.n` calls (seeds spec.seed, spec.seed+1, ...) as dataset rows."""
    rows = []
    for index in range(spec.n):
        seed = spec.seed + index
        setup = CallSetup(persona=spec.persona, language=spec.language, seed=seed)
        agent = agent_for(spec, seed)
        turns = await play_call(debtor, setup, agent)
        rows.append(simulated_row(spec, index, seed, turns))
    return rows


def agent_for(spec: SimulationSpec, seed: int) -> AgentLine:
    if spec.backend == "offline":
        return scripted_agent(scripted_lines(spec.style, spec.persona, spec.language, seed))
    return llm_agent(spec, seed)


def llm_agent_system_prompt(spec: SimulationSpec, seed: int) -> str:
    prompts = load_llm_agent_prompts()
    script = load_agent_script(spec.language)
    agent = script.agents[stable_choice(len(script.agents), "agent", spec.persona.id, seed)]
    context = {
        **persona_context(spec.persona, spec.language, agent, seed),
        "language_name": LANGUAGE_NAMES[spec.language],
    }
    return (prompts.common + "\n" + prompts.styles[spec.style]).format_map(context)


def llm_messages(system: str, history: Sequence[Turn]) -> list[dict[str, str]]:
    """The agent is the assistant; the debtor's lines are the user's."""
    messages = [{"role": "system", "content": system}]
    if not history or history[0].role == "agent":
        messages.append({"role": "user", "content": "(The debtor picks up the phone.)"})
    messages += [{"role": "assistant" if t.role == "agent" else "user", "content": t.text} for t in history]
    return messages


def llm_agent(spec: SimulationSpec, seed: int) -> AgentLine:
    """An LLM agent (the `openai` backend, debtor-model settings) playing `spec.style`."""
    from roleplay.llm.client import build_chat_model, endpoint_failure
    from roleplay.settings import LLMSettings

    settings = LLMSettings()
    system = llm_agent_system_prompt(spec, seed)

    async def next_line(history: list[Turn]) -> str | None:
        if sum(1 for t in history if t.role == "agent") >= MAX_LLM_TURNS:
            return None
        model = build_chat_model(settings, "debtor", streaming=False)
        try:
            reply = await model.ainvoke(llm_messages(system, history))
        except Exception as exc:
            failure = endpoint_failure(exc, settings, "debtor")
            raise (failure or exc) from None
        text = reply.content if isinstance(reply.content, str) else ""
        return text.strip() or None

    return next_line


def write_rows(rows: Sequence[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
