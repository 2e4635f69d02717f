"""Progress analytics over graded sessions: pure computations on `ScoredCall`s, plus `team_analytics`
which gathers the calls a viewer may see (a trainer: the whole team; a trainee: their own).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from statistics import fmean
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from roleplay.domain import CRITERION_IDS, CriterionId, Grade, Quadrant

if TYPE_CHECKING:
    from roleplay.auth import Principal
    from roleplay.services.review import ReviewService

QUADRANTS: tuple[Quadrant, ...] = ("target", "submissive", "adversarial", "ineffective")


class ScoredCall(BaseModel):
    """One graded call: who, when, and the grade's figures."""

    owner: str
    created_at: datetime
    scores: dict[CriterionId, int]
    hard: float
    soft: float
    overall: float
    quadrant: Quadrant


class ProgressPoint(BaseModel):
    created_at: datetime
    overall: float
    hard: float
    soft: float


class Heatmap(BaseModel):
    """Mean score per trainee (rows) and criterion (columns)."""

    trainees: list[str]
    criteria: list[CriterionId] = Field(default_factory=lambda: list(CRITERION_IDS))
    means: list[list[float]]


class Improvement(BaseModel):
    """A trainee's first call against their best (by overall)."""

    owner: str
    calls: int
    first: float
    best: float

    @property
    def gain(self) -> float:
        return round(self.best - self.first, 2)


class AnalyticsReport(BaseModel):
    progress: dict[str, list[ProgressPoint]]
    heatmap: Heatmap
    quadrants: dict[Quadrant, int]
    improvements: list[Improvement]
    calls: int


def scored_call(owner: str, created_at: datetime, grade: Grade) -> ScoredCall:
    return ScoredCall(
        owner=owner,
        created_at=created_at,
        scores=dict(grade.scores),
        hard=grade.hard,
        soft=grade.soft,
        overall=grade.overall,
        quadrant=grade.quadrant,
    )


def _by_owner(calls: Iterable[ScoredCall]) -> dict[str, list[ScoredCall]]:
    """Calls grouped per trainee (sorted by name), each group oldest first."""
    groups: dict[str, list[ScoredCall]] = {}
    for call in sorted(calls, key=lambda c: c.created_at):
        groups.setdefault(call.owner, []).append(call)
    return dict(sorted(groups.items()))


def progress(calls: Iterable[ScoredCall]) -> dict[str, list[ProgressPoint]]:
    """Per trainee, overall/hard/soft of each call over time (oldest first)."""
    return {
        owner: [ProgressPoint(created_at=c.created_at, overall=c.overall, hard=c.hard, soft=c.soft) for c in group]
        for owner, group in _by_owner(calls).items()
    }


def criterion_heatmap(calls: Iterable[ScoredCall]) -> Heatmap:
    """Mean of each criterion per trainee, rounded to 2 decimals."""
    groups = _by_owner(calls)
    means = [[round(fmean(c.scores[cid] for c in group), 2) for cid in CRITERION_IDS] for group in groups.values()]
    return Heatmap(trainees=list(groups), means=means)


def quadrant_distribution(calls: Iterable[ScoredCall]) -> dict[Quadrant, int]:
    """How many calls fall in each quadrant (all four present, zero included)."""
    counts = dict.fromkeys(QUADRANTS, 0)
    for call in calls:
        counts[call.quadrant] += 1
    return counts


def first_vs_best(calls: Iterable[ScoredCall]) -> list[Improvement]:
    """Per trainee: the overall of their first call and of their best call, biggest gain first."""
    improvements = [
        Improvement(owner=owner, calls=len(group), first=group[0].overall, best=max(c.overall for c in group))
        for owner, group in _by_owner(calls).items()
    ]
    return sorted(improvements, key=lambda item: (-item.gain, item.owner))


def analyse(calls: Sequence[ScoredCall]) -> AnalyticsReport:
    return AnalyticsReport(
        progress=progress(calls),
        heatmap=criterion_heatmap(calls),
        quadrants=quadrant_distribution(calls),
        improvements=first_vs_best(calls),
        calls=len(calls),
    )


def team_analytics(review: ReviewService, viewer: Principal, trainee: str | None = None) -> AnalyticsReport:
    """Analytics of the graded calls `viewer` may read (a trainee: only their own), optionally one trainee's."""
    sessions = [s for s in review.visible_sessions(viewer) if trainee in (None, "", s.owner)]
    grades = review.graded(viewer, sessions)
    return analyse([scored_call(s.owner, s.created_at, grades[s.id]) for s in sessions if s.id in grades])
