"""How the debtor answers a payment proposal, a summary of one, or "how much can you pay?":
accept, counter-offer, ask for time, or (for a debtor who will not pay money) ask for a review or a
call-back. Pure functions of (mind, persona, what was heard)."""

from __future__ import annotations

from dataclasses import replace

from roleplay.dialogue.call_mind import (
    LUMP_KINDS,
    PROMISE_KINDS,
    DebtorMind,
    Offer,
    Reaction,
    ReactionKind,
    TurnReading,
    accept_trust,
    accepted_kinds,
    kind_accepted,
    pays_money,
    reveal_trust,
    within_capacity,
)
from roleplay.dialogue.call_reading import proposed_offer, summarised_offer
from roleplay.domain import Persona

Turn = tuple[DebtorMind, Reaction]


def negotiate(mind: DebtorMind, persona: Persona, reading: TurnReading) -> Turn:
    offer = proposed_offer(reading, persona)
    if offer is None:
        return promise_without_money(mind, persona, reading)
    return answer_offer(replace(mind, offers_seen=(*mind.offers_seen, offer.amount or 0.0)), persona, offer)


def answer_offer(mind: DebtorMind, persona: Persona, offer: Offer) -> Turn:
    """Accept an affordable offer when willing, ask for time when not yet; counter an unaffordable one."""
    if not pays_money(persona):
        return mind, Reaction(without_money(persona), offer=offer.amount)
    if not (within_capacity(persona, offer) and kind_accepted(persona, offer)):
        if mind.trust < reveal_trust(persona):
            return mind, Reaction("vague_refusal", offer=offer.amount)
        return replace(mind, counter_offered=True), counter_offer(persona, offer)
    if willing(mind, persona):
        agreed = replace(mind, agreement=offer, stage="agreed")
        return agreed, Reaction("accept", amount=offer.amount, monthly=offer.monthly, offer=offer.amount)
    return mind, Reaction("asks_for_time", offer=offer.amount)


def willing(mind: DebtorMind, persona: Persona) -> bool:
    """Trusts the agent enough to commit; less is needed once they have named their own figure."""
    needed = reveal_trust(persona) if mind.counter_offered else accept_trust(persona)
    return mind.trust >= needed


def without_money(persona: Persona) -> ReactionKind:
    """A debtor who pays nothing yet: wants the amount reviewed, or a call-back."""
    return "not_this_way" if "dispute_review" in accepted_kinds(persona) else "asks_callback"


def counter_offer(persona: Persona, offer: Offer) -> Reaction:
    """What they can really pay instead of `offer`, in a kind of payment they accept."""
    capacity, kinds = persona.capacity, accepted_kinds(persona)
    lump = capacity.lump_sum > 0 and bool(kinds & set(LUMP_KINDS))
    monthly = capacity.monthly > 0 and "instalments" in kinds
    if lump and (not offer.monthly or not monthly):
        return Reaction("counter_offer", amount=capacity.lump_sum, offer=offer.amount)
    if monthly:
        return Reaction("counter_offer", amount=capacity.monthly, monthly=True, offer=offer.amount)
    return Reaction("cannot_pay_now", offer=offer.amount)


def promise_without_money(mind: DebtorMind, persona: Persona, reading: TurnReading) -> Turn:
    """A proposal with no figure: a call-back or a review is agreed; otherwise they say what they could pay."""
    promise = agreeable_promise(mind, persona, reading)
    if promise is not None:
        return replace(mind, agreement=promise, stage="agreed"), Reaction("accept")
    if mind.trust >= reveal_trust(persona):
        return answer_amount(mind, persona)
    return mind, Reaction("vague_refusal")


def agreeable_promise(mind: DebtorMind, persona: Persona, reading: TurnReading) -> Offer | None:
    kinds = [a.kind for a in persona.accepts if a.kind in PROMISE_KINDS]
    if kinds and reading.has_date and mind.trust >= reveal_trust(persona):
        return Offer(kinds[0])
    return None


def answer_amount(mind: DebtorMind, persona: Persona) -> Turn:
    """ "How much could you pay?": the real figure once trust allows, a dodge before."""
    if mind.trust < reveal_trust(persona):
        return mind, Reaction("dodges_amount")
    if not pays_money(persona):
        return mind, Reaction(without_money(persona))
    named = counter_offer(persona, Offer("instalments", None, monthly=True))
    if named.kind == "cannot_pay_now":
        return mind, named
    return replace(mind, counter_offered=True), replace(named, kind="names_capacity", offer=None)


def confirm_summary(mind: DebtorMind, persona: Persona, reading: TurnReading) -> Turn:
    """A summary before anything was agreed: if it names what they would accept, it closes the call."""
    offer = summarised_offer(reading, persona)
    if offer is None:
        promise = agreeable_promise(mind, persona, reading)
        return (close(mind, promise), Reaction("confirm_close")) if promise else (mind, Reaction("no_agreement_yet"))
    mind, reaction = answer_offer(mind, persona, offer)
    if reaction.kind != "accept":
        return mind, reaction
    return close(mind, offer), Reaction("confirm_close")


def close(mind: DebtorMind, agreement: Offer) -> DebtorMind:
    return replace(mind, agreement=agreement, ended=True, end_reason="agreement", stage="closed")
