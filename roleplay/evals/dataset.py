"""Labelled evaluation datasets: JSONL, one transcript per line (evals/datasets/*.jsonl, trainer labels
exported from the store, self-play output of `roleplay simulate`).

A line is a transcript (DESIGN.md interchange format) plus `labels`: one `{"scores", "quadrant",
"flags"}` object, or a list of such objects each with a `rater`; optional `pair_id` marks the same call
in two languages. A malformed line is reported with its line number and the other lines still load.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from roleplay.domain import CriterionId, FlagId, IntegrityFlagId, Quadrant, Score, Transcript
from roleplay.scoring import summarise


class DatasetError(Exception):
    """A dataset file cannot be read at all (missing, unreadable, no valid line)."""


class LabelSet(BaseModel):
    """One rater's labels of one call. Self-play rows carry only the intended quadrant (no scores)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rater: str = "rater-1"
    scores: dict[CriterionId, Score] | None = None
    quadrant: Quadrant
    flags: list[FlagId] = Field(default_factory=list)
    integrity_flags: list[IntegrityFlagId] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> LabelSet:
        if self.scores is None:
            return self
        if len(self.scores) != 10:
            raise ValueError(f"scores must have all ten criteria, got {sorted(self.scores)}")
        expected = summarise({str(c): s for c, s in self.scores.items()}).quadrant
        if expected != self.quadrant:
            raise ValueError(f"quadrant '{self.quadrant}' does not follow from the scores ('{expected}')")
        return self


class DatasetRow(Transcript):
    """A transcript line of a dataset file; unknown keys (notes, agent_style, ...) are ignored."""

    pair_id: str | None = None
    labels: list[LabelSet] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _labels_as_list(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("labels"), dict):
            data = {**data, "labels": [data["labels"]]}
        return data

    def transcript(self) -> Transcript:
        return Transcript(id=self.id, language=self.language, persona_id=self.persona_id, turns=self.turns)

    def scored_labels(self) -> list[LabelSet]:
        """The raters that gave criterion scores (validity needs them)."""
        return [label for label in self.labels if label.scores is not None]


@dataclass(frozen=True)
class EvalItem:
    """One labelled call, ready to grade."""

    source: str
    row: DatasetRow

    @property
    def id(self) -> str:
        return self.row.id


@dataclass
class Dataset:
    items: list[EvalItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line per malformed line

    def extend(self, other: Dataset) -> None:
        self.items.extend(other.items)
        self.problems.extend(other.problems)


def parse_line(line: str, where: str) -> DatasetRow | str:
    """The row of one JSONL line, or a one-line problem naming `where` (file:line) and the key."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"{where}: not JSON ({exc.msg}, column {exc.colno})"
    if not isinstance(data, dict):
        return f"{where}: expected a JSON object"
    try:
        return DatasetRow.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(line)"
        return f"{where}: key '{key}': {err['msg']}"


def parse_dataset(text: str, source: str) -> Dataset:
    """Every valid line of a JSONL text; a malformed line or repeated id is a problem, not an abort."""
    dataset, seen = Dataset(), set[str]()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parsed = parse_line(line, f"{source}:{number}")
        if isinstance(parsed, str):
            dataset.problems.append(parsed)
        elif not parsed.agent_turn_indices():
            dataset.problems.append(f"{source}:{number}: key 'turns': no agent turn to grade")
        elif parsed.id in seen:
            dataset.problems.append(f"{source}:{number}: id '{parsed.id}' appears twice; the first is kept")
        else:
            seen.add(parsed.id)
            dataset.items.append(EvalItem(source, parsed))
    return dataset


def load_dataset(path: Path) -> Dataset:
    """Read one JSONL file; DatasetError when it cannot be read or holds no valid line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    dataset = parse_dataset(text, str(path))
    if not dataset.items:
        detail = f"; first problem: {dataset.problems[0]}" if dataset.problems else ""
        raise DatasetError(f"{path}: no valid transcript line{detail}")
    return dataset


def load_datasets(paths: Sequence[Path]) -> Dataset:
    """Several files as one dataset; an id repeated across files is a problem (the first is kept)."""
    merged = Dataset()
    for path in paths:
        merged.extend(load_dataset(path))
    return _dedupe(merged)


def _dedupe(dataset: Dataset) -> Dataset:
    seen: set[str] = set()
    kept = Dataset(problems=list(dataset.problems))
    for item in dataset.items:
        if item.id in seen:
            kept.problems.append(f"{item.source}: id '{item.id}' already loaded from another file; skipped")
            continue
        seen.add(item.id)
        kept.items.append(item)
    return kept


def translation_pairs(items: Sequence[EvalItem]) -> list[tuple[EvalItem, EvalItem]]:
    """(first, second) for each pair_id shared by exactly two items in different languages."""
    by_pair: dict[str, list[EvalItem]] = {}
    for item in items:
        if item.row.pair_id:
            by_pair.setdefault(item.row.pair_id, []).append(item)
    return [
        (group[0], group[1])
        for group in by_pair.values()
        if len(group) == 2 and group[0].row.language != group[1].row.language
    ]
