"""The ten criterion rules: call signals in, a 1-5 verdict with a reason and evidence out.

Each rule follows the anchors of RUBRIC.md: 1 = the opposite behaviour is present, 2 = mostly
absent, 3 = present but partial or late, 4 = clearly present, 5 = consistent and effective.
Pure functions; the reason keys name rationale templates in prompts/grader/rule.{lang}.yaml.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from roleplay.acts import Act
from roleplay.domain import CriterionId, Evidence
from roleplay.offline.grading_signals import CallSignals, Spotted

EARLY_TURNS = 2  # the debt is stated "early" within the first two agent turns
MAX_EVIDENCE = 3
FIGHTING = (Act.THREAT, Act.ILLEGAL_THREAT, Act.INSULT, Act.BLAME)
WARMTH = (Act.EMPATHY, Act.PARAPHRASE, Act.COLLABORATION)


@dataclass(frozen=True)
class Verdict:
    score: int
    reason: str
    evidence: tuple[Evidence, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)


def cite(spotted: Sequence[Spotted]) -> tuple[Evidence, ...]:
    """Evidence for up to MAX_EVIDENCE acts, one quote per distinct (turn, quote)."""
    unique = dict.fromkeys((s.turn, s.hit.quote) for s in spotted if s.hit.quote.strip())
    return tuple(Evidence(turn=t, quote=q) for t, q in list(unique)[:MAX_EVIDENCE])


def _capped(verdict: Verdict, cap: int, reason: str, evidence: Sequence[Spotted]) -> Verdict:
    if verdict.score <= cap:
        return verdict
    return Verdict(cap, reason, cite(evidence) + verdict.evidence)


# --------------------------------------------------------------------------- P: hard on the problem


def debt_clarity(s: CallSignals) -> Verdict:
    stated, minimising = s.of(Act.STATE_DEBT), s.of(Act.MINIMISING)
    if not stated:
        return Verdict(1, "missing", cite(minimising))
    with_amount = [x for x in stated if x.hit.amounts]
    if minimising:
        return Verdict(2 if with_amount else 1, "minimised", cite(minimising))
    early = s.substantive_rank(stated[0]) < EARLY_TURNS
    if with_amount:
        amount_early = s.substantive_rank(with_amount[0]) < EARLY_TURNS
        return Verdict(5, "early_full", cite(with_amount)) if amount_early else Verdict(4, "late", cite(with_amount))
    return Verdict(3, "early_no_amount" if early else "late_no_amount", cite(stated))


def objective_consequences(s: CallSignals) -> Verdict:
    if bad := s.of(Act.ILLEGAL_THREAT, Act.FALSE_REPRESENTATION, Act.THREAT):
        return Verdict(1, "threat_false", cite(bad))
    facts = s.of(Act.OBJECTIVE_CONSEQUENCE)
    if not facts:
        waved_away = s.of(Act.LEAVE_DECISION, Act.MINIMISING)
        return Verdict(1, "waved_away", cite(waved_away)) if waved_away else Verdict(2, "missing")
    if all(f.rank == s.agent_turns - 1 for f in facts) and s.agent_turns > EARLY_TURNS:
        return Verdict(3, "late", cite(facts))
    distinct = {f.hit.quote for f in facts}
    return Verdict(5 if len(distinct) > 1 else 4, "informed", cite(facts), {"count": str(len(distinct))})


def situation_discovery(s: CallSignals, capacity_terms: Sequence[str]) -> Verdict:
    open_q, closed_q = s.of(Act.OPEN_QUESTION), s.of(Act.CLOSED_QUESTION)
    about_capacity = [q for q in open_q + closed_q if _about_capacity(q, capacity_terms)]
    fields = {"count": str(len(open_q))}
    if len(open_q) >= 2 and about_capacity:
        return Verdict(5, "thorough", cite(about_capacity[:1] + open_q), fields)
    if about_capacity:
        return Verdict(4, "open", cite(about_capacity + open_q), fields)
    if len(open_q) >= 2:
        return Verdict(3, "few", cite(open_q), fields)
    if open_q or closed_q:
        return Verdict(2, "closed_only", cite(open_q + closed_q), fields)
    return Verdict(1, "none", (), fields)


def _about_capacity(question: Spotted, terms: Sequence[str]) -> bool:
    quote = question.hit.quote.casefold()
    return question.hit.has_date or any(term.casefold() in quote for term in terms)


def concrete_commitment(s: CallSignals) -> Verdict:
    proposals, summaries = s.of(Act.PROPOSAL), s.of(Act.SUMMARY)
    offers = [x for x in proposals + summaries if x.hit.amounts or x.hit.has_date]
    if not offers:
        return Verdict(2, "vague", cite(proposals + summaries)) if proposals else Verdict(1, "none")
    agreed = [d for d in s.debtor_of(Act.AGREE) if d.rank > min(x.rank for x in offers)]
    dated = [x for x in summaries if x.hit.has_date]
    if agreed and any(x.hit.amounts for x in dated):
        return Verdict(5, "confirmed", cite(dated + proposals))
    if agreed or dated:
        return Verdict(4, "unconfirmed", cite(dated + offers))
    if left := s.of(Act.LEAVE_DECISION):
        return Verdict(2, "left_open", cite(left))
    return Verdict(3, "no_agreement", cite(offers))


def focus_persistence(s: CallSignals, commitment: Verdict) -> Verdict:
    leave, pleading = s.of(Act.LEAVE_DECISION), s.of(Act.PLEADING)
    if leave:
        return Verdict(1, "left_to_client", cite(leave + pleading))
    if pleading:
        return Verdict(2, "pleading", cite(pleading))
    steering = s.of(Act.PROPOSAL, Act.SUMMARY, Act.OBJECTIVE_CONSEQUENCE, Act.STATE_DEBT)
    if commitment.score >= 4:
        held = s.debtor_of(Act.REFUSE)
        return Verdict(5, "resolved", cite(steering)) if held else Verdict(4, "kept_focus", cite(steering))
    if not steering or s.has(*FIGHTING):
        return Verdict(2, "off_topic", cite(s.of(*FIGHTING)))
    return Verdict(3, "partial", cite(steering))


# --------------------------------------------------------------------------- S: soft on people


def respect(s: CallSignals) -> Verdict:
    if insults := s.of(Act.INSULT):
        return Verdict(1, "insult", cite(insults))
    if blame := s.of(Act.BLAME, Act.THREAT, Act.ILLEGAL_THREAT):
        return Verdict(2, "blame", cite(blame))
    if lecture := s.of(Act.MORALISING):
        return Verdict(3, "cold", cite(lecture))
    warm = s.of(*WARMTH)
    if len({w.turn for w in warm}) > 1:
        return Verdict(5, "warm", cite(warm))
    return Verdict(4, "correct", cite(warm)) if warm else Verdict(3, "cold")


def active_listening(s: CallSignals) -> Verdict:
    heard = s.of(Act.EMPATHY, Act.PARAPHRASE)
    turns = {h.turn for h in heard}
    kinds = {h.act for h in heard}
    if not heard:
        return Verdict(1, "ignored", cite(s.of(*FIGHTING))) if s.has(*FIGHTING) else Verdict(2, "missing")
    if len(turns) >= 3 or (len(turns) >= 2 and len(kinds) == 2):
        verdict = Verdict(5, "consistent", cite(heard))
    else:
        verdict = Verdict(len(turns) + 2, "present" if len(turns) > 1 else "isolated", cite(heard))
    return _capped(verdict, 2, "undone_by_hostility", s.of(*FIGHTING)) if s.has(*FIGHTING) else verdict


def collaboration(s: CallSignals) -> Verdict:
    together, proposals = s.of(Act.COLLABORATION), s.of(Act.PROPOSAL)
    if not together and s.has(*FIGHTING):
        return Verdict(1, "confrontational", cite(s.of(*FIGHTING)))
    if not together and not proposals:
        return Verdict(2, "missing")
    if not together or not proposals:
        verdict = Verdict(3, "partial", cite(together + proposals))
    elif _offers_choices(proposals) or len({t.turn for t in together}) > 1:
        verdict = Verdict(5, "choices", cite(together + proposals))
    else:
        verdict = Verdict(4, "ally", cite(together + proposals))
    return _capped(verdict, 2, "undone_by_hostility", s.of(*FIGHTING)) if s.has(*FIGHTING) else verdict


def _offers_choices(proposals: Sequence[Spotted]) -> bool:
    """Two or more different options (different amounts) are put to the client."""
    options = {p.hit.amounts for p in proposals if p.hit.amounts}
    return len(options) > 1 or any(len(p.hit.amounts) > 1 for p in proposals)


def no_intimidation(s: CallSignals) -> Verdict:
    if threats := s.of(Act.ILLEGAL_THREAT, Act.THREAT, Act.FALSE_REPRESENTATION):
        return Verdict(1, "threat", cite(threats))
    if pressure := s.of(Act.INSULT, Act.BLAME):
        return Verdict(2, "pressure", cite(pressure))
    return Verdict(5, "calm", cite(s.of(*WARMTH)))


def flexibility(s: CallSignals) -> Verdict:
    proposals = s.of(Act.PROPOSAL)
    if not proposals:
        if hostile := s.of(*FIGHTING):
            return Verdict(1, "rigid", cite(hostile))
        soft = s.of(Act.LEAVE_DECISION, Act.PLEADING, Act.MINIMISING)
        return Verdict(3, "open_no_plan", cite(soft)) if soft else Verdict(2, "no_alternative")
    adapted = [p for p in proposals if any(r < p.rank for r in s.debtor_offers)]
    if adapted or _offers_choices(proposals):
        verdict = Verdict(5 if s.has(Act.OPEN_QUESTION) else 4, "adapted", cite(adapted + proposals))
    elif any(r > proposals[-1].rank for r in s.debtor_offers):
        verdict = Verdict(2, "counter_ignored", cite(proposals))
    else:
        verdict = Verdict(3, "fixed", cite(proposals))
    return _capped(verdict, 2, "undone_by_hostility", s.of(*FIGHTING)) if s.has(*FIGHTING) else verdict


# --------------------------------------------------------------------------- all ten


def judge(s: CallSignals, capacity_terms: Sequence[str]) -> dict[CriterionId, Verdict]:
    commitment = concrete_commitment(s)
    return {
        "P1": debt_clarity(s),
        "P2": objective_consequences(s),
        "P3": situation_discovery(s, capacity_terms),
        "P4": commitment,
        "P5": focus_persistence(s, commitment),
        "S1": respect(s),
        "S2": active_listening(s),
        "S3": collaboration(s),
        "S4": no_intimidation(s),
        "S5": flexibility(s),
    }


RuleFn = Callable[[CallSignals], Verdict]
_COUNT = frozenset({"count"})
_NONE: frozenset[str] = frozenset()
_CAPPED = {"undone_by_hostility": _NONE}
REASONS: dict[CriterionId, dict[str, frozenset[str]]] = {
    "P1": dict.fromkeys(("missing", "minimised", "early_full", "early_no_amount", "late", "late_no_amount"), _NONE),
    "P2": dict.fromkeys(("threat_false", "waved_away", "missing", "late"), _NONE) | {"informed": _COUNT},
    "P3": dict.fromkeys(("none", "closed_only", "few", "open", "thorough"), _COUNT),
    "P4": dict.fromkeys(("none", "vague", "left_open", "no_agreement", "unconfirmed", "confirmed"), _NONE),
    "P5": dict.fromkeys(("left_to_client", "pleading", "off_topic", "partial", "kept_focus", "resolved"), _NONE),
    "S1": dict.fromkeys(("insult", "blame", "cold", "correct", "warm"), _NONE),
    "S2": dict.fromkeys(("ignored", "missing", "isolated", "present", "consistent"), _NONE) | _CAPPED,
    "S3": dict.fromkeys(("confrontational", "missing", "partial", "ally", "choices"), _NONE) | _CAPPED,
    "S4": dict.fromkeys(("threat", "pressure", "calm"), _NONE),
    "S5": dict.fromkeys(("rigid", "no_alternative", "open_no_plan", "counter_ignored", "fixed", "adapted"), _NONE)
    | _CAPPED,
}
