"""Reading transcripts: JSON (one object or a list), JSONL (one object per line) or plain text with
`Agent:`/`Debtor:` lines (also `Agente:`/`Deudor:`/`Cliente:`). Pure functions: text in, models out.

Problems are reported as `TranscriptProblem`s naming the source and the line, so that one bad
transcript never stops the others.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from roleplay.domain import Language, Role, Transcript, Turn

SPEAKERS: dict[str, tuple[Role, Language]] = {
    "agent": ("agent", "en"),
    "collector": ("agent", "en"),
    "debtor": ("debtor", "en"),
    "customer": ("debtor", "en"),
    "client": ("debtor", "en"),
    "agente": ("agent", "es"),
    "gestor": ("agent", "es"),
    "gestora": ("agent", "es"),
    "deudor": ("debtor", "es"),
    "deudora": ("debtor", "es"),
    "cliente": ("debtor", "es"),
}
_SPEAKER_LINE = re.compile(r"^\s*\**\s*(?P<speaker>[A-Za-zÁÉÍÓÚáéíóúñÑ]+)\s*\**\s*:\s*(?P<text>.*)$")
_LABEL_HINT = "use Agent:/Debtor: or Agente:/Deudor:/Cliente:"
_SPANISH_HINTS = re.compile(r"\b(que|usted|el|la|los|de|pago|deuda|gracias|hola|buenos|por favor)\b", re.I)
_ENGLISH_HINTS = re.compile(r"\b(the|you|your|and|payment|debt|thanks|hello|please|is|are)\b", re.I)


@dataclass(frozen=True)
class TranscriptProblem:
    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.message}"


@dataclass
class ParsedTranscripts:
    transcripts: list[Transcript] = field(default_factory=list)
    problems: list[TranscriptProblem] = field(default_factory=list)


def parse_transcripts(text: str, source: str, language: Language | None = None) -> ParsedTranscripts:
    """Parse a file's text in whichever of the three formats it is written."""
    stripped = text.lstrip("\ufeff").strip()
    result = ParsedTranscripts()
    if not stripped:
        result.problems.append(TranscriptProblem(source, "the file is empty"))
    elif stripped[0] in "{[":
        _parse_json_or_jsonl(stripped, source, result)
    else:
        _collect(_parse_plain_text(stripped, source, language), source, None, result)
    return result


def transcript_from_obj(obj: Any, default_id: str) -> Transcript:
    """Validate one interchange-format object; raises ValueError with a one-line reason."""
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object with 'language' and 'turns'")
    data = {"id": default_id, **obj}
    data["id"] = str(data["id"])
    _check_roles(data.get("turns"))
    try:
        transcript = Transcript.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"key '{key}': {err['msg']}") from None
    _check_agent_turn(transcript)
    return transcript


def _check_roles(turns: Any) -> None:
    if not isinstance(turns, list):
        return
    for i, turn in enumerate(turns):
        role = turn.get("role") if isinstance(turn, dict) else None
        if isinstance(role, str) and role not in ("agent", "debtor"):
            raise ValueError(f"turn {i}: unknown role '{role}' (expected 'agent' or 'debtor')")


def _check_agent_turn(transcript: Transcript) -> None:
    if not any(t.role == "agent" and t.text.strip() for t in transcript.turns):
        raise ValueError("the transcript has no agent turn")


def _collect(item: Transcript | str, source: str, line: int | None, result: ParsedTranscripts) -> None:
    if isinstance(item, Transcript):
        result.transcripts.append(item)
    else:
        result.problems.append(TranscriptProblem(source, item, line))


def _parse_json_or_jsonl(text: str, source: str, result: ParsedTranscripts) -> None:
    stem = _stem(source)
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
        if "\n" not in text.strip():
            result.problems.append(TranscriptProblem(source, "invalid JSON"))
            return
    if whole is not None:
        items = whole if isinstance(whole, list) else [whole]
        for n, obj in enumerate(items, start=1):
            default = stem if len(items) == 1 else f"{stem}-{n}"
            _collect(_validated(obj, default), source, None, result)
        return
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            _collect(_parse_jsonl_line(line, f"{stem}-{n}"), source, n, result)


def _parse_jsonl_line(line: str, default_id: str) -> Transcript | str:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"invalid JSON ({exc.msg})"
    return _validated(obj, default_id)


def _validated(obj: Any, default_id: str) -> Transcript | str:
    try:
        return transcript_from_obj(obj, default_id)
    except ValueError as exc:
        return str(exc)


def _parse_plain_text(text: str, source: str, language: Language | None) -> Transcript | str:
    turns: list[Turn] = []
    labels: list[Language] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = _SPEAKER_LINE.match(raw)
        speaker = match.group("speaker").lower() if match else None
        if match and speaker in SPEAKERS:
            role, lang = SPEAKERS[speaker]
            labels.append(lang)
            turns.append(Turn(role=role, text=match.group("text").strip()))
        elif match and match.group("speaker")[0].isupper():
            return f"line {n}: unknown speaker '{match.group('speaker')}' ({_LABEL_HINT})"
        elif turns:
            turns[-1] = Turn(role=turns[-1].role, text=f"{turns[-1].text}\n{raw.strip()}".strip())
        else:
            return f"line {n}: expected a speaker label ({_LABEL_HINT})"
    transcript = Transcript(id=_stem(source), language=language or _guess_language(text, labels), turns=turns)
    try:
        _check_agent_turn(transcript)
    except ValueError as exc:
        return str(exc)
    return transcript


def _guess_language(text: str, labels: list[Language]) -> Language:
    if labels and all(lang == labels[0] for lang in labels):
        return labels[0]
    es, en = len(_SPANISH_HINTS.findall(text)), len(_ENGLISH_HINTS.findall(text))
    return "es" if es > en else "en"


def _stem(source: str) -> str:
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name
