"""The debtor's side of a call as data: what they heard, what they feel, what they do next; and the
persona traits the turn rules read. Pure types and functions, no model call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from roleplay.acts import Act
from roleplay.domain import HiddenFact, Persona
from roleplay.protocols import EndReason

Stage = Literal[
    "third_party", "message_taken", "opening", "identified", "debt_stated", "exploring", "negotiating", "agreed",
    "closed", "hung_up",
]  # fmt: skip
Speaker = Literal["debtor", "third_party"]
Topic = Literal["amount", "payday"]
Prompt = Literal["", "empathy", "question", "verbatim"]
ReactionKind = Literal[
    "call_over", "confused_meta", "hang_up", "threatened", "hurt_by_blame", "offended", "vague_promise",
    "accept", "counter_offer", "cannot_pay_now", "vague_refusal", "not_this_way", "asks_callback",
    "asks_for_time", "disclose", "confirm_close", "agreed_waiting", "no_agreement_yet", "hears_debt",
    "confirm_identity", "wrong_name", "worried_by_consequence", "explains_income", "names_capacity",
    "dodges_amount", "answers_vague", "feels_heard", "open_to_options", "greeting_response", "closed_answer",
    "shrugs_off", "pleaded_with", "deflect", "filler",
    "tp_who_is_calling", "tp_hand_over", "tp_takes_message", "tp_message_taken", "tp_not_for_me",
]  # fmt: skip

MONEY_KINDS = ("instalments", "partial_payment", "full_payment")
LUMP_KINDS = ("partial_payment", "full_payment")
PROMISE_KINDS = ("callback", "dispute_review")


@dataclass(frozen=True)
class Offer:
    """An agreed or proposed payment: `amount` is monthly when `monthly`; None for a non-money promise."""

    kind: str
    amount: float | None = None
    monthly: bool = False


@dataclass(frozen=True)
class Reaction:
    """What the debtor does next. `amount` is the figure the debtor names (counter-offer, acceptance)."""

    kind: ReactionKind
    fact_id: str | None = None
    amount: float | None = None
    monthly: bool = False
    offer: float | None = None  # the agent's proposed figure, when reacting to a proposal
    acknowledge_identity: bool = False  # prefix a short "yes, speaking" before the main line
    prompted_by: Prompt = ""  # what drew a disclosure out: kind words, a question, or neither


@dataclass(frozen=True)
class DebtorMind:
    trust: float
    stress: float
    stage: Stage
    speaker: Speaker = "debtor"
    hostile_count: int = 0
    disclosed: tuple[str, ...] = ()
    agreement: Offer | None = None
    offers_seen: tuple[float, ...] = ()
    counter_offered: bool = False
    ended: bool = False
    end_reason: EndReason | None = None
    identity_verified: bool = False
    debt_stated: bool = False
    agent_identified: bool = False
    asked_who_calls: bool = False
    debt_disclosed_to_third_party: bool = False


@dataclass(frozen=True)
class TurnReading:
    """What the debtor heard in one agent turn.

    `summary_amounts` are the figures of a summary ("just to confirm: 50 euros on the 5th");
    `asks` the questions the debtor can answer (how much can you pay, when do you get paid);
    `names` the names the agent addressed the debtor by ("am I speaking with Lucía?")."""

    acts: frozenset[Act]
    offer_amounts: tuple[float, ...]
    monthly: bool
    has_date: bool
    summary_amounts: tuple[float, ...] = ()
    asks: frozenset[Topic] = frozenset()
    names: tuple[str, ...] = ()


# --------------------------------------------------------------------------- persona traits


def accept_trust(persona: Persona) -> float:
    """Trust needed to agree to a payment: harder personas need more."""
    return 0.35 + 0.1 * persona.difficulty


def reveal_trust(persona: Persona) -> float:
    """Trust needed to say what they can really pay."""
    return accept_trust(persona) - 0.05


def exploits_softness(persona: Persona) -> bool:
    """A strategic non-payer: could pay at once, is not paying, and takes pleading as a way out."""
    return "strategic" in persona.archetype.lower() or "strategic" in persona.id


def pays_money(persona: Persona) -> bool:
    """False for a debtor who only accepts a call-back or a review (e.g. one disputing the amount)."""
    return any(agreement.kind in MONEY_KINDS for agreement in persona.accepts)


def accepted_kinds(persona: Persona) -> set[str]:
    return {agreement.kind for agreement in persona.accepts}


def within_capacity(persona: Persona, offer: Offer) -> bool:
    if offer.amount is None:
        return True
    if offer.monthly:
        return offer.amount <= persona.capacity.monthly
    return offer.amount <= persona.capacity.lump_sum


def kind_accepted(persona: Persona, offer: Offer) -> bool:
    """Whether the persona takes this kind of payment at all (one lump or another counts alike)."""
    kinds = accepted_kinds(persona)
    if offer.monthly:
        return "instalments" in kinds
    return bool(kinds & set(LUMP_KINDS)) or ("instalments" in kinds and persona.capacity.lump_sum > 0)


def earned_facts(mind: DebtorMind, persona: Persona, acts: frozenset[Act]) -> list[HiddenFact]:
    earned = {act.value for act in acts}
    return [
        fact
        for fact in persona.hidden_facts
        if fact.id not in mind.disclosed and earned & set(fact.earned_by) and mind.trust >= fact.min_trust
    ]
