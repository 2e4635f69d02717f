"""How a debtor persona reacts to an agent, turn by turn: pure functions, no model call.

`advance` turns (mind, agent text) into (next mind, what the debtor does next). The scripted debtor
picks its words from the reaction; the LLM backend uses `call_state` for its live trust indicator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from roleplay.acts import HOSTILE_ACTS, Act, ActHit
from roleplay.domain import Agreement, HiddenFact, Language, Persona, Turn
from roleplay.offline.tagger import tag
from roleplay.protocols import CallState, EndReason, Mood

Stage = Literal[
    "third_party", "message_taken", "opening", "identified", "debt_stated", "exploring", "negotiating", "agreed",
    "closed", "hung_up",
]  # fmt: skip
Speaker = Literal["debtor", "third_party"]
ReactionKind = Literal[
    "call_over", "confused_meta", "hang_up", "threatened", "hurt_by_blame", "offended", "vague_promise",
    "accept", "counter_offer", "cannot_pay_now", "vague_refusal", "not_this_way", "disclose", "confirm_close",
    "agreed_waiting", "no_agreement_yet", "hears_debt", "confirm_identity", "worried_by_consequence",
    "explains_income", "answers_vague", "feels_heard", "open_to_options", "greeting_response", "closed_answer",
    "shrugs_off", "deflect", "filler",
    "tp_who_is_calling", "tp_hand_over", "tp_takes_message", "tp_message_taken", "tp_not_for_me",
]  # fmt: skip

TRUST_DELTAS: dict[Act, float] = {
    Act.EMPATHY: 0.10,
    Act.PARAPHRASE: 0.08,
    Act.COLLABORATION: 0.08,
    Act.OPEN_QUESTION: 0.05,
    Act.IDENTIFY_SELF: 0.03,
    Act.VERIFY_IDENTITY: 0.02,
    Act.STATE_DEBT: 0.02,
    Act.SUMMARY: 0.02,
    Act.PROPOSAL: 0.02,
    Act.OBJECTIVE_CONSEQUENCE: 0.04,
    Act.THREAT: -0.15,
    Act.ILLEGAL_THREAT: -0.25,
    Act.INSULT: -0.20,
    Act.BLAME: -0.15,
    Act.MORALISING: -0.10,
    Act.FALSE_REPRESENTATION: -0.10,
    Act.GRADER_DIRECTED: -0.05,
    Act.LEAVE_DECISION: -0.02,
}
STRESS_DELTAS: dict[Act, float] = {
    Act.THREAT: 0.20,
    Act.ILLEGAL_THREAT: 0.30,
    Act.INSULT: 0.20,
    Act.BLAME: 0.15,
    Act.MORALISING: 0.10,
    Act.OBJECTIVE_CONSEQUENCE: 0.05,
    Act.EMPATHY: -0.10,
    Act.PARAPHRASE: -0.05,
    Act.COLLABORATION: -0.05,
}
CLOSED_BY_FACTOR = 1.5  # a hostile act the persona is sensitive to hurts this much more
CLOSED_BY_PENALTY = -0.08  # a non-hostile act the persona is sensitive to
SOFTNESS_ACTS = frozenset({Act.PLEADING, Act.LEAVE_DECISION})
MONTHLY_WORDS = re.compile(
    r"al mes|mensual|cuotas?|plazos?|a month|per month|monthly|instal?ments?|every month|cada mes", re.IGNORECASE
)
MONEY_KINDS = ("instalments", "partial_payment", "full_payment")
PROMISE_KINDS = ("callback", "dispute_review")
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "MXN": "MX$"}


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
    """What the debtor heard in one agent turn."""

    acts: frozenset[Act]
    offer_amounts: tuple[float, ...]
    monthly: bool
    has_date: bool


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


def initial_mind(persona: Persona) -> DebtorMind:
    if persona.answered_by_third_party:
        return DebtorMind(trust=persona.initial_trust, stress=0.3, stage="third_party", speaker="third_party")
    return DebtorMind(trust=persona.initial_trust, stress=0.3, stage="opening")


# --------------------------------------------------------------------------- reading a turn


def read_turn(agent_text: str, language: Language) -> TurnReading:
    hits = tag(agent_text, language, role="agent")
    acts = frozenset(hit.act for hit in hits)
    return TurnReading(
        acts=acts,
        offer_amounts=_proposal_amounts(hits),
        monthly=bool(MONTHLY_WORDS.search(agent_text)),
        has_date=any(hit.has_date for hit in hits if hit.act == Act.PROPOSAL),
    )


def _proposal_amounts(hits: Sequence[ActHit]) -> tuple[float, ...]:
    return tuple(amount for hit in hits if hit.act == Act.PROPOSAL for amount in hit.amounts)


def proposed_offer(reading: TurnReading, persona: Persona) -> Offer | None:
    """The payment the agent proposes in this turn, or None if there is no figure."""
    amounts = [a for a in reading.offer_amounts if a > 0]
    if not amounts:
        return None
    if reading.monthly:
        return Offer("instalments", min(amounts), monthly=True)
    amount = max(amounts)
    kind = "full_payment" if amount >= persona.debt.amount else "partial_payment"
    return Offer(kind, amount)


# --------------------------------------------------------------------------- trust and stress


def _act_delta(act: Act, persona: Persona) -> float:
    base = TRUST_DELTAS.get(act, 0.0)
    if act.value not in persona.closed_by:
        return base
    return base * CLOSED_BY_FACTOR if act in HOSTILE_ACTS else CLOSED_BY_PENALTY


def _clamp(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 3)


def feel(mind: DebtorMind, persona: Persona, acts: frozenset[Act]) -> DebtorMind:
    """Trust, stress and hostility after hearing `acts`."""
    hostile = acts & HOSTILE_ACTS
    trust_delta = sum(_act_delta(act, persona) for act in acts)
    if hostile:
        trust_delta = min(trust_delta, sum(_act_delta(act, persona) for act in hostile))
    stress_delta = sum(STRESS_DELTAS.get(act, 0.0) for act in acts)
    return replace(
        mind,
        trust=_clamp(mind.trust + trust_delta),
        stress=_clamp(mind.stress + stress_delta),
        hostile_count=mind.hostile_count + len(hostile),
        agent_identified=mind.agent_identified or Act.IDENTIFY_SELF in acts,
    )


def mood_of(mind: DebtorMind) -> Mood:
    moods: tuple[Mood, ...] = ("hostile", "guarded", "neutral", "open", "cooperative")
    level = min(4, int(mind.trust * 5))
    if mind.stress >= 0.7 and level > 1:
        level -= 1
    return moods[level]


# --------------------------------------------------------------------------- the turn


def advance(mind: DebtorMind, persona: Persona, language: Language, agent_text: str) -> tuple[DebtorMind, Reaction]:
    """The debtor's mind after hearing `agent_text`, and what they do next."""
    if mind.ended:
        return mind, Reaction("call_over")
    return respond(mind, persona, read_turn(agent_text, language))


def respond(mind: DebtorMind, persona: Persona, reading: TurnReading) -> tuple[DebtorMind, Reaction]:
    """`advance` for an already-read turn."""
    if mind.ended:
        return mind, Reaction("call_over")
    mind = feel(mind, persona, reading.acts)
    if mind.hostile_count > persona.hangup_patience:
        return replace(mind, ended=True, end_reason="debtor_hung_up", stage="hung_up"), Reaction("hang_up")
    if Act.GRADER_DIRECTED in reading.acts:
        return mind, Reaction("confused_meta")
    if mind.speaker == "third_party":
        return third_party_turn(mind, persona, reading)
    return debtor_turn(mind, persona, reading)


def debtor_turn(mind: DebtorMind, persona: Persona, reading: TurnReading) -> tuple[DebtorMind, Reaction]:
    acts = reading.acts
    ack = Act.VERIFY_IDENTITY in acts and not mind.identity_verified
    mind = _note_identity_and_debt(mind, acts)
    if mind.agreement is not None:
        return after_agreement(mind, acts)
    hostile = hostile_reaction(acts)
    if hostile is not None:
        return mind, hostile
    if acts & SOFTNESS_ACTS and (exploits_softness(persona) or Act.LEAVE_DECISION in acts):
        return mind, Reaction("vague_promise")
    if Act.PROPOSAL in acts:
        return negotiate(replace(mind, stage="negotiating"), persona, reading)
    fact = fact_to_disclose(mind, persona, acts)
    if fact is not None:
        return replace(mind, disclosed=(*mind.disclosed, fact.id), stage="exploring"), Reaction(
            "disclose", fact_id=fact.id
        )
    reaction = plain_reaction(mind, persona, acts, ack)
    return mind, replace(reaction, acknowledge_identity=ack and reaction.kind != "confirm_identity")


def _note_identity_and_debt(mind: DebtorMind, acts: frozenset[Act]) -> DebtorMind:
    stage = mind.stage
    if Act.VERIFY_IDENTITY in acts and stage == "opening":
        stage = "identified"
    if Act.STATE_DEBT in acts and stage in ("opening", "identified"):
        stage = "debt_stated"
    return replace(
        mind,
        stage=stage,
        identity_verified=mind.identity_verified or Act.VERIFY_IDENTITY in acts,
        debt_stated=mind.debt_stated or Act.STATE_DEBT in acts,
    )


def hostile_reaction(acts: frozenset[Act]) -> Reaction | None:
    if acts & {Act.THREAT, Act.ILLEGAL_THREAT}:
        return Reaction("threatened")
    if acts & {Act.BLAME, Act.MORALISING}:
        return Reaction("hurt_by_blame")
    if Act.INSULT in acts:
        return Reaction("offended")
    return None


def after_agreement(mind: DebtorMind, acts: frozenset[Act]) -> tuple[DebtorMind, Reaction]:
    hostile = hostile_reaction(acts)
    if hostile is not None:
        return mind, hostile
    if Act.SUMMARY in acts:
        return replace(mind, ended=True, end_reason="agreement", stage="closed"), Reaction("confirm_close")
    return mind, Reaction("agreed_waiting")


def fact_to_disclose(mind: DebtorMind, persona: Persona, acts: frozenset[Act]) -> HiddenFact | None:
    """The first undisclosed fact earned by one of `acts` at the current trust."""
    facts = earned_facts(mind, persona, acts)
    return facts[0] if facts else None


# --------------------------------------------------------------------------- negotiation


def pays_money(persona: Persona) -> bool:
    """False for a debtor who only accepts a call-back or a review (e.g. one disputing the amount)."""
    return any(agreement.kind in MONEY_KINDS for agreement in persona.accepts)


def within_capacity(persona: Persona, offer: Offer) -> bool:
    if offer.amount is None:
        return True
    if offer.monthly:
        return offer.amount <= persona.capacity.monthly
    return offer.amount <= persona.capacity.lump_sum


def negotiate(mind: DebtorMind, persona: Persona, reading: TurnReading) -> tuple[DebtorMind, Reaction]:
    offer = proposed_offer(reading, persona)
    if offer is None:
        return promise_without_money(mind, persona, reading)
    mind = replace(mind, offers_seen=(*mind.offers_seen, offer.amount or 0.0))
    if not pays_money(persona):
        return mind, Reaction("not_this_way", offer=offer.amount)
    if within_capacity(persona, offer) and mind.trust >= accept_trust(persona):
        agreed = replace(mind, agreement=offer, stage="agreed")
        return agreed, Reaction("accept", amount=offer.amount, monthly=offer.monthly, offer=offer.amount)
    if within_capacity(persona, offer) or mind.trust < reveal_trust(persona):
        return mind, Reaction("vague_refusal", offer=offer.amount)
    return replace(mind, counter_offered=True), counter_offer(persona, offer)


def counter_offer(persona: Persona, offer: Offer) -> Reaction:
    """What they can really pay instead of `offer`."""
    capacity = persona.capacity
    if not offer.monthly and capacity.lump_sum > 0:
        return Reaction("counter_offer", amount=capacity.lump_sum, offer=offer.amount)
    if capacity.monthly > 0:
        return Reaction("counter_offer", amount=capacity.monthly, monthly=True, offer=offer.amount)
    return Reaction("cannot_pay_now", offer=offer.amount)


def promise_without_money(mind: DebtorMind, persona: Persona, reading: TurnReading) -> tuple[DebtorMind, Reaction]:
    """A proposal with no figure: a call-back or a review is agreed; otherwise they ask what is meant."""
    kinds = [a.kind for a in persona.accepts if a.kind in PROMISE_KINDS]
    if kinds and reading.has_date and mind.trust >= reveal_trust(persona):
        return replace(mind, agreement=Offer(kinds[0]), stage="agreed"), Reaction("accept")
    if mind.trust >= reveal_trust(persona) and persona.capacity.monthly > 0:
        monthly = persona.capacity.monthly
        return replace(mind, counter_offered=True), Reaction("counter_offer", amount=monthly, monthly=True)
    return mind, Reaction("vague_refusal")


# --------------------------------------------------------------------------- everything else


def plain_reaction(mind: DebtorMind, persona: Persona, acts: frozenset[Act], ack: bool) -> Reaction:
    """The reaction to a turn with no hostility, proposal or disclosure."""
    if Act.SUMMARY in acts:
        return Reaction("no_agreement_yet")
    if Act.STATE_DEBT in acts:
        return Reaction("hears_debt")
    if ack:
        return Reaction("confirm_identity")
    if Act.OBJECTIVE_CONSEQUENCE in acts:
        return Reaction("worried_by_consequence")
    guarded = mind.trust < 0.3
    if Act.OPEN_QUESTION in acts:
        return Reaction(_open_answer(mind, persona, guarded))
    return Reaction(_soft_answer(acts, guarded))


def _open_answer(mind: DebtorMind, persona: Persona, guarded: bool) -> ReactionKind:
    if guarded:
        return "deflect"
    return "explains_income" if mind.trust >= reveal_trust(persona) else "answers_vague"


def _soft_answer(acts: frozenset[Act], guarded: bool) -> ReactionKind:
    if acts & {Act.EMPATHY, Act.PARAPHRASE}:
        return "feels_heard"
    if Act.COLLABORATION in acts:
        return "open_to_options"
    if Act.MINIMISING in acts:
        return "shrugs_off"
    if guarded:
        return "deflect"
    if Act.IDENTIFY_SELF in acts:
        return "greeting_response"
    return "closed_answer" if Act.CLOSED_QUESTION in acts else "filler"


def third_party_turn(mind: DebtorMind, persona: Persona, reading: TurnReading) -> tuple[DebtorMind, Reaction]:
    """The partner answers: hand over to a caller who asks for the debtor and says who they are.

    The persona's facts earned while the partner speaks are the partner's (or, at the hand-over, the
    debtor's first) words; the default lines are used when the persona has none for the moment."""
    acts = reading.acts
    if mind.stage == "message_taken":
        return mind, Reaction("tp_message_taken")
    if Act.STATE_DEBT in acts:
        return replace(mind, debt_disclosed_to_third_party=True, stage="message_taken"), Reaction("tp_takes_message")
    if Act.VERIFY_IDENTITY in acts and mind.agent_identified:
        handed = replace(mind, speaker="debtor", stage="identified", identity_verified=True)
        return _with_fact(handed, earned_facts(mind, persona, acts)[-1:], Reaction("tp_hand_over"))
    if Act.VERIFY_IDENTITY in acts and mind.asked_who_calls:
        return replace(mind, stage="message_taken"), Reaction("tp_takes_message")
    if Act.PROPOSAL in acts or Act.OPEN_QUESTION in acts:
        return mind, Reaction("tp_not_for_me")
    asked = replace(mind, asked_who_calls=True)
    return _with_fact(asked, earned_facts(mind, persona, acts)[:1], Reaction("tp_who_is_calling"))


def earned_facts(mind: DebtorMind, persona: Persona, acts: frozenset[Act]) -> list[HiddenFact]:
    earned = {act.value for act in acts}
    return [
        fact
        for fact in persona.hidden_facts
        if fact.id not in mind.disclosed and earned & set(fact.earned_by) and mind.trust >= fact.min_trust
    ]


def _with_fact(mind: DebtorMind, facts: list[HiddenFact], default: Reaction) -> tuple[DebtorMind, Reaction]:
    if not facts:
        return mind, default
    return replace(mind, disclosed=(*mind.disclosed, facts[0].id)), Reaction("disclose", fact_id=facts[0].id)


# --------------------------------------------------------------------------- replaying a call


def replay(persona: Persona, language: Language, history: Sequence[Turn]) -> tuple[DebtorMind, Reaction | None]:
    """The mind after every agent turn of `history`, and the reaction to the last agent turn."""
    mind, reaction = initial_mind(persona), None
    for turn in history:
        if turn.role == "agent":
            mind, reaction = advance(mind, persona, language, turn.text)
    return mind, reaction


def format_money(amount: float, currency: str, language: Language) -> str:
    """'1.200 €' in Spanish, '€1,200' in English; cents only when there are any."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    digits = f"{amount:,.2f}" if amount != int(amount) else f"{int(amount):,}"
    if language == "en":
        return f"{symbol}{digits}"
    spanish = digits.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{spanish} {symbol}"


def agreement_words(persona: Persona, offer: Offer, language: Language) -> str:
    """The agreement in words: the persona's own description of it, with the agreed figure."""
    described: Agreement = next((a for a in persona.accepts if a.kind == offer.kind), persona.accepts[0])
    text = described.description.get(language)
    if offer.amount is None:
        return text
    return f"{text} ({format_money(offer.amount, persona.debt.currency, language)})"


def state_of(mind: DebtorMind, persona: Persona, language: Language) -> CallState:
    agreement = agreement_words(persona, mind.agreement, language) if mind.agreement else None
    return CallState(
        trust=mind.trust,
        mood=mood_of(mind),
        stage=mind.stage,
        disclosed=list(mind.disclosed),
        agreement=agreement,
        ended=mind.ended,
        end_reason=mind.end_reason,
    )


def call_state(persona: Persona, language: Language, history: Sequence[Turn]) -> CallState:
    """The debtor's state after replaying the agent turns of `history`."""
    mind, _ = replay(persona, language, history)
    return state_of(mind, persona, language)
