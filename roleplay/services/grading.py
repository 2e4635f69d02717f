"""Grading files of transcripts (used by `roleplay grade`; the same parsing serves imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from roleplay.domain import Grade, Transcript
from roleplay.protocols import Grader, GradingFailed
from roleplay.transcripts import TranscriptProblem, parse_transcripts


@dataclass(frozen=True)
class GradedTranscript:
    transcript: Transcript
    grade: Grade


@dataclass
class GradeFilesOutcome:
    results: list[GradedTranscript] = field(default_factory=list)
    problems: list[TranscriptProblem] = field(default_factory=list)


def read_transcript_files(paths: list[Path]) -> tuple[list[Transcript], list[TranscriptProblem]]:
    """Every transcript in `paths`, and one problem per unreadable file or bad item."""
    transcripts: list[Transcript] = []
    problems: list[TranscriptProblem] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = "not found" if isinstance(exc, FileNotFoundError) else _reason(exc)
            problems.append(TranscriptProblem(str(path), f"cannot read the file ({reason})"))
            continue
        parsed = parse_transcripts(text, str(path))
        transcripts += parsed.transcripts
        problems += parsed.problems
    return transcripts, problems


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, IsADirectoryError):
        return "it is a directory"
    return getattr(exc, "strerror", None) or str(exc)


async def grade_transcripts(grader: Grader, transcripts: list[Transcript]) -> GradeFilesOutcome:
    outcome = GradeFilesOutcome()
    for transcript in transcripts:
        try:
            outcome.results.append(GradedTranscript(transcript, await grader.grade(transcript)))
        except GradingFailed as exc:
            outcome.problems.append(TranscriptProblem(transcript.id, f"not graded ({exc.status}): {exc.reason}"))
    return outcome


async def grade_files(paths: list[Path], backend: str) -> GradeFilesOutcome:
    from roleplay.backends import build_grader

    transcripts, problems = read_transcript_files(paths)
    outcome = await grade_transcripts(build_grader(backend), transcripts) if transcripts else GradeFilesOutcome()
    outcome.problems = problems + outcome.problems
    return outcome
