"""The ten criterion rules: call signals in, a 1-5 verdict with a reason and evidence out.

Each rule follows the anchors of RUBRIC.md: 1 = the opposite behaviour is present, 2 = mostly
absent, 3 = present but partial or late, 4 = clearly present, 5 = consistent and effective.
Pure functions; the reason keys name rationale templates in prompts/grader/rule.{lang}.yaml.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from roleplay.acts import Act
from roleplay.dialogue.tagger import mentions_date
from roleplay.domain import CriterionId, Evidence, Language
from roleplay.offline.grading_signals import CallSignals, CueHit, Spotted

EARLY_TURNS = 2  # the debt is stated "early" within the first two agent turns
MAX_EVIDENCE = 3
FIGHTING = (Act.THREAT, Act.ILLEGAL_THREAT, Act.INSULT, Act.BLAME, Act.FALSE_REPRESENTATION)
HOSTILE = (*FIGHTING, Act.MORALISING)
WARMTH = (Act.EMPATHY, Act.PARAPHRASE, Act.COLLABORATION)


class Quoted(Protocol):
    @property
    def turn(self) -> int: ...
    @property
    def rank(self) -> int: ...
    @property
    def quote(self) -> str: ...


@dataclass(frozen=True)
class Verdict:
    score: int
    reason: str
    evidence: tuple[Evidence, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)


def cite(spotted: Sequence[Quoted]) -> tuple[Evidence, ...]:
    """Evidence for up to MAX_EVIDENCE acts or cues, one quote per distinct (turn, quote)."""
    unique = dict.fromkeys((s.turn, s.quote) for s in spotted if s.quote.strip())
    return tuple(Evidence(turn=t, quote=q) for t, q in list(unique)[:MAX_EVIDENCE])


def _capped(verdict: Verdict, cap: int, reason: str, evidence: Sequence[Quoted]) -> Verdict:
    if verdict.score <= cap:
        return verdict
    return Verdict(cap, reason, cite(evidence) + verdict.evidence)


def _in_sentence(spotted: Spotted, cues: Sequence[CueHit]) -> bool:
    return any(c.turn == spotted.turn and c.quote == spotted.quote for c in cues)


def _dated(cue: CueHit, language: Language) -> bool:
    return mentions_date(cue.quote, language)


def _hostile(s: CallSignals) -> list[Quoted]:
    return [*s.of(*HOSTILE), *s.cue("dismissal")]


def _cold(s: CallSignals) -> list[Quoted]:
    """Coldness short of fighting: moralising, brushing the person off, sarcasm."""
    return [*s.of(Act.MORALISING), *s.cue("dismissal"), *s.cue("sarcasm")]


# --------------------------------------------------------------------------- P: hard on the problem


def debt_clarity(s: CallSignals) -> Verdict:
    """Minimising counts when it comes before the debt or plays down the very sentence stating it."""
    stated, minimising = s.of(Act.STATE_DEBT), s.of(Act.MINIMISING)
    if not stated:
        return Verdict(1, "missing", cite(minimising))
    played_down = [m for m in minimising if m.turn < stated[0].turn or _same_sentence(m, stated) or m.hit.amounts]
    if played_down:
        return Verdict(2, "minimised", cite(played_down))
    with_amount = [x for x in stated if s.turn_amounts.get(x.turn)]
    if with_amount:
        early = s.substantive_rank(with_amount[0]) < EARLY_TURNS
        return Verdict(5, "early_full", cite(with_amount)) if early else Verdict(4, "late", cite(with_amount))
    early = s.substantive_rank(stated[0]) < EARLY_TURNS
    return Verdict(3, "early_no_amount" if early else "late_no_amount", cite(stated))


def _same_sentence(spotted: Spotted, others: Sequence[Spotted]) -> bool:
    return any(o.turn == spotted.turn and o.hit.start == spotted.hit.start for o in others)


def objective_consequences(s: CallSignals) -> Verdict:
    if bad := s.of(Act.ILLEGAL_THREAT, Act.FALSE_REPRESENTATION, Act.THREAT):
        return Verdict(1, "threat_false", cite(bad))
    facts, waved = s.of(Act.OBJECTIVE_CONSEQUENCE), s.of(Act.LEAVE_DECISION, Act.MINIMISING)
    if not facts:
        return Verdict(1, "waved_away", cite(waved)) if waved else Verdict(2, "missing")
    if taken_back := [w for w in waved if w.turn >= facts[0].turn]:
        return Verdict(2, "waved_away", cite(taken_back + facts))
    if hedged := [f for f in facts if _in_sentence(f, s.cue("hedge"))]:
        return Verdict(2, "hedged", cite(hedged))
    if all(f.rank == s.agent_turns - 1 for f in facts) and s.agent_turns > EARLY_TURNS:
        return Verdict(3, "late", cite(facts))
    distinct = {f.quote for f in facts}
    explained = len(distinct) > 1 or any(_in_sentence(f, s.cue("condition")) for f in facts)
    score = 5 if explained and not _hostile(s) else 4
    return Verdict(score, "informed", cite(facts), {"count": str(len(distinct))})


def situation_discovery(s: CallSignals, capacity_terms: Sequence[str]) -> Verdict:
    """Capacity questions (income, dates, amounts) and knowing the cause (asked, or acknowledged when
    the client tells it); brushing the cause aside costs a level, and with nothing asked it is 1."""
    open_q, closed_q = s.of(Act.OPEN_QUESTION), s.of(Act.CLOSED_QUESTION)
    capacity = [q for q in open_q + closed_q if _about_capacity(q, capacity_terms)]
    cause_known = bool(s.cue("cause_question")) or s.has(Act.EMPATHY, Act.PARAPHRASE)
    dismissed, fields = s.cue("dismissal"), {"count": str(len(open_q))}
    asked_turns = len({q.turn for q in open_q})  # turns, not sentences: repeating a question adds nothing
    if not capacity:
        if dismissed:
            return Verdict(1, "dismissed", cite(dismissed), fields)
        return Verdict(2, "closed_only", cite(open_q + closed_q), fields) if open_q or closed_q else Verdict(1, "none")
    several_capacity = len({q.turn for q in capacity}) > 1
    score = 3 + (several_capacity or cause_known) + (asked_turns > 1 and cause_known) - bool(dismissed)
    reasons = {2: "dismissed", 3: "capacity_only", 4: "open", 5: "thorough"}
    return Verdict(score, reasons[score], cite(capacity + open_q), fields)


def _about_capacity(question: Spotted, terms: Sequence[str]) -> bool:
    quote = question.hit.quote.casefold()
    return question.hit.has_date or any(term.casefold() in quote for term in terms)


def _payment_offers(s: CallSignals) -> list[Spotted]:
    """Proposals and summaries with a figure, not vague and not a call back."""
    callbacks, vague = s.cue("callback"), s.cue("vague")
    offers = [p for p in s.of(Act.PROPOSAL) if not _in_sentence(p, callbacks)]
    offers += [x for x in s.of(Act.SUMMARY) if x.hit.amounts or x.hit.has_date]
    return [x for x in offers if x.hit.amounts or not _in_sentence(x, vague)]


def concrete_commitment(s: CallSignals) -> Verdict:
    offers = _payment_offers(s)
    callbacks = [c for c in s.cue("callback") if _dated(c, s.language)]
    if not offers:
        if callbacks:
            return Verdict(3, "callback", cite(callbacks))
        if s.debtor_cue("vague") or s.has(Act.LEAVE_DECISION):
            return Verdict(1, "none")
        return Verdict(2, "vague", cite(s.of(Act.PROPOSAL))) if s.has(Act.PROPOSAL) else Verdict(1, "none")
    first = min(x.rank for x in offers)
    agreed = [d for d in s.debtor_of(Act.AGREE) if d.rank > first]
    confirmed = [x for x in offers if x.hit.amounts and agreed and x.turn > agreed[0].turn]
    confirmed += [x for x in s.of(Act.SUMMARY) if x.hit.amounts and x.hit.has_date]
    if agreed and confirmed:
        return Verdict(5, "confirmed", cite(confirmed))
    if agreed or callbacks:
        return Verdict(4, "unconfirmed", cite([*offers, *callbacks]))
    if s.has(Act.LEAVE_DECISION) or s.debtor_cue("vague"):  # cite the agent's words only
        return Verdict(2, "left_open", cite(s.of(Act.LEAVE_DECISION) + offers))
    return Verdict(3, "no_agreement", cite(offers))


def focus_persistence(s: CallSignals, commitment: Verdict) -> Verdict:
    leave, pleading = s.of(Act.LEAVE_DECISION), s.of(Act.PLEADING)
    if leave and commitment.score < 3:
        return Verdict(1, "left_to_client", cite(leave + pleading))
    if pleading and commitment.score < 4:
        return Verdict(2, "pleading", cite(pleading))
    steering = s.of(Act.PROPOSAL, Act.SUMMARY, Act.OBJECTIVE_CONSEQUENCE, Act.STATE_DEBT)
    if commitment.score >= 4 and (leave or pleading):  # a commitment, but begged for or handed back
        return Verdict(3, "pleading", cite(pleading + leave))
    if commitment.score >= 4:
        held = s.debtor_of(Act.REFUSE) or s.debtor_cue("pushback")
        return Verdict(5, "resolved", cite(steering)) if held else Verdict(4, "kept_focus", cite(steering))
    if not steering or (s.has(*FIGHTING) and commitment.score < 3):
        return Verdict(2, "off_topic", cite(s.of(*FIGHTING)))
    return Verdict(3, "partial", cite(steering))


# --------------------------------------------------------------------------- S: soft on people


def respect(s: CallSignals) -> Verdict:
    """Insults and blame are the opposite of respect; threats come close; coldness (moralising,
    brushing off, sarcasm) is partial. Without any of these, courtesy or warmth anywhere is 5."""
    if insults := s.of(Act.INSULT, Act.BLAME):
        return Verdict(1, "insult", cite(insults))
    if threats := s.of(Act.THREAT, Act.ILLEGAL_THREAT, Act.FALSE_REPRESENTATION):
        return Verdict(2, "blame", cite(threats))
    if cold := _cold(s):
        return Verdict(3, "cold", cite(cold))
    warm, courteous = s.of(*WARMTH), s.cue("courtesy")
    return Verdict(5, "warm", cite([*warm, *courteous])) if warm or courteous else Verdict(4, "correct")


def active_listening(s: CallSignals) -> Verdict:
    heard = s.of(Act.EMPATHY, Act.PARAPHRASE)
    turns, kinds, hostile = {h.turn for h in heard}, {h.act for h in heard}, _hostile(s)
    if not heard:
        return Verdict(1, "ignored", cite(hostile)) if hostile else Verdict(2, "missing")
    if len(turns) >= 3 or (len(turns) >= 2 and len(kinds) == 2):
        verdict = Verdict(5, "consistent", cite(heard))
    else:
        verdict = Verdict(len(turns) + 2, "present" if len(turns) > 1 else "isolated", cite(heard))
    if hostile:
        return _capped(verdict, 2, "undone_by_hostility", hostile)
    sarcasm = s.cue("sarcasm")
    return _capped(verdict, 3, "undone_by_hostility", sarcasm) if sarcasm else verdict


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
    if ultimatum := s.cue("pressure"):
        return Verdict(3, "ultimatum", cite(ultimatum))
    if firm := [*s.cue("rigid"), *s.cue("dismissal"), *s.cue("sarcasm")]:
        return Verdict(4, "firm", cite(firm))
    return Verdict(5, "calm", cite(s.of(*WARMTH)))


def flexibility(s: CallSignals) -> Verdict:
    """Offers (and dated call backs) made after the client named a figure, or a choice of amounts,
    adapt; an unchanged offer does not; refusing to move (rigid wording) costs a level."""
    verdict = _flexibility_level(s)
    if rigid := s.cue("rigid"):
        verdict = _capped(verdict, 2, "counter_refused", rigid)
    return _capped(verdict, 2, "undone_by_hostility", s.of(*FIGHTING)) if s.has(*FIGHTING) else verdict


def _flexibility_level(s: CallSignals) -> Verdict:
    offers = _payment_offers(s)
    callbacks = [c for c in s.cue("callback") if _dated(c, s.language)]
    if not offers:
        if hostile := s.of(*FIGHTING):
            return Verdict(1, "rigid", cite(hostile))
        if callbacks:
            return Verdict(4, "postponed", cite(callbacks))
        soft = s.of(Act.LEAVE_DECISION, Act.PLEADING, Act.MINIMISING)
        return Verdict(3, "open_no_plan", cite(soft)) if soft else Verdict(2, "no_alternative")
    moves: list[Quoted] = [*offers, *callbacks]
    adapted = [m for m in moves if any(r < m.rank for r in s.debtor_offers)]
    if adapted or _offers_choices(offers):
        return Verdict(5 if s.has(Act.OPEN_QUESTION) else 4, "adapted", cite([*adapted, *offers]))
    if any(r > max(x.rank for x in offers) for r in s.debtor_offers):
        return Verdict(2, "counter_ignored", cite(offers))
    return Verdict(3, "fixed", cite(offers))


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
    "P2": dict.fromkeys(("threat_false", "waved_away", "hedged", "missing", "late"), _NONE) | {"informed": _COUNT},
    "P3": dict.fromkeys(("none", "closed_only", "dismissed", "capacity_only", "open", "thorough"), _COUNT),
    "P4": dict.fromkeys(("none", "vague", "left_open", "callback", "no_agreement", "unconfirmed", "confirmed"), _NONE),
    "P5": dict.fromkeys(("left_to_client", "pleading", "off_topic", "partial", "kept_focus", "resolved"), _NONE),
    "S1": dict.fromkeys(("insult", "blame", "cold", "correct", "warm"), _NONE),
    "S2": dict.fromkeys(("ignored", "missing", "isolated", "present", "consistent"), _NONE) | _CAPPED,
    "S3": dict.fromkeys(("confrontational", "missing", "partial", "ally", "choices"), _NONE) | _CAPPED,
    "S4": dict.fromkeys(("threat", "pressure", "ultimatum", "firm", "calm"), _NONE),
    "S5": dict.fromkeys(
        ("rigid", "counter_refused", "no_alternative", "open_no_plan", "postponed", "counter_ignored", "fixed"), _NONE
    )
    | {"adapted": _NONE}
    | _CAPPED,
}
