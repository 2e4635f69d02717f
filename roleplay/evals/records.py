"""Per-item records of an evaluation run (`items.jsonl`, one record per line, beside results.json).

The runner writes one record per graded unit; `results_from_records` turns them into the results
dict that `report.write_report` renders, and `compare.compare` pairs two runs' records by `key()` for
paired bootstrap intervals. Records hold plain data only (scores, quadrants, flag ids).

Families and what one record means:
- consistency: one transcript graded k times (`repeats`, k score dicts).
- validity: one transcript, the grader's first (or only) grade against one or more raters' labels.
- invariance / directional / adversarial / verbosity: one (base, changed) pair of grades; `kind` names
  the perturbation ("rename", "reformat", "noise", "translation", "threat", "insult",
  "remove_agreement", "pleading", "pad", or an injection id).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from roleplay.domain import FLAG_IDS, CriterionId, FlagId, Grade, Quadrant, Score

Scores = dict[CriterionId, Score]
Family = Literal["consistency", "validity", "invariance", "directional", "adversarial", "verbosity"]
FAMILIES: tuple[Family, ...] = ("consistency", "validity", "invariance", "directional", "adversarial", "verbosity")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    item_id: str = Field(min_length=1)


class ConsistencyRecord(_Record):
    family: Literal["consistency"] = "consistency"
    repeats: list[Scores] = Field(min_length=1)

    def key(self) -> str:
        return f"consistency|{self.item_id}"


class ValidityRecord(_Record):
    family: Literal["validity"] = "validity"
    pred: Scores
    labels: list[Scores] = Field(min_length=1, description="one score dict per rater")
    pred_quadrant: Quadrant
    label_quadrant: Quadrant
    pred_flags: list[FlagId] = Field(default_factory=list)
    label_flags: list[FlagId] = Field(default_factory=list)

    def key(self) -> str:
        return f"validity|{self.item_id}"


class PairRecord(_Record):
    """A grade of the original transcript and of a changed one (perturbed, attacked, padded, translated)."""

    family: Literal["invariance", "directional", "adversarial", "verbosity"]
    kind: str = Field(min_length=1)
    base: Scores
    changed: Scores
    changed_flags: list[FlagId] = Field(default_factory=list)
    changed_integrity_flags: list[str] = Field(default_factory=list, description="e.g. grader_manipulation")
    expect_down: list[CriterionId] = Field(default_factory=list, description="directional: criteria that must drop")
    expect_flags: list[FlagId] = Field(default_factory=list, description="directional: flags that must be raised")

    def key(self) -> str:
        return f"{self.family}|{self.kind}|{self.item_id}"


ItemRecord = Annotated[ConsistencyRecord | ValidityRecord | PairRecord, Field(discriminator="family")]
_ADAPTER: TypeAdapter[ItemRecord] = TypeAdapter(ItemRecord)


class RecordsError(Exception):
    """items.jsonl is missing or has a malformed line (the message names the file and line)."""


def validity_record(item_id: str, grade: Grade, raters: Sequence[Any]) -> ValidityRecord:
    """A validity record from a Grade and the item's labels: one `{"scores","quadrant","flags"}` mapping
    (or object with those attributes) per rater. Quadrant: the raters' majority (ties: the first
    rater's); flags: those marked by at least half of the raters."""
    quadrants = [_field(r, "quadrant") for r in raters]
    quadrant = max(quadrants, key=lambda q: (quadrants.count(q), -quadrants.index(q)))
    flag_lists = [list(_field(r, "flags") or []) for r in raters]
    counted = {f for flags in flag_lists for f in flags}
    flags = sorted(f for f in counted if 2 * sum(f in fl for fl in flag_lists) >= len(raters))
    return ValidityRecord(
        item_id=item_id,
        pred=dict(grade.scores),
        labels=[dict(_field(r, "scores")) for r in raters],
        pred_quadrant=grade.quadrant,
        label_quadrant=quadrant,
        pred_flags=[f.id for f in grade.flags if f.id in FLAG_IDS],
        label_flags=flags,
    )


def _field(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def write_items(records: Iterable[ConsistencyRecord | ValidityRecord | PairRecord], path: Path) -> None:
    lines = [json.dumps(r.model_dump(mode="json"), ensure_ascii=False) for r in records]
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def read_items(path: Path) -> list[ConsistencyRecord | ValidityRecord | PairRecord]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RecordsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    records = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            records.append(_parse_line(line, path, n))
    return records


def _parse_line(line: str, path: Path, n: int) -> ConsistencyRecord | ValidityRecord | PairRecord:
    try:
        return _ADAPTER.validate_json(line)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(line)"
        raise RecordsError(f"{path}:{n}: key '{key}': {err['msg']}") from None
