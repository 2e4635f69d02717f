"""Grading files of transcripts (used by `roleplay grade`; the same parsing serves imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from roleplay.domain import Grade, Transcript
from roleplay.protocols import Grader, GradingFailed
from roleplay.transcripts import TranscriptProblem, parse_transcripts

if TYPE_CHECKING:
    from roleplay.settings import LLMSettings


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


def grader_settings(backend: str, samples: int | None) -> LLMSettings | None:
    """LLM settings from the environment with `samples` gradings per call (None: keep the defaults)."""
    if backend != "openai" or samples is None:
        return None
    from roleplay.settings import LLMSettings

    return LLMSettings(grader_samples=samples)


async def grade_files(paths: list[Path], backend: str, samples: int | None = None) -> GradeFilesOutcome:
    """Grade every transcript in `paths`; `samples` (openai only) overrides ROLEPLAY_GRADER_SAMPLES."""
    from roleplay.backends import build_grader

    transcripts, problems = read_transcript_files(paths)
    grader = build_grader(backend, grader_settings(backend, samples))
    outcome = await grade_transcripts(grader, transcripts) if transcripts else GradeFilesOutcome()
    outcome.problems = problems + outcome.problems
    return outcome
