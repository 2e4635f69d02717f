"""Exporting sessions with their grades and trainer labels.

- JSONL in the evaluation dataset format (roleplay/evals/dataset.py): a transcript per line plus
  `labels`, one object per trainer (their newest label): `rater`, `scores`, `quadrant` (from
  roleplay.scoring.summarise), `flags`. Sessions without a label are left out of JSONL (the dataset
  format needs labels). The grader's grade and the comments ride along in keys the loader ignores.
- CSV, one row per session: the grader's ten scores, hard, soft, overall, quadrant, flags, then the
  newest trainer label; UTF-8 with a BOM so spreadsheets keep the accents.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from roleplay.auth import Principal
from roleplay.domain import CRITERION_IDS, Grade, Transcript
from roleplay.scoring import summarise
from roleplay.services.review import ReviewService
from roleplay.store import StoredLabel, StoredSession

ExportFormat = Literal["jsonl", "csv"]
BOM = "\ufeff"


class ExportOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    since: datetime | None = None
    labelled_only: bool = False


class ExportRecord(BaseModel):
    """One session as exported."""

    session: StoredSession
    transcript: Transcript
    grade: Grade | None = None
    labels: list[StoredLabel] = []


def newest_per_rater(labels: Sequence[StoredLabel]) -> list[StoredLabel]:
    """Each reviewer's newest label (labels come oldest first), in order of first review."""
    newest: dict[str, StoredLabel] = {}
    for label in labels:
        newest[label.reviewer] = label
    return list(newest.values())


def dataset_label(label: StoredLabel) -> dict[str, Any]:
    """A label object of the dataset format: rater, scores, quadrant, flags."""
    return {
        "rater": label.reviewer,
        "scores": label.scores,
        "quadrant": summarise(label.scores).quadrant,
        "flags": label.flags,
    }


def jsonl_line(record: ExportRecord) -> str:
    labels = newest_per_rater(record.labels)
    line: dict[str, Any] = {
        **record.transcript.model_dump(),
        "labels": [dataset_label(label) for label in labels],
        "owner": record.session.owner,
        "source": record.session.source,
        "external_id": record.session.external_id,
        "created_at": record.session.created_at.isoformat(),
        "comments": [{"rater": label.reviewer, "comment": label.comment} for label in labels if label.comment],
        "grade": record.grade.model_dump(mode="json") if record.grade else None,
    }
    return json.dumps(line, ensure_ascii=False)


def to_jsonl(records: Sequence[ExportRecord]) -> str:
    """Labelled records, one JSON object per line (unlabelled ones are left out)."""
    return "".join(jsonl_line(record) + "\n" for record in records if record.labels)


def _grader_cells(grade: Grade | None) -> list[Any]:
    if grade is None:
        return [""] * (len(CRITERION_IDS) + 5)
    flags = [*grade.flag_ids(), *(f.id for f in grade.integrity_flags)]
    scores = [grade.scores[c] for c in CRITERION_IDS]
    return [*scores, grade.hard, grade.soft, grade.overall, grade.quadrant, "; ".join(flags)]


def _trainer_cells(label: StoredLabel | None) -> list[Any]:
    if label is None:
        return [""] * (len(CRITERION_IDS) + 7)
    summary = summarise(label.scores)
    scores = [label.scores[c] for c in CRITERION_IDS]
    flags = "; ".join(label.flags)
    return [label.reviewer, *scores, summary.hard, summary.soft, summary.quadrant, flags, label.comment]


def csv_header() -> list[str]:
    session = ["session_id", "owner", "source", "external_id", "persona_id", "language", "created_at", "turns"]
    grader = [*CRITERION_IDS, "hard", "soft", "overall", "quadrant", "flags"]
    trainer = [f"trainer_{c}" for c in CRITERION_IDS]
    extra = ["trainer_hard", "trainer_soft", "trainer_quadrant", "trainer_flags", "trainer_comment"]
    return [*session, *grader, "reviewer", *trainer, *extra]


def csv_row(record: ExportRecord) -> list[Any]:
    s = record.session
    session = [s.id, s.owner, s.source, s.external_id or "", s.persona_id, s.language, s.created_at.isoformat()]
    newest = record.labels[-1] if record.labels else None
    return [*session, len(record.transcript.turns), *_grader_cells(record.grade), *_trainer_cells(newest)]


def to_csv(records: Sequence[ExportRecord]) -> str:
    """One row per session, a BOM first (spreadsheets then read UTF-8, accents intact)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header())
    writer.writerows(csv_row(record) for record in records)
    return BOM + buffer.getvalue()


def export_records(review: ReviewService, viewer: Principal, options: ExportOptions) -> list[ExportRecord]:
    """The sessions the viewer may export (trainers: all), oldest first, with grade and labels."""
    review.require_trainer(viewer, "export sessions")
    sessions = list(reversed(review.visible_sessions(viewer, options.since)))
    labels = review.labels(viewer, [s.id for s in sessions])
    if options.labelled_only:
        sessions = [s for s in sessions if s.id in labels]
    grades = review.graded(viewer, sessions)
    return [
        ExportRecord(
            session=s,
            transcript=review.practice.transcript(viewer, s.id),
            grade=grades.get(s.id),
            labels=labels.get(s.id, []),
        )
        for s in sessions
    ]


def export_text(review: ReviewService, viewer: Principal, fmt: ExportFormat, options: ExportOptions) -> str:
    records = export_records(review, viewer, options)
    return to_jsonl(records) if fmt == "jsonl" else to_csv(records)
