"""The debtor's phrase banks (prompts/debtor/<language>.yaml) and the choice of a line for a reaction.

Shared by both backends: the offline debtor speaks only these lines; the LLM debtor falls back to
them in character when a reply cannot be used. The choice is deterministic: the same setup (persona,
language, seed) and history always give the same line.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from roleplay.content import ContentError, load_model, prompts_dir
from roleplay.dialogue.call_dynamics import Reaction, format_money
from roleplay.domain import Language, Persona
from roleplay.protocols import CallSetup

BASE_PLACEHOLDERS = frozenset({"name", "first_name", "creditor", "amount", "monthly", "lump_sum", "next_income"})
FACT_SITUATIONS = ("disclose", "disclose_empathy", "disclose_question", "disclose_verbatim", "tp_hand_over_fact")
FIGURE_SITUATIONS = ("accept_monthly", "accept_lump", "names_capacity_monthly", "names_capacity_lump")
EXTRA_PLACEHOLDERS: dict[str, frozenset[str]] = {
    **{situation: frozenset({"fact"}) for situation in FACT_SITUATIONS},
    **{situation: frozenset({"figure"}) for situation in FIGURE_SITUATIONS},
    "asks_for_time": frozenset({"offered"}),
}
SITUATIONS: tuple[str, ...] = (
    "identity_ack", "call_over", "confused_meta", "hang_up", "threatened", "hurt_by_blame", "offended",
    "vague_promise", "accept_monthly", "accept_lump", "accept_promise", "counter_offer_monthly",
    "counter_offer_lump", "cannot_pay_now", "vague_refusal", "not_this_way", "asks_callback", "asks_for_time",
    "disclose", "disclose_empathy", "disclose_question", "disclose_verbatim", "confirm_close", "agreed_waiting",
    "no_agreement_yet", "hears_debt", "confirm_identity", "wrong_name", "worried_by_consequence",
    "explains_income", "names_capacity_monthly", "names_capacity_lump", "dodges_amount", "answers_vague",
    "feels_heard", "open_to_options", "greeting_response", "closed_answer", "shrugs_off", "pleaded_with",
    "deflect", "filler", "tp_who_is_calling", "tp_hand_over", "tp_hand_over_fact", "tp_takes_message",
    "tp_message_taken", "tp_not_for_me",
)  # fmt: skip
MIN_VARIANTS = 3
Choice = tuple[int, int, int]  # (seed, turn index, shift past a repeated line)
CallPosition = tuple[int, int, Sequence[str]]  # (seed, turn index, the debtor's earlier lines in the call)
OPENING_WORDS = 3  # two lines of a call never start with the same three words, while variants last
MIN_OPENER = 8  # shorter fixed openings ("Yes.", "Well...") may recur; longer ones are said once a call


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
    if reaction.kind in ("counter_offer", "names_capacity"):
        return f"{reaction.kind}_{'monthly' if reaction.monthly else 'lump'}"
    if reaction.kind == "disclose" and reaction.prompted_by:
        return f"disclose_{reaction.prompted_by}"
    if reaction.kind == "tp_hand_over" and reaction.fact_id is not None:
        return "tp_hand_over_fact"
    return reaction.kind


def line_context(bank: PhraseBank, persona: Persona, reaction: Reaction) -> dict[str, str]:
    """The values a template may use for this persona and reaction."""
    language = bank.language

    def money(amount: float) -> str:
        return format_money(amount, persona.debt.currency, language)

    context = {
        "name": persona.name,
        "first_name": persona.name.split()[0],
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
    if reaction.offer is not None:
        context["offered"] = money(reaction.offer)
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


def opener(template: str) -> str:
    """The fixed words a template starts with ("Look, I'll tell you something."), or the whole line."""
    return template.split("{", 1)[0].strip()


def first_words(line: str) -> str:
    return " ".join(line.split()[:OPENING_WORDS]).lower()


def used_before(template: str, rendered: str, earlier: Sequence[str]) -> bool:
    """Whether this line, its fixed opening, or its first words were already said in the call."""
    start = opener(template)
    said = any(rendered == line or (len(start) >= MIN_OPENER and start in line) for line in earlier)
    return said or first_words(rendered) in {first_words(line) for line in earlier}


def choose_line(
    bank: PhraseBank, situation: str, style: str, context: Mapping[str, str], position: CallPosition
) -> str:
    """The variant picked by a stable hash, moved on past any whose words were said earlier in the call."""
    seed, turn_index, earlier = position
    lines = bank.variants(situation, style)
    first = stable_index(seed, turn_index, situation, style, size=len(lines))
    ordered = [lines[(first + step) % len(lines)] for step in range(len(lines))]
    where = f"{bank.version} situation '{situation}'"
    rendered = [render(template, context, where) for template in ordered]
    fresh = [line for template, line in zip(ordered, rendered, strict=True) if not used_before(template, line, earlier)]
    if fresh:
        return fresh[0]
    previous = earlier[-1] if earlier else ""
    return next((line for line in rendered if line != previous), rendered[0])


def compose_reply(
    setup: CallSetup, bank: PhraseBank, reaction: Reaction, turn_index: int, earlier: Sequence[str]
) -> str:
    """The debtor's line for `reaction`: never their previous line, and openers not reused in the call."""
    context = line_context(bank, setup.persona, reaction)
    style = bank.style_of(setup.persona)
    position = (setup.seed, turn_index, earlier)
    main = choose_line(bank, situation_for(reaction), style, context, position)
    if not reaction.acknowledge_identity:
        return main
    return f"{choose_line(bank, 'identity_ack', style, context, position)} {main}"
