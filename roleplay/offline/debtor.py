"""The offline debtor: a persona played from phrase banks (prompts/debtor/<language>.yaml).

`call_dynamics` decides what the debtor does; this module only chooses the words, deterministically:
the same setup (persona, language, seed) and history always give the same reply.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import AsyncIterator, Mapping, Sequence
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from roleplay.content import ContentError, load_model, prompts_dir
from roleplay.domain import LANGUAGES, Language, Persona, Turn
from roleplay.offline.call_dynamics import Reaction, call_state, format_money, replay
from roleplay.protocols import CallSetup, CallState

BASE_PLACEHOLDERS = frozenset({"name", "creditor", "amount", "monthly", "lump_sum", "next_income"})
EXTRA_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "disclose": frozenset({"fact"}),
    "accept_monthly": frozenset({"figure"}),
    "accept_lump": frozenset({"figure"}),
}
SITUATIONS: tuple[str, ...] = (
    "identity_ack", "call_over", "confused_meta", "hang_up", "threatened", "hurt_by_blame", "offended",
    "vague_promise", "accept_monthly", "accept_lump", "accept_promise", "counter_offer_monthly",
    "counter_offer_lump", "cannot_pay_now", "vague_refusal", "not_this_way", "disclose", "confirm_close",
    "agreed_waiting", "no_agreement_yet", "hears_debt", "confirm_identity", "worried_by_consequence",
    "explains_income", "answers_vague", "feels_heard", "open_to_options", "greeting_response", "closed_answer",
    "shrugs_off", "deflect", "filler", "tp_who_is_calling", "tp_hand_over", "tp_takes_message",
    "tp_message_taken", "tp_not_for_me",
)  # fmt: skip
MIN_VARIANTS = 3
Choice = tuple[int, int, int]  # (seed, turn index, shift past a repeated line)
WORDS_PER_CHUNK = 3


class PhraseBankError(ContentError):
    """A phrase-bank template cannot be rendered."""


class StyleRule(BaseModel):
    """Which personas speak in a style: by persona id, or by a word of their archetype."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    personas: list[str] = Field(default_factory=list)
    archetypes: list[str] = Field(default_factory=list)


class PhraseBank(BaseModel):
    """Lines per situation and style; every situation has a `default` style; ≥ 3 variants each."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    language: Language
    styles: dict[str, StyleRule]
    first_person: dict[str, str] = Field(
        default_factory=dict, description="word swaps that put a persona's third-person payday in the debtor's mouth"
    )
    situations: dict[str, dict[str, list[str]]]

    @model_validator(mode="after")
    def _complete(self) -> PhraseBank:
        missing = [s for s in SITUATIONS if s not in self.situations]
        unknown = [s for s in self.situations if s not in SITUATIONS]
        if missing or unknown:
            raise ValueError(f"situations missing {missing}, unknown {unknown}")
        for situation, by_style in self.situations.items():
            _check_situation(situation, by_style, set(self.styles))
        return self

    def style_of(self, persona: Persona) -> str:
        archetype = persona.archetype.lower()
        for style, rule in self.styles.items():
            if persona.id in rule.personas or any(word in archetype for word in rule.archetypes):
                return style
        return "default"

    def in_first_person(self, text: str) -> str:
        """'cuando cobra el paro' -> 'cuando cobro el paro' (longest phrase first, whole words only)."""
        if not self.first_person:
            return text
        phrases = sorted(self.first_person, key=len, reverse=True)
        pattern = re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")\b", re.IGNORECASE)
        return pattern.sub(lambda m: self.first_person.get(m.group(0).lower(), m.group(0)), text)

    def variants(self, situation: str, style: str) -> list[str]:
        by_style = self.situations[situation]
        return by_style.get(style) or by_style["default"]


def placeholders_in(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def _check_situation(situation: str, by_style: dict[str, list[str]], styles: set[str]) -> None:
    if "default" not in by_style:
        raise ValueError(f"situation '{situation}' has no 'default' lines")
    allowed = BASE_PLACEHOLDERS | EXTRA_PLACEHOLDERS.get(situation, frozenset())
    for style, lines in by_style.items():
        where = f"situation '{situation}' style '{style}'"
        if style != "default" and style not in styles:
            raise ValueError(f"{where}: unknown style (declared: {sorted(styles)})")
        if len(lines) < MIN_VARIANTS:
            raise ValueError(f"{where}: needs at least {MIN_VARIANTS} variants, has {len(lines)}")
        for line in lines:
            unknown = placeholders_in(line) - allowed
            if unknown:
                raise ValueError(f"{where}: unknown placeholder(s) {sorted(unknown)} in {line!r}")


def bank_path(language: Language) -> Path:
    return prompts_dir() / "debtor" / f"{language}.yaml"


@cache
def load_phrase_bank(language: Language) -> PhraseBank:
    path = bank_path(language)
    bank = load_model(path, PhraseBank)
    if bank.language != language:
        raise ContentError(f"{path}: key 'language': '{bank.language}' must be '{language}'")
    return bank


# --------------------------------------------------------------------------- choosing the words


def situation_for(reaction: Reaction) -> str:
    if reaction.kind == "accept":
        if reaction.amount is None:
            return "accept_promise"
        return "accept_monthly" if reaction.monthly else "accept_lump"
    if reaction.kind == "counter_offer":
        return "counter_offer_monthly" if reaction.monthly else "counter_offer_lump"
    return reaction.kind


def line_context(bank: PhraseBank, persona: Persona, reaction: Reaction) -> dict[str, str]:
    """The values a template may use for this persona and reaction."""
    language = bank.language

    def money(amount: float) -> str:
        return format_money(amount, persona.debt.currency, language)

    context = {
        "name": persona.name,
        "creditor": persona.debt.creditor,
        "amount": money(persona.debt.amount),
        "monthly": money(persona.capacity.monthly),
        "lump_sum": money(persona.capacity.lump_sum),
        "next_income": bank.in_first_person(persona.capacity.next_income.get(language)),
    }
    if reaction.fact_id is not None:
        context["fact"] = next(f.text.get(language) for f in persona.hidden_facts if f.id == reaction.fact_id)
    if reaction.amount is not None:
        context["figure"] = money(reaction.amount)
    return context


def render(template: str, context: Mapping[str, str], where: str) -> str:
    try:
        return template.format_map(context)
    except (KeyError, IndexError, ValueError) as exc:
        raise PhraseBankError(f"{where}: cannot fill {template!r}: missing {exc}") from exc


def stable_index(*parts: object, size: int) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return int(digest, 16) % size


def pick_line(bank: PhraseBank, situation: str, style: str, context: Mapping[str, str], choice: Choice) -> str:
    """The variant chosen by a stable hash of (seed, turn index, situation, style), then `shift` further on."""
    seed, turn_index, shift = choice
    lines = bank.variants(situation, style)
    index = (stable_index(seed, turn_index, situation, style, size=len(lines)) + shift) % len(lines)
    return render(lines[index], context, f"{bank.version} situation '{situation}'")


def compose_reply(setup: CallSetup, bank: PhraseBank, reaction: Reaction, turn_index: int, avoid: str) -> str:
    """The debtor's line for `reaction`, never the same as `avoid` (the previous debtor line)."""
    context = line_context(bank, setup.persona, reaction)
    style = bank.style_of(setup.persona)
    line = ""
    for shift in range(MIN_VARIANTS):
        choice = (setup.seed, turn_index, shift)
        main = pick_line(bank, situation_for(reaction), style, context, choice)
        ack = pick_line(bank, "identity_ack", style, context, choice) if reaction.acknowledge_identity else ""
        line = f"{ack} {main}".strip()
        if line != avoid:
            return line
    return line


def last_debtor_line(history: Sequence[Turn]) -> str:
    return next((t.text for t in reversed(history) if t.role == "debtor"), "")


def word_chunks(line: str) -> list[str]:
    words = re.findall(r"\S+\s*", line)
    return ["".join(words[i : i + WORDS_PER_CHUNK]) for i in range(0, len(words), WORDS_PER_CHUNK)]


# --------------------------------------------------------------------------- the engine


class ScriptedDebtor:
    """The offline DebtorEngine: deterministic, no network, no key."""

    name = "offline"

    def __init__(self, banks: Mapping[Language, PhraseBank] | None = None) -> None:
        self.banks: dict[Language, PhraseBank] = dict(banks or {lang: load_phrase_bank(lang) for lang in LANGUAGES})
        versions = "+".join(self.banks[lang].version.removeprefix("debtor-") for lang in sorted(self.banks))
        self.model = f"scripted-debtor-{versions}"

    def opening_line(self, setup: CallSetup) -> str | None:
        return setup.persona.opening.get(setup.language)

    def reply(self, setup: CallSetup, history: Sequence[Turn]) -> str:
        """The whole reply to `history` (which ends with the agent's turn)."""
        _, reaction = replay(setup.persona, setup.language, history)
        if reaction is None:
            raise ValueError("the history has no agent turn to reply to")
        turn_index = sum(1 for t in history if t.role == "agent")
        bank = self.banks[setup.language]
        return compose_reply(setup, bank, reaction, turn_index, last_debtor_line(history))

    async def stream_reply(self, setup: CallSetup, history: Sequence[Turn]) -> AsyncIterator[str]:
        for chunk in word_chunks(self.reply(setup, history)):
            yield chunk

    def call_state(self, setup: CallSetup, history: Sequence[Turn]) -> CallState:
        return call_state(setup.persona, setup.language, history)
