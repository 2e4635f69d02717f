"""Importing real calls (trainers): files of JSON, JSONL, plain text or CSV transcripts become ended
sessions marked `source="imported"`, owned by a trainee or by IMPORTED_OWNER; then graded in a batch.

A bad file (or a bad item in it) is reported per file; the good ones are imported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from roleplay import content
from roleplay.auth import Principal
from roleplay.domain import Transcript
from roleplay.services.practice import GradeView, PracticeError
from roleplay.services.review import ReviewService
from roleplay.store import NewSession, StoredSession
from roleplay.transcripts import parse_transcripts

IMPORTED_OWNER = "(imported)"
IMPORT_PERSONA = "imported"
MAX_FILE_BYTES = 5_000_000
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class UploadedFile:
    """A file's name (for messages) and its raw bytes."""

    name: str
    data: bytes

    @classmethod
    def read(cls, path: Path) -> UploadedFile | str:
        """The file, or a one-line reason it cannot be read."""
        try:
            return cls(str(path), path.read_bytes())
        except FileNotFoundError:
            return "not found"
        except IsADirectoryError:
            return "it is a directory"
        except OSError as exc:
            return exc.strerror or str(exc)


@dataclass
class FileOutcome:
    name: str
    sessions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileOutcome] = field(default_factory=list)

    @property
    def session_ids(self) -> list[str]:
        return [sid for outcome in self.files for sid in outcome.sessions]

    @property
    def problems(self) -> list[str]:
        return [f"{outcome.name}: {problem}" for outcome in self.files for problem in outcome.problems]


@dataclass
class GradingReport:
    graded: dict[str, GradeView] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def decode(upload: UploadedFile) -> str | None:
    """The file's UTF-8 text (with or without a BOM), or None when it is not UTF-8."""
    try:
        return upload.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def parse_upload(upload: UploadedFile) -> tuple[list[Transcript], list[str]]:
    """The transcripts of one file and its problems (one line each, with the line number if known)."""
    if len(upload.data) > MAX_FILE_BYTES:
        return [], [f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB"]
    text = decode(upload)
    if text is None:
        return [], ["not UTF-8 text"]
    parsed = parse_transcripts(text, upload.name)
    problems = [f"line {p.line}: {p.message}" if p.line is not None else p.message for p in parsed.problems]
    return parsed.transcripts, problems


def new_imported_session(transcript: Transcript, owner: str) -> NewSession:
    return NewSession(
        owner=owner,
        persona_id=transcript.persona_id or IMPORT_PERSONA,
        language=transcript.language,
        mode="assessment",
        backend="import",
        model="-",
        rubric_version=content.load_rubric().version,
        prompt_version="import",
        source="imported",
        external_id=transcript.id[:200],
    )


class ImportService:
    """Import and batch-grade real calls; trainers only (the viewer is checked on every call)."""

    def __init__(self, review: ReviewService) -> None:
        self.review = review
        self._store = review.practice.store

    def import_files(
        self, viewer: Principal, uploads: Sequence[UploadedFile], owner: str | None = None
    ) -> ImportReport:
        """Store every good transcript as an imported session of `owner` (default IMPORTED_OWNER)."""
        self.review.require_trainer(viewer, "import calls")
        assignee = (owner or "").strip() or IMPORTED_OWNER
        report = ImportReport()
        for upload in uploads:
            transcripts, problems = parse_upload(upload)
            stored = [self._store_call(t, assignee) for t in transcripts]
            report.files.append(FileOutcome(upload.name, [s.id for s in stored], problems))
        return report

    def _store_call(self, transcript: Transcript, owner: str) -> StoredSession:
        turns = [(turn.role, turn.text) for turn in transcript.turns]
        return self._store.import_session(new_imported_session(transcript, owner), turns)

    async def grade_sessions(
        self, viewer: Principal, session_ids: Sequence[str], on_progress: Progress | None = None
    ) -> GradingReport:
        """Grade each session with the current grader, reporting progress after each one."""
        self.review.require_trainer(viewer, "grade imported calls")
        report = GradingReport()
        for done, session_id in enumerate(session_ids, start=1):
            try:
                view = await self.review.regrade(viewer, session_id)
            except PracticeError as exc:
                report.problems.append(f"{session_id}: {exc}")
            else:
                report.graded[session_id] = view
                if view.status != "done":
                    report.problems.append(f"{session_id}: not graded ({view.status}): {view.error}")
            if on_progress is not None:
                on_progress(done, len(session_ids))
        return report
