"""The review workspace for trainers: every session in a filterable table, one session with its grade,
evidence, flags, usage and human labels side by side with the grader, saving a label, re-grading.

Every method takes the `viewer` (roleplay.auth.Principal) and checks it itself: a trainee sees only
their own sessions (table and analytics), never another's, and cannot save labels or re-grade;
a trainer sees and reviews everything. Denials are logged without saying whether the session exists.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from roleplay.auth import Principal
from roleplay.domain import CRITERION_IDS, FLAG_IDS, CriterionId, Grade, Language, Quadrant, Score
from roleplay.scoring import summarise
from roleplay.services.practice import (
    GradeStatus,
    GradeView,
    PracticeError,
    PracticeService,
    SessionNotFound,
    SessionView,
)
from roleplay.store import NewLabel, Store, StoredGrade, StoredLabel, StoredSession

log = logging.getLogger("roleplay.review")
SortKey = Literal["date", "trainee", "persona", "overall", "hard", "soft"]
SORT_KEYS: tuple[SortKey, ...] = ("date", "trainee", "persona", "overall", "hard", "soft")
UNGRADED = "ungraded"
MAX_COMMENT_CHARS = 4000


class ReviewDenied(PracticeError):
    """The viewer's role does not allow this (e.g. a trainee saving a label)."""

    http_status = 403


class InvalidReview(PracticeError):
    http_status = 422


class SessionFilters(BaseModel):
    """What the table shows. Empty fields do not filter; dates are inclusive, in UTC."""

    model_config = ConfigDict(frozen=True)

    trainee: str | None = None
    persona_id: str | None = None
    language: Language | None = None
    since: date | None = None
    until: date | None = None
    quadrant: Quadrant | None = None
    flag: str | None = Field(default=None, description="a flag id, 'any' (some flag) or 'none'")
    grade_status: GradeStatus | Literal["ungraded"] | None = None
    sort_by: SortKey = "date"
    descending: bool = True


class ReviewRow(BaseModel):
    """A line of the review table."""

    id: str
    owner: str
    persona_id: str
    language: str
    source: str
    created_at: datetime
    turns: int
    grade_status: str = UNGRADED
    overall: float | None = None
    hard: float | None = None
    soft: float | None = None
    quadrant: Quadrant | None = None
    flags: list[str] = Field(default_factory=list)
    labels: int = 0


class CriterionComparison(BaseModel):
    """The grader's and the newest trainer label's score of one criterion."""

    id: CriterionId
    grader: int | None
    trainer: int | None

    @property
    def difference(self) -> int | None:
        """trainer minus grader, when both scored."""
        return None if self.grader is None or self.trainer is None else self.trainer - self.grader


class ReviewDetail(BaseModel):
    session: SessionView
    source: str
    external_id: str | None = None
    labels: list[StoredLabel] = Field(default_factory=list)
    comparison: list[CriterionComparison] = Field(default_factory=list)


class LabelInput(BaseModel):
    """A trainer's review: ten 1-5 scores, compliance flags they see, a comment."""

    model_config = ConfigDict(extra="forbid")

    scores: dict[CriterionId, Score]
    flags: list[str] = Field(default_factory=list)
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS)

    @field_validator("scores")
    @classmethod
    def _all_ten(cls, value: dict[CriterionId, int]) -> dict[CriterionId, int]:
        missing = [c for c in CRITERION_IDS if c not in value]
        if missing:
            raise ValueError(f"scores lack {', '.join(missing)}")
        return value

    @field_validator("flags")
    @classmethod
    def _known_flags(cls, value: list[str]) -> list[str]:
        unknown = [flag for flag in value if flag not in FLAG_IDS]
        if unknown:
            raise ValueError(f"unknown flags {unknown}; known: {', '.join(FLAG_IDS)}")
        return sorted(set(value))


# --------------------------------------------------------------------------- pure table functions


def review_row(session: StoredSession, turns: int, grade: Grade | None, status: str, labels: int) -> ReviewRow:
    return ReviewRow(
        id=session.id,
        owner=session.owner,
        persona_id=session.persona_id,
        language=session.language,
        source=session.source,
        created_at=session.created_at,
        turns=turns,
        grade_status=status,
        overall=grade.overall if grade else None,
        hard=grade.hard if grade else None,
        soft=grade.soft if grade else None,
        quadrant=grade.quadrant if grade else None,
        flags=[*grade.flag_ids(), *(f.id for f in grade.integrity_flags)] if grade else [],
        labels=labels,
    )


def _day_bounds(filters: SessionFilters) -> tuple[datetime | None, datetime | None]:
    from datetime import UTC

    since = datetime.combine(filters.since, time.min, UTC) if filters.since else None
    until = datetime.combine(filters.until, time.max, UTC) if filters.until else None
    return since, until


def _flag_matches(row: ReviewRow, flag: str | None) -> bool:
    if not flag:
        return True
    if flag == "any":
        return bool(row.flags)
    if flag == "none":
        return not row.flags
    return flag in row.flags


def matches(row: ReviewRow, filters: SessionFilters) -> bool:
    """Does the row pass every filter that is set?"""
    since, until = _day_bounds(filters)
    checks = (
        not filters.trainee or row.owner == filters.trainee,
        not filters.persona_id or row.persona_id == filters.persona_id,
        not filters.language or row.language == filters.language,
        since is None or row.created_at >= since,
        until is None or row.created_at <= until,
        not filters.quadrant or row.quadrant == filters.quadrant,
        _flag_matches(row, filters.flag),
        not filters.grade_status or row.grade_status == filters.grade_status,
    )
    return all(checks)


def _sort_value(row: ReviewRow, key: SortKey) -> str | float | None:
    if key == "date":
        return row.created_at.timestamp()
    if key in ("trainee", "persona"):
        return row.owner.casefold() if key == "trainee" else row.persona_id
    scores = {"overall": row.overall, "hard": row.hard, "soft": row.soft}
    return scores[key]


def filter_and_sort(rows: Sequence[ReviewRow], filters: SessionFilters) -> list[ReviewRow]:
    """The rows passing `filters`, sorted by `filters.sort_by`; ungraded rows sort last either way."""
    kept = [row for row in rows if matches(row, filters)]
    valued = [(value, row) for row in kept if (value := _sort_value(row, filters.sort_by)) is not None]
    missing = [row for row in kept if _sort_value(row, filters.sort_by) is None]
    valued.sort(key=lambda pair: pair[0], reverse=filters.descending)
    return [row for _value, row in valued] + missing


def compare(grade: Grade | None, label: StoredLabel | None) -> list[CriterionComparison]:
    """Grader vs the newest trainer label, criterion by criterion (P1..S5)."""
    return [
        CriterionComparison(
            id=criterion,
            grader=grade.scores.get(criterion) if grade else None,
            trainer=label.scores.get(criterion) if label else None,
        )
        for criterion in CRITERION_IDS
    ]


def label_summary(label: StoredLabel) -> tuple[float, float, float, Quadrant]:
    """hard, soft, overall and quadrant of a human label (the shared `summarise`)."""
    summary = summarise(label.scores)
    return summary.hard, summary.soft, summary.overall, summary.quadrant


# --------------------------------------------------------------------------- the service


def _grade_of(record: StoredGrade | None) -> Grade | None:
    return Grade.model_validate_json(record.grade_json) if record and record.grade_json else None


class ReviewService:
    """Trainers' reading, labelling and re-grading of sessions (see the module docs for the rules)."""

    def __init__(self, practice: PracticeService) -> None:
        self._store: Store = practice.store
        self.practice = practice

    # ------------------------------------------------------------------ access

    def _deny(self, viewer: Principal, action: str) -> ReviewDenied:
        log.warning("denied: %s (%s) tried to %s", viewer.name, viewer.role, action)
        return ReviewDenied(f"Only trainers can {action}.")

    def require_trainer(self, viewer: Principal, action: str) -> None:
        if not (viewer.local or viewer.is_trainer):
            raise self._deny(viewer, action)

    def readable_session(self, viewer: Principal, session_id: str) -> StoredSession:
        """The session if the viewer may read it; SessionNotFound otherwise (existence not leaked)."""
        session = self._store.get_session(session_id)
        if session is None or not viewer.can_read(session.owner):
            if session is not None:
                log.warning("denied: %s read session %s", viewer.name, session_id)
            raise SessionNotFound(f"No session '{session_id}'.")
        return session

    def visible_sessions(self, viewer: Principal, since: datetime | None = None) -> list[StoredSession]:
        """What the viewer may read: everything for a trainer, their own sessions for a trainee."""
        sessions = self._store.all_sessions(since)
        return [s for s in sessions if viewer.can_read(s.owner)]

    # ------------------------------------------------------------------ table and detail

    def rows(self, viewer: Principal, filters: SessionFilters | None = None) -> list[ReviewRow]:
        """The review table (trainers), filtered and sorted."""
        self.require_trainer(viewer, "open the review workspace")
        return filter_and_sort(self._rows(self.visible_sessions(viewer)), filters or SessionFilters())

    def _rows(self, sessions: Sequence[StoredSession]) -> list[ReviewRow]:
        ids = [s.id for s in sessions]
        counts, grades, labels = self._store.turn_counts(ids), self._store.latest_grades(ids), self._store.labels(ids)
        return [
            review_row(
                s, counts[s.id], _grade_of(grades.get(s.id)), _status(grades.get(s.id)), len(labels.get(s.id, []))
            )
            for s in sessions
        ]

    def detail(self, viewer: Principal, session_id: str) -> ReviewDetail:
        """One session with its grade, usage, labels and the grader-vs-trainer comparison."""
        self.require_trainer(viewer, "open the review workspace")
        session = self.readable_session(viewer, session_id)
        view = self.practice.get_session(viewer, session.id)
        labels = self._store.labels([session.id]).get(session.id, [])
        grade = view.grade.grade if view.grade else None
        return ReviewDetail(
            session=view,
            source=session.source,
            external_id=session.external_id,
            labels=labels,
            comparison=compare(grade, labels[-1] if labels else None),
        )

    # ------------------------------------------------------------------ changes

    def save_label(self, viewer: Principal, session_id: str, review: LabelInput) -> StoredLabel:
        """Store the viewer's scores of a session as a human label (reviewer = viewer, time = now)."""
        self.require_trainer(viewer, "save a review")
        session = self.readable_session(viewer, session_id)
        new = NewLabel(
            session_id=session.id,
            reviewer=viewer.name,
            scores=dict(review.scores),
            flags=review.flags,
            comment=review.comment.strip(),
        )
        return self._store.add_label(new)

    async def regrade(self, viewer: Principal, session_id: str) -> GradeView:
        """Grade the session again with the current grader (a new grade record)."""
        self.require_trainer(viewer, "re-grade a session")
        session = self.readable_session(viewer, session_id)
        if not viewer.can_review(session.owner):
            raise self._deny(viewer, "re-grade a session")
        return await self.practice.grade(viewer, session.id)

    def labels(self, viewer: Principal, session_ids: Sequence[str]) -> dict[str, list[StoredLabel]]:
        """Labels of the sessions the viewer may read (others are left out)."""
        readable = {s.id for s in self.visible_sessions(viewer)}
        return self._store.labels([sid for sid in session_ids if sid in readable])

    def graded(self, viewer: Principal, sessions: Sequence[StoredSession]) -> dict[str, Grade]:
        """The newest successful grade of each readable session that has one."""
        readable = [s.id for s in sessions if viewer.can_read(s.owner)]
        latest = self._store.latest_grades(readable)
        return {sid: grade for sid, record in latest.items() if (grade := _grade_of(record)) is not None}


def _status(record: StoredGrade | None) -> str:
    return record.status if record else UNGRADED
