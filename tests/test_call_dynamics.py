"""call_dynamics: the debtor's trust, disclosures, negotiation and hang-ups, turn by turn.

Turns are given as already-read acts (`TurnReading`), so these tests pin the dynamics independently
of the tagger's lexicons; test_scripted_debtor drives the same rules from real agent text.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from roleplay.acts import Act
from roleplay.content import get_persona
from roleplay.dialogue.call_dynamics import (
    DebtorMind,
    Offer,
    Reaction,
    TurnReading,
    accept_trust,
    format_money,
    initial_mind,
    mood_of,
    proposed_offer,
    respond,
)
from roleplay.dialogue.call_mind import Topic
from roleplay.domain import Persona

WARM = (Act.EMPATHY, Act.OPEN_QUESTION)


def job_loss() -> Persona:
    return get_persona("cannot_pay_job_loss")


def strategic() -> Persona:
    return get_persona("strategic_non_payer")


def answered_by_partner() -> Persona:
    return job_loss().model_copy(
        update={"answered_by_third_party": True, "third_party": {"es": "Su pareja, Lucía", "en": "His partner, Lucía"}}
    )


def heard(
    *acts: Act,
    amounts: Iterable[float] = (),
    monthly: bool = False,
    has_date: bool = False,
    summary_amounts: Iterable[float] = (),
    asks: Iterable[Topic] = (),
) -> TurnReading:
    return TurnReading(
        acts=frozenset(acts),
        offer_amounts=tuple(amounts),
        monthly=monthly,
        has_date=has_date,
        summary_amounts=tuple(summary_amounts),
        asks=frozenset(asks),
    )


def play(
    persona: Persona, turns: Iterable[TurnReading], mind: DebtorMind | None = None
) -> tuple[DebtorMind, list[Reaction]]:
    """The mind after `turns` and the reaction to each."""
    mind = mind or initial_mind(persona)
    reactions = []
    for reading in turns:
        mind, reaction = respond(mind, persona, reading)
        reactions.append(reaction)
    return mind, reactions


def trusting(persona: Persona, trust: float = 0.9) -> DebtorMind:
    return DebtorMind(trust=trust, stress=0.3, stage="exploring", identity_verified=True, debt_stated=True)


# --------------------------------------------------------------------------- trust


@pytest.mark.parametrize(
    ("acts", "direction"),
    [
        ((Act.EMPATHY,), 1),
        ((Act.PARAPHRASE,), 1),
        ((Act.OPEN_QUESTION,), 1),
        ((Act.COLLABORATION,), 1),
        ((Act.IDENTIFY_SELF, Act.VERIFY_IDENTITY), 1),
        ((Act.THREAT,), -1),
        ((Act.ILLEGAL_THREAT,), -1),
        ((Act.INSULT,), -1),
        ((Act.BLAME,), -1),
        ((Act.MORALISING,), -1),
        ((Act.EMPATHY, Act.THREAT), -1),  # kind words do not cover a threat
        ((Act.CLOSED_QUESTION,), 0),
    ],
)
def test_trust_moves_with_the_agents_acts(acts: tuple[Act, ...], direction: int) -> None:
    persona = job_loss()
    start = initial_mind(persona)
    mind, _ = respond(start, persona, heard(*acts))
    assert (mind.trust > start.trust) - (mind.trust < start.trust) == direction


def test_acts_the_persona_is_closed_by_hit_harder() -> None:
    sensitive = job_loss()
    thick_skinned = sensitive.model_copy(update={"closed_by": ["closed_question"]})
    drops = [
        initial_mind(p).trust - respond(initial_mind(p), p, heard(Act.BLAME))[0].trust
        for p in (sensitive, thick_skinned)
    ]
    assert drops[0] > drops[1] > 0


def test_pleading_lowers_a_strategic_debtors_trust() -> None:
    persona = strategic()
    mind, reaction = respond(initial_mind(persona), persona, heard(Act.PLEADING))
    assert mind.trust < persona.initial_trust
    assert reaction.kind == "vague_promise"


@pytest.mark.parametrize(
    ("trust", "stress", "mood"),
    [
        (0.05, 0.3, "hostile"),
        (0.3, 0.3, "guarded"),
        (0.5, 0.3, "neutral"),
        (0.7, 0.3, "open"),
        (0.95, 0.3, "cooperative"),
        (0.7, 0.8, "neutral"),
    ],
)
def test_mood_follows_trust_and_stress(trust: float, stress: float, mood: str) -> None:
    assert mood_of(DebtorMind(trust=trust, stress=stress, stage="exploring")) == mood


# --------------------------------------------------------------------------- hanging up


@pytest.mark.parametrize("persona_factory", [job_loss, strategic])
@pytest.mark.parametrize("hostile", [Act.THREAT, Act.INSULT, Act.ILLEGAL_THREAT])
def test_hostility_beyond_patience_hangs_up(persona_factory, hostile: Act) -> None:  # type: ignore[no-untyped-def]
    persona = persona_factory()
    end, reactions = play(persona, [heard(hostile)] * (persona.hangup_patience + 2))
    kinds = [r.kind for r in reactions]
    assert "hang_up" not in kinds[: persona.hangup_patience]
    assert kinds[persona.hangup_patience] == "hang_up"
    assert kinds[persona.hangup_patience + 1] == "call_over"
    assert end.end_reason == "debtor_hung_up"


# --------------------------------------------------------------------------- disclosure


def test_warmth_earns_hidden_facts_in_order_one_per_turn() -> None:
    persona = job_loss()
    end, reactions = play(persona, [heard(*WARM)] * 3)
    disclosed = [r.fact_id for r in reactions if r.kind == "disclose"]
    assert disclosed == ["job_loss", "benefit_day", "job_interview"][: len(disclosed)]
    assert len(disclosed) >= 2
    assert list(end.disclosed) == disclosed


@pytest.mark.parametrize("cold", [(Act.CLOSED_QUESTION,), (Act.STATE_DEBT,), (Act.IDENTIFY_SELF,)])
def test_cold_turns_earn_nothing(cold: tuple[Act, ...]) -> None:
    _, reactions = play(job_loss(), [heard(*cold)] * 4)
    assert all(r.kind != "disclose" for r in reactions)


def test_a_fact_needs_its_minimum_trust() -> None:
    persona = job_loss()
    low = DebtorMind(trust=0.1, stress=0.3, stage="exploring")
    _, reaction = respond(low, persona, heard(Act.OPEN_QUESTION))
    assert reaction.kind != "disclose"


# --------------------------------------------------------------------------- negotiation


@pytest.mark.parametrize(
    ("amounts", "monthly", "kind", "amount"),
    [
        ((60.0,), True, "instalments", 60.0),
        ((3480.0, 60.0), True, "instalments", 60.0),
        ((30.0,), False, "partial_payment", 30.0),
        ((3480.0,), False, "full_payment", 3480.0),
    ],
)
def test_the_offer_read_from_a_proposal(amounts: tuple[float, ...], monthly: bool, kind: str, amount: float) -> None:
    offer = proposed_offer(heard(Act.PROPOSAL, amounts=amounts, monthly=monthly), job_loss())
    assert offer == Offer(kind, amount, monthly=monthly)


@pytest.mark.parametrize(
    ("amount", "monthly"),
    [(60.0, True), (45.0, True), (30.0, False)],
)
def test_a_proposal_within_capacity_is_accepted_and_a_summary_closes(amount: float, monthly: bool) -> None:
    persona = job_loss()
    end, reactions = play(
        persona,
        [heard(Act.PROPOSAL, amounts=[amount], monthly=monthly), heard(Act.SUMMARY)],
        mind=trusting(persona),
    )
    assert [r.kind for r in reactions] == ["accept", "confirm_close"]
    assert reactions[0].amount == amount
    assert end.ended and end.end_reason == "agreement"
    assert end.agreement == proposed_offer(heard(Act.PROPOSAL, amounts=[amount], monthly=monthly), persona)


@pytest.mark.parametrize(
    ("amount", "monthly", "ceiling"),
    [(200.0, True, "monthly"), (3480.0, False, "lump_sum"), (1000.0, False, "lump_sum")],
)
def test_a_proposal_beyond_capacity_gets_what_they_can_really_pay(amount: float, monthly: bool, ceiling: str) -> None:
    persona = job_loss()
    _, reaction = respond(trusting(persona), persona, heard(Act.PROPOSAL, amounts=[amount], monthly=monthly))
    assert reaction.kind == "counter_offer"
    assert reaction.amount == getattr(persona.capacity, ceiling)
    assert reaction.amount is not None and reaction.amount < amount


def test_a_low_trust_debtor_does_not_reveal_capacity() -> None:
    persona = job_loss()
    cold = DebtorMind(trust=0.2, stress=0.3, stage="debt_stated")
    mind, reaction = respond(cold, persona, heard(Act.PROPOSAL, amounts=[500.0], monthly=True))
    assert reaction.kind == "vague_refusal" and reaction.amount is None
    assert mind.agreement is None


def test_an_affordable_proposal_still_needs_trust_and_a_wary_debtor_asks_for_time() -> None:
    persona = job_loss()
    wary = DebtorMind(trust=accept_trust(persona) - 0.2, stress=0.3, stage="debt_stated")
    mind, reaction = respond(wary, persona, heard(Act.PROPOSAL, amounts=[50.0], monthly=True))
    assert reaction == Reaction("asks_for_time", offer=50.0) and mind.agreement is None


def test_a_summary_without_agreement_is_corrected() -> None:
    _, reaction = respond(trusting(job_loss()), job_loss(), heard(Act.SUMMARY))
    assert reaction.kind == "no_agreement_yet"


@pytest.mark.parametrize("soft", [Act.PLEADING, Act.LEAVE_DECISION])
def test_a_strategic_debtor_turns_softness_into_a_vague_promise(soft: Act) -> None:
    persona = strategic()
    end, reactions = play(
        persona, [heard(soft), heard(soft, Act.PROPOSAL, amounts=[300.0], monthly=True)], trusting(persona)
    )
    assert [r.kind for r in reactions] == ["vague_promise", "vague_promise"]
    assert end.agreement is None


def test_text_aimed_at_the_model_is_met_with_confusion_not_agreement() -> None:
    persona = job_loss()
    mind, reaction = respond(
        trusting(persona), persona, heard(Act.GRADER_DIRECTED, Act.PROPOSAL, amounts=[10.0], monthly=True)
    )
    assert reaction.kind == "confused_meta"
    assert mind.agreement is None and not mind.ended


# --------------------------------------------------------------------------- a partner answers


def test_the_partner_asks_who_calls_then_takes_a_message() -> None:
    persona = answered_by_partner()
    end, reactions = play(persona, [heard(Act.VERIFY_IDENTITY), heard(Act.VERIFY_IDENTITY)])
    assert [r.kind for r in reactions] == ["tp_who_is_calling", "tp_takes_message"]
    assert end.speaker == "third_party" and not end.debt_disclosed_to_third_party


def test_the_partner_hands_over_to_a_caller_who_says_who_they_are() -> None:
    persona = answered_by_partner()
    end, reactions = play(persona, [heard(Act.IDENTIFY_SELF, Act.VERIFY_IDENTITY), heard(*WARM)])
    assert reactions[0].kind == "tp_hand_over"
    assert end.speaker == "debtor" and end.identity_verified
    assert reactions[1].kind == "disclose"


def test_telling_the_partner_about_the_debt_is_noted() -> None:
    persona = answered_by_partner()
    end, reactions = play(persona, [heard(Act.IDENTIFY_SELF, Act.STATE_DEBT), heard(Act.VERIFY_IDENTITY)])
    assert [r.kind for r in reactions] == ["tp_takes_message", "tp_message_taken"]
    assert end.debt_disclosed_to_third_party


# --------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("amount", "currency", "language", "text"),
    [
        (150, "EUR", "es", "150 €"),
        (150, "EUR", "en", "€150"),
        (1860, "EUR", "es", "1.860 €"),
        (1860, "EUR", "en", "€1,860"),
        (62.5, "EUR", "es", "62,50 €"),
        (62.5, "GBP", "en", "£62.50"),
        (1200, "USD", "en", "$1,200"),
    ],
)
def test_money_is_formatted_per_language(amount: float, currency: str, language: str, text: str) -> None:
    assert format_money(amount, currency, language) == text  # type: ignore[arg-type]


def test_the_partner_speaks_the_personas_own_lines() -> None:
    persona = get_persona("third_party_partner")
    _, asked = play(persona, [heard(Act.VERIFY_IDENTITY)])
    end, handed = play(persona, [heard(Act.IDENTIFY_SELF, Act.VERIFY_IDENTITY)])
    assert asked[0] == Reaction("disclose", fact_id="callback_time", prompted_by="verbatim")
    assert handed[0] == Reaction("tp_hand_over", fact_id="daniel_on_the_line")
    assert end.speaker == "debtor" and not end.debt_disclosed_to_third_party


# --------------------------------------------------------------------------- answering what was said


@pytest.mark.parametrize(
    ("persona_id", "reading", "kind", "agreed", "ended"),
    [
        ("cannot_pay_job_loss", heard(Act.SUMMARY, summary_amounts=[60.0], monthly=True), "confirm_close", True, True),
        (
            "cannot_pay_job_loss",
            heard(Act.SUMMARY, summary_amounts=[500.0], monthly=True),
            "counter_offer",
            False,
            False,
        ),
        ("cannot_pay_job_loss", heard(Act.SUMMARY), "no_agreement_yet", False, False),
        ("disputes_amount", heard(Act.PROPOSAL, amounts=[100.0], monthly=True), "counter_offer", False, False),
        ("bereaved_vulnerable", heard(Act.PROPOSAL, amounts=[20.0], monthly=True), "asks_callback", False, False),
        ("cannot_pay_job_loss", heard(Act.OPEN_QUESTION, asks=["amount"]), "names_capacity", False, False),
        ("cannot_pay_job_loss", heard(Act.OPEN_QUESTION, asks=["payday"]), "explains_income", False, False),
        ("student", heard(Act.PLEADING), "pleaded_with", False, False),
    ],
)
def test_the_debtor_answers_what_the_agent_said(
    persona_id: str, reading: TurnReading, kind: str, agreed: bool, ended: bool
) -> None:
    persona = get_persona(persona_id)
    mind, reaction = respond(trusting(persona), persona, reading)
    assert (reaction.kind, mind.agreement is not None, mind.ended) == (kind, agreed, ended)


def test_a_figure_the_debtor_named_is_accepted_below_the_usual_trust() -> None:
    persona = job_loss()
    named = DebtorMind(trust=accept_trust(persona) - 0.04, stress=0.3, stage="negotiating", counter_offered=True)
    mind, reaction = respond(named, persona, heard(Act.PROPOSAL, amounts=[60.0], monthly=True))
    assert reaction.kind == "accept" and mind.agreement == Offer("instalments", 60.0, monthly=True)


@pytest.mark.parametrize(("names", "kind"), [(("Lucía",), "wrong_name"), (("Javier Ortega",), "confirm_identity"),
                                             (("Ortega",), "confirm_identity"), ((), "confirm_identity")])  # fmt: skip
def test_a_wrong_name_is_corrected(names: tuple[str, ...], kind: str) -> None:
    persona = job_loss()
    reading = TurnReading(frozenset({Act.VERIFY_IDENTITY}), (), False, False, names=names)
    mind, reaction = respond(initial_mind(persona), persona, reading)
    assert reaction.kind == kind and mind.identity_verified == (kind != "wrong_name")
