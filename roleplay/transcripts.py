"""Reading transcripts: JSON (one object or a list), JSONL (one object per line), plain text with
`Agent:`/`Debtor:` lines (also `Agente:`/`Deudor:`/`Cliente:`) or CSV (one row per turn: call id,
order, speaker, text, with a header row). Pure functions: text in, models out.

Problems are reported as `TranscriptProblem`s naming the source and the line, so that one bad
transcript never stops the others.
"""

from __future__ import annotations

import csv
import io
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
    elif source.lower().endswith(".csv") or _looks_like_csv(stripped.splitlines()[0]):
        _parse_csv(stripped, source, language, result)
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


# --------------------------------------------------------------------------- CSV

_CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "call": ("call_id", "call", "id", "conversation_id", "llamada", "id_llamada"),
    "order": ("order", "seq", "turn", "position", "orden", "turno"),
    "speaker": ("speaker", "role", "hablante", "interlocutor"),
    "text": ("text", "utterance", "message", "texto", "mensaje"),
}
_CSV_HINT = "a header row with call_id, order, speaker, text"


def _csv_columns(names: list[str]) -> dict[str, int] | None:
    """Where each needed column sits in a header row, or None if it is not such a header."""
    lowered = [name.strip().lower() for name in names]
    found = {
        key: next((lowered.index(a) for a in aliases if a in lowered), -1) for key, aliases in _CSV_HEADERS.items()
    }
    return None if -1 in found.values() else found


def _looks_like_csv(first_line: str) -> bool:
    return _csv_columns(next(csv.reader([first_line]), [])) is not None


def _parse_csv(text: str, source: str, language: Language | None, result: ParsedTranscripts) -> None:
    """One transcript per call id; a bad row is a problem and drops its call, the other calls stay."""
    rows = list(csv.reader(io.StringIO(text)))
    columns = _csv_columns(rows[0])
    if columns is None:
        result.problems.append(TranscriptProblem(source, f"not a transcript CSV (expected {_CSV_HINT})", 1))
        return
    calls: dict[str, list[tuple[int, str, str]]] = {}
    broken: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        parsed = _csv_row(row, columns)
        if isinstance(parsed, str):
            result.problems.append(TranscriptProblem(source, parsed, number))
            broken.add(row[columns["call"]].strip() if len(row) > columns["call"] else "")
        elif parsed is not None:
            calls.setdefault(parsed[0], []).append(parsed[1:])
    for call_id, turns in calls.items():
        if call_id not in broken:
            _collect(_csv_call(call_id, sorted(turns), language), source, None, result)
    if not calls and not result.problems:
        result.problems.append(TranscriptProblem(source, "the CSV has no turns"))


def _csv_row(row: list[str], columns: dict[str, int]) -> tuple[str, int, str, str] | str | None:
    """(call id, order, speaker, text) of one row; None for a blank row; a message for a bad one."""
    if not any(cell.strip() for cell in row):
        return None
    if len(row) <= max(columns.values()):
        return f"expected {max(columns.values()) + 1} columns, got {len(row)}"
    call, order, speaker, text = (row[columns[key]].strip() for key in ("call", "order", "speaker", "text"))
    if speaker.lower() not in SPEAKERS:
        return f"unknown speaker '{speaker}' ({_LABEL_HINT})"
    if not order.lstrip("-").isdigit():
        return f"order '{order}' is not a whole number"
    return call or "call", int(order), speaker.lower(), text


def _csv_call(call_id: str, turns: list[tuple[int, str, str]], language: Language | None) -> Transcript | str:
    labels = [SPEAKERS[speaker][1] for _order, speaker, _text in turns]
    spoken = " ".join(text for _order, _speaker, text in turns)
    transcript = Transcript(
        id=call_id,
        language=language or _guess_language(spoken, labels),
        turns=[Turn(role=SPEAKERS[speaker][0], text=text) for _order, speaker, text in turns],
    )
    try:
        _check_agent_turn(transcript)
    except ValueError as exc:
        return f"call '{call_id}': {exc}"
    return transcript
