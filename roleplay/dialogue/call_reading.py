"""What the debtor hears in one agent turn: the dialogue acts from the tagger, plus the figures, the
questions they can answer and the name they are addressed by (lexicon: prompts/debtor/reading.yaml)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from roleplay.acts import Act, ActHit
from roleplay.content import load_model, prompts_dir
from roleplay.dialogue.call_mind import Offer, Topic, TurnReading
from roleplay.dialogue.tagger import extract_amounts, tag
from roleplay.domain import Language, Persona

NAME = r"[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü'\-]+"
# A figure with a monthly word but no proposal act is still an offer, unless the turn states the
# debt, a consequence or a summary (tagger gap: "We can set it at 50 euros per month" etc.).
NOT_AN_OFFER = frozenset({Act.STATE_DEBT, Act.OBJECTIVE_CONSEQUENCE, Act.SUMMARY})


class ReadingLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    monthly: dict[Language, list[str]]
    asks: dict[Topic, dict[Language, list[str]]]
    name_cues: dict[Language, list[str]]
    honorifics: dict[Language, list[str]]


@dataclass(frozen=True)
class CompiledReading:
    monthly: re.Pattern[str]
    asks: dict[Topic, re.Pattern[str]]
    names: re.Pattern[str]


def _any_of(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@cache
def compiled_reading(language: Language) -> CompiledReading:
    lexicon = load_model(prompts_dir() / "debtor" / "reading.yaml", ReadingLexicon)
    cues, honorifics = _any_of(lexicon.name_cues[language]), _any_of(lexicon.honorifics[language])
    names = rf"(?i:\b(?:{cues}))\s+(?:(?i:{honorifics})\s+)?(?P<name>{NAME}(?:\s+{NAME}){{0,2}})"
    return CompiledReading(
        monthly=re.compile(_any_of(lexicon.monthly[language]), re.IGNORECASE),
        asks={topic: re.compile(_any_of(by[language]), re.IGNORECASE) for topic, by in lexicon.asks.items()},
        names=re.compile(names),
    )


def read_turn(agent_text: str, language: Language) -> TurnReading:
    hits = tag(agent_text, language, role="agent")
    lexicon = compiled_reading(language)
    acts = frozenset(hit.act for hit in hits)
    monthly = bool(lexicon.monthly.search(agent_text))
    offers = _amounts_of(hits, Act.PROPOSAL)
    if not offers and monthly and not acts & NOT_AN_OFFER:
        offers = tuple(extract_amounts(agent_text))
        acts = acts | {Act.PROPOSAL} if offers else acts
    return TurnReading(
        acts=acts,
        offer_amounts=offers,
        monthly=monthly,
        has_date=any(hit.has_date for hit in hits if hit.act in (Act.PROPOSAL, Act.SUMMARY)),
        summary_amounts=_amounts_of(hits, Act.SUMMARY),
        asks=frozenset(topic for topic, pattern in lexicon.asks.items() if pattern.search(agent_text)),
        names=tuple(match["name"] for match in lexicon.names.finditer(agent_text)),
    )


def _amounts_of(hits: Sequence[ActHit], act: Act) -> tuple[float, ...]:
    return tuple(amount for hit in hits if hit.act == act for amount in hit.amounts)


def offer_from(amounts: Sequence[float], monthly: bool, persona: Persona) -> Offer | None:
    """The payment named by `amounts`, or None if there is no figure."""
    positive = [a for a in amounts if a > 0]
    if not positive:
        return None
    if monthly:
        return Offer("instalments", min(positive), monthly=True)
    amount = max(positive)
    kind = "full_payment" if amount >= persona.debt.amount else "partial_payment"
    return Offer(kind, amount)


def proposed_offer(reading: TurnReading, persona: Persona) -> Offer | None:
    """The payment the agent proposes in this turn, or None if there is no figure."""
    return offer_from(reading.offer_amounts, reading.monthly, persona)


def summarised_offer(reading: TurnReading, persona: Persona) -> Offer | None:
    """The payment an agent's summary names ("just to confirm: 50 euros on the 5th of each month")."""
    return offer_from(reading.summary_amounts, reading.monthly, persona)


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def wrong_name(reading: TurnReading, persona: Persona) -> bool:
    """The agent asked for the debtor by a name that is not theirs ("am I speaking with Lucía?")."""
    if Act.VERIFY_IDENTITY not in reading.acts or not reading.names:
        return False
    own = {_folded(part) for part in persona.name.split()}
    return not any(_folded(word) in own for name in reading.names for word in name.split())
