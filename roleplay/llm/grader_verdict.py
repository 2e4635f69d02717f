"""From the model's claims to a Grade: code decides, not the model. Pure functions.

- Every quote must be verbatim (roleplay.evidence) in the agent turn it cites, both in the transcript
  the model saw (so text removed as aimed at the evaluator is never evidence) and in the original
  (so trainers can find it). Unverifiable quotes are dropped and counted; a criterion left without
  verified evidence is low-confidence; a compliance flag without a verified quote is not raised.
- k samples combine by the per-criterion LOW median (`statistics.median_low`: with an even k the
  lower middle score, so a split never rounds a score up); disagreement is max - min per criterion.
- hard/soft/overall/quadrant and `passed` come from roleplay.scoring.assemble_grade (summarise;
  any compliance flag fails the call).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median_low

from roleplay.domain import (
    CRITERION_IDS,
    FLAG_IDS,
    CriterionId,
    CriterionScore,
    Evidence,
    Feedback,
    FeedbackItem,
    FlagFinding,
    FlagId,
    Grade,
    TokenUsage,
    Transcript,
)
from roleplay.evidence import quote_is_verbatim, verify_evidence
from roleplay.llm.grader_schema import FeedbackClaims, FlagClaim, GraderReply, QuoteClaim
from roleplay.scoring import assemble_grade

STRENGTHS = 2
IMPROVEMENTS = 3


@dataclass(frozen=True)
class Sources:
    """The transcript as graded: `original` (stored) and `seen` (what the model read)."""

    original: Transcript
    seen: Transcript


@dataclass(frozen=True)
class SampleVerdict:
    """One grading after the evidence checks."""

    criteria: list[CriterionScore]
    flags: list[FlagFinding]
    feedback: Feedback
    dropped_quotes: int

    def score(self, criterion: CriterionId) -> int:
        return next(c.score for c in self.criteria if c.id == criterion)


def _evidence(claims: list[QuoteClaim]) -> tuple[list[Evidence], int]:
    """Claims that can even be evidence (a turn index ≥ 0, a non-blank quote), and how many cannot."""
    usable = [Evidence(turn=q.turn, quote=q.quote) for q in claims if q.turn >= 0 and q.quote.strip()]
    return usable, len(claims) - len(usable)


def is_verified(sources: Sources, evidence: Evidence) -> bool:
    return quote_is_verbatim(sources.seen, evidence) and quote_is_verbatim(sources.original, evidence)


def verified_criteria(reply: GraderReply, sources: Sources) -> tuple[list[CriterionScore], int]:
    criteria: list[CriterionScore] = []
    unusable = 0
    for criterion in CRITERION_IDS:
        claim = reply.criteria.of(criterion)
        evidence, bad = _evidence(claim.evidence)
        unusable += bad
        criteria.append(CriterionScore(id=criterion, score=claim.score, rationale=claim.rationale, evidence=evidence))
    seen = verify_evidence(sources.seen, criteria)
    both = verify_evidence(sources.original, seen.criteria)
    return both.criteria, unusable + seen.dropped_quotes + both.dropped_quotes


def verified_flag(claim: FlagClaim, sources: Sources) -> tuple[FlagFinding | None, int]:
    """The flag with its verified quotes, or None when no quote survives; and the quotes dropped."""
    evidence, unusable = _evidence(claim.evidence)
    kept = [e for e in evidence if is_verified(sources, e)]
    dropped = unusable + len(evidence) - len(kept)
    return (FlagFinding(id=claim.id, evidence=kept, note=claim.note) if kept else None), dropped


def verified_flags(claims: list[FlagClaim], sources: Sources) -> tuple[list[FlagFinding], int]:
    """One finding per flag id (the first claim with a verified quote), in FLAG_IDS order."""
    found: dict[FlagId, FlagFinding] = {}
    dropped = 0
    for claim in claims:
        finding, lost = verified_flag(claim, sources)
        dropped += lost
        if finding is not None and finding.id not in found:
            found[claim.id] = finding
    return [found[f] for f in FLAG_IDS if f in found], dropped


def feedback_from(claims: FeedbackClaims) -> Feedback:
    strengths = [FeedbackItem(criterion=s.criterion, text=s.text) for s in claims.strengths[:STRENGTHS]]
    improvements = [
        FeedbackItem(criterion=i.criterion, text=i.text, example=i.example or None)
        for i in claims.improvements[:IMPROVEMENTS]
    ]
    return Feedback(strengths=strengths, improvements=improvements)


def judge_reply(reply: GraderReply, sources: Sources) -> SampleVerdict:
    """One model reply, its evidence checked."""
    criteria, dropped_in_criteria = verified_criteria(reply, sources)
    flags, dropped_in_flags = verified_flags(reply.flags, sources)
    return SampleVerdict(criteria, flags, feedback_from(reply.feedback), dropped_in_criteria + dropped_in_flags)


# --------------------------------------------------------------------------- combining samples


@dataclass(frozen=True)
class Combined:
    scores: dict[CriterionId, int]
    criteria: list[CriterionScore]
    flags: list[FlagFinding]
    feedback: Feedback
    disagreement: dict[CriterionId, int]
    dropped_quotes: int
    samples: int


def median_scores(samples: list[SampleVerdict]) -> dict[CriterionId, int]:
    return {c: median_low([s.score(c) for s in samples]) for c in CRITERION_IDS}


def disagreement(samples: list[SampleVerdict]) -> dict[CriterionId, int]:
    """Max minus min score per criterion; empty for a single sample."""
    if len(samples) < 2:
        return {}
    return {c: max(s.score(c) for s in samples) - min(s.score(c) for s in samples) for c in CRITERION_IDS}


def criterion_at_median(samples: list[SampleVerdict], criterion: CriterionId, score: int) -> CriterionScore:
    """The criterion as written by the first sample that gave the median score."""
    sample = next(s for s in samples if s.score(criterion) == score)
    return next(c for c in sample.criteria if c.id == criterion)


def majority_flags(samples: list[SampleVerdict]) -> list[FlagFinding]:
    """Flags raised (with verified evidence) by more than half of the samples; the first one's evidence."""
    raised: list[FlagFinding] = []
    for flag in FLAG_IDS:
        found = [f for s in samples for f in s.flags if f.id == flag]
        if len(found) * 2 > len(samples):
            raised.append(found[0])
    return raised


def closest_sample(samples: list[SampleVerdict], scores: dict[CriterionId, int]) -> SampleVerdict:
    """The first sample whose scores are closest (sum of absolute differences) to `scores`."""
    return min(samples, key=lambda s: sum(abs(s.score(c) - scores[c]) for c in CRITERION_IDS))


def combine(samples: list[SampleVerdict]) -> Combined:
    if not samples:
        raise ValueError("no samples to combine")
    scores = median_scores(samples)
    return Combined(
        scores=scores,
        criteria=[criterion_at_median(samples, c, scores[c]) for c in CRITERION_IDS],
        flags=majority_flags(samples),
        feedback=closest_sample(samples, scores).feedback,
        disagreement=disagreement(samples),
        dropped_quotes=sum(s.dropped_quotes for s in samples),
        samples=len(samples),
    )


@dataclass(frozen=True)
class GradeLabels:
    """Who graded, with which versions (audit fields of the Grade)."""

    grader: str
    grader_version: str
    rubric_version: str
    prompt_version: str


def build_grade(
    transcript: Transcript,
    combined: Combined,
    integrity_flags: list[FlagFinding],
    labels: GradeLabels,
    usage: TokenUsage | None,
) -> Grade:
    return assemble_grade(
        id=transcript.id,
        scores=combined.scores,
        flags=combined.flags,
        criteria=combined.criteria,
        feedback=combined.feedback,
        integrity_flags=integrity_flags,
        language=transcript.language,
        grader=labels.grader,
        grader_version=labels.grader_version,
        rubric_version=labels.rubric_version,
        prompt_version=labels.prompt_version,
        samples=combined.samples,
        disagreement=combined.disagreement,
        dropped_quotes=combined.dropped_quotes,
        usage=usage,
    )
