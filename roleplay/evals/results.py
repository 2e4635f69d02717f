"""From per-item records to the results dict of a run (what results.json holds)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from roleplay.evals.records import FAMILIES, ConsistencyRecord, PairRecord, ValidityRecord

AnyRecord = ConsistencyRecord | ValidityRecord | PairRecord
Results = dict[str, Any]


def results_from_records(
    records: Sequence[AnyRecord], *, seed: int = 0, n_boot: int = 1000, tolerance: int = 0
) -> Results:
    """`{family: {"overall": {...}, "per_criterion": {...}, ...}}` for all six families (a family
    without records has empty `overall`/`per_criterion` and n_items 0)."""
    raise NotImplementedError


def empty_family() -> dict[str, Any]:
    return {"overall": {"n_items": 0}, "per_criterion": {}}


__all__ = ["FAMILIES", "Results", "empty_family", "results_from_records"]
