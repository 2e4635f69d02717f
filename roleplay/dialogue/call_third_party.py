"""When someone else picks up (the debtor's partner): who is calling, hand over, or take a message.
Telling them about the debt is noted (a third-party disclosure)."""

from __future__ import annotations

from dataclasses import replace

from roleplay.acts import Act
from roleplay.dialogue.call_mind import DebtorMind, Reaction, TurnReading, earned_facts
from roleplay.domain import HiddenFact, Persona


def third_party_turn(mind: DebtorMind, persona: Persona, reading: TurnReading) -> tuple[DebtorMind, Reaction]:
    """The partner answers: hand over to a caller who asks for the debtor and says who they are.

    The persona's facts earned while the partner speaks are the partner's (or, at the hand-over, the
    debtor's first) words, said as they are; the default lines are used when the persona has none."""
    acts = reading.acts
    if mind.stage == "message_taken":
        return mind, Reaction("tp_message_taken")
    if Act.STATE_DEBT in acts:
        return replace(mind, debt_disclosed_to_third_party=True, stage="message_taken"), Reaction("tp_takes_message")
    if Act.VERIFY_IDENTITY in acts and mind.agent_identified:
        handed = replace(mind, speaker="debtor", stage="identified", identity_verified=True)
        return _said(handed, earned_facts(mind, persona, acts)[-1:], Reaction("tp_hand_over"))
    if Act.VERIFY_IDENTITY in acts and mind.asked_who_calls:
        return replace(mind, stage="message_taken"), Reaction("tp_takes_message")
    if Act.PROPOSAL in acts or Act.OPEN_QUESTION in acts:
        return mind, Reaction("tp_not_for_me")
    asked = replace(mind, asked_who_calls=True)
    return _said(asked, earned_facts(mind, persona, acts)[:1], Reaction("tp_who_is_calling"))


def _said(mind: DebtorMind, facts: list[HiddenFact], default: Reaction) -> tuple[DebtorMind, Reaction]:
    """`default`, carrying the first earned fact as its words (a hand-over keeps its "one moment")."""
    if not facts:
        return mind, default
    disclosed = replace(mind, disclosed=(*mind.disclosed, facts[0].id))
    if default.kind == "tp_hand_over":
        return disclosed, replace(default, fact_id=facts[0].id)
    return disclosed, Reaction("disclose", fact_id=facts[0].id, prompted_by="verbatim")
