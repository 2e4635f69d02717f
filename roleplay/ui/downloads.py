"""Files for the download buttons: the transcript JSON and the grade JSON, in a temporary folder."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from roleplay.domain import Grade, Transcript

_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def download_folder() -> Path:
    """A fresh folder under the system temp dir (which Gradio serves files from)."""
    return Path(tempfile.mkdtemp(prefix="roleplay-downloads-"))


def _file_stem(session_id: str) -> str:
    return _SAFE.sub("_", session_id)[:64] or "session"


def write_transcript(transcript: Transcript, folder: Path) -> Path:
    path = folder / f"transcript-{_file_stem(transcript.id)}.json"
    path.write_text(transcript.model_dump_json(indent=2), encoding="utf-8")
    return path


def write_grade(grade: Grade, session_id: str, folder: Path) -> Path:
    path = folder / f"grade-{_file_stem(session_id)}.json"
    path.write_text(grade.model_dump_json(indent=2), encoding="utf-8")
    return path
