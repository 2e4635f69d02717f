"""How a debtor persona reacts to an agent, turn by turn: pure functions, no model call.

`advance` turns (mind, agent text) into (next mind, what the debtor does next). The scripted debtor
picks its words from the reaction; the LLM backend uses `call_state` for its live trust indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from roleplay.acts import HOSTILE_ACTS, Act
from roleplay.dialogue.call_mind import (
    DebtorMind,
    Offer,
    Prompt,
    Reaction,
    ReactionKind,
    Stage,
    TurnReading,
    accept_trust,
    earned_facts,
    exploits_softness,
    pays_money,
    reveal_trust,
    within_capacity,
)
from roleplay.dialogue.call_negotiation import answer_amount, confirm_summary, counter_offer, negotiate
from roleplay.dialogue.call_reading import proposed_offer, read_turn, wrong_name
from roleplay.dialogue.call_third_party import third_party_turn
from roleplay.domain import Agreement, HiddenFact, Language, Persona, Turn
from roleplay.protocols import CallState, Mood

__all__ = [
    "DebtorMind", "Offer", "Reaction", "ReactionKind", "Stage", "TurnReading", "accept_trust", "advance",
    "call_state", "counter_offer", "earned_facts", "exploits_softness", "format_money", "initial_mind",
    "mood_of", "pays_money", "proposed_offer", "read_turn", "replay", "respond", "reveal_trust", "state_of",
    "within_capacity",
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
SUBSTANTIVE_ACTS = frozenset({Act.PROPOSAL, Act.SUMMARY, Act.STATE_DEBT, Act.OPEN_QUESTION})
GUARDED_BELOW = 0.3  # below this trust the debtor deflects personal questions
PAYDAY_EASE = 0.1  # when their money comes in is told a little earlier than how much they can pay
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "MXN": "MX$"}


# --------------------------------------------------------------------------- the start


def initial_mind(persona: Persona) -> DebtorMind:
    if persona.answered_by_third_party:
        return DebtorMind(trust=persona.initial_trust, stress=0.3, stage="third_party", speaker="third_party")
    return DebtorMind(trust=persona.initial_trust, stress=0.3, stage="opening")


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
    if not mind.identity_verified and wrong_name(reading, persona):
        return mind, Reaction("wrong_name")
    ack = Act.VERIFY_IDENTITY in acts and not mind.identity_verified
    mind = _note_identity_and_debt(mind, acts)
    if mind.agreement is not None:
        return after_agreement(mind, acts)
    settled = hostile_reaction(acts) or soft_reaction(persona, acts)
    if settled is not None:
        return mind, settled
    if Act.PROPOSAL in acts and (reading.offer_amounts or "amount" not in reading.asks):
        return negotiate(replace(mind, stage="negotiating"), persona, reading)
    if Act.SUMMARY in acts:
        return confirm_summary(replace(mind, stage="negotiating"), persona, reading)
    answered = answer_question(mind, persona, reading)
    if answered is not None:
        return answered
    fact = fact_to_disclose(mind, persona, acts)
    if fact is not None:
        disclosed = replace(mind, disclosed=(*mind.disclosed, fact.id), stage="exploring")
        return disclosed, Reaction("disclose", fact_id=fact.id, prompted_by=prompted_by(acts))
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


def soft_reaction(persona: Persona, acts: frozenset[Act]) -> Reaction | None:
    """Pleading or "whenever you can": a promise of nothing; a plea alone leaves them puzzled."""
    if acts & SOFTNESS_ACTS and (exploits_softness(persona) or Act.LEAVE_DECISION in acts):
        return Reaction("vague_promise")
    if Act.PLEADING in acts and not acts & SUBSTANTIVE_ACTS:
        return Reaction("pleaded_with")
    return None


def after_agreement(mind: DebtorMind, acts: frozenset[Act]) -> tuple[DebtorMind, Reaction]:
    hostile = hostile_reaction(acts)
    if hostile is not None:
        return mind, hostile
    if Act.SUMMARY in acts:
        return replace(mind, ended=True, end_reason="agreement", stage="closed"), Reaction("confirm_close")
    return mind, Reaction("agreed_waiting")


def answer_question(mind: DebtorMind, persona: Persona, reading: TurnReading) -> tuple[DebtorMind, Reaction] | None:
    """ "How much could you pay?" and "when do you get paid?" are answered, or dodged in character."""
    if "amount" in reading.asks:
        return answer_amount(replace(mind, stage="negotiating"), persona)
    if "payday" in reading.asks:
        told = mind.trust >= reveal_trust(persona) - PAYDAY_EASE
        return mind, Reaction("explains_income" if told else "deflect")
    return None


def fact_to_disclose(mind: DebtorMind, persona: Persona, acts: frozenset[Act]) -> HiddenFact | None:
    """The first undisclosed fact earned by one of `acts` at the current trust."""
    facts = earned_facts(mind, persona, acts)
    return facts[0] if facts else None


def prompted_by(acts: frozenset[Act]) -> Prompt:
    if acts & {Act.EMPATHY, Act.PARAPHRASE}:
        return "empathy"
    return "question" if acts & {Act.OPEN_QUESTION, Act.CLOSED_QUESTION} else ""


def plain_reaction(mind: DebtorMind, persona: Persona, acts: frozenset[Act], ack: bool) -> Reaction:
    """The reaction to a turn with no hostility, proposal, question they answer or disclosure."""
    if Act.STATE_DEBT in acts:
        return Reaction("hears_debt")
    if ack:
        return Reaction("confirm_identity")
    if Act.OBJECTIVE_CONSEQUENCE in acts:
        return Reaction("worried_by_consequence")
    guarded = mind.trust < GUARDED_BELOW
    if Act.OPEN_QUESTION in acts:
        return Reaction(_open_answer(mind, persona, guarded))
    return Reaction(_soft_answer(mind, acts, guarded))


def _open_answer(mind: DebtorMind, persona: Persona, guarded: bool) -> ReactionKind:
    if guarded:
        return "deflect"
    return "explains_income" if mind.trust >= reveal_trust(persona) else "answers_vague"


def _soft_answer(mind: DebtorMind, acts: frozenset[Act], guarded: bool) -> ReactionKind:
    if acts & {Act.EMPATHY, Act.PARAPHRASE}:
        return "feels_heard"
    if Act.COLLABORATION in acts:
        return "open_to_options"
    if Act.IDENTIFY_SELF in acts or (Act.MINIMISING in acts and not mind.debt_stated):
        return "greeting_response"
    if Act.MINIMISING in acts:
        return "shrugs_off"
    if guarded:
        return "deflect"
    return "closed_answer" if Act.CLOSED_QUESTION in acts else "filler"


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
