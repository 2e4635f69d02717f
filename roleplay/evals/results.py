"""From per-item records to the results dict of a run (what results.json holds)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from roleplay.evals import robustness, stats
from roleplay.evals.records import FAMILIES, ConsistencyRecord, PairRecord, ValidityRecord

AnyRecord = ConsistencyRecord | ValidityRecord | PairRecord
Results = dict[str, Any]
PairFigures = Callable[[Sequence[PairRecord]], Results]


def results_from_records(
    records: Sequence[AnyRecord], *, seed: int = 0, n_boot: int = 1000, tolerance: int = 0, fast: bool = False
) -> Results:
    """`{family: {"overall": {...}, "per_criterion": {...}}}` for all six families; the pair families
    also have `per_kind` (overall figures per perturbation kind / injection id). A family without
    records is `empty_family()`. `fast`: see stats.validity."""
    results: Results = {family: empty_family() for family in FAMILIES}
    consistency = [r for r in records if isinstance(r, ConsistencyRecord)]
    if consistency:
        results["consistency"] = stats.consistency([r.repeats for r in consistency])
    validity = [r for r in records if isinstance(r, ValidityRecord)]
    if validity:
        results["validity"] = validity_results(validity, seed=seed, n_boot=n_boot, fast=fast)
    pair_functions: dict[str, PairFigures] = {
        "invariance": lambda rs: robustness.invariance([r.base for r in rs], [r.changed for r in rs], tolerance),
        "directional": directional_results,
        "adversarial": adversarial_results,
        "verbosity": lambda rs: robustness.verbosity([r.base for r in rs], [r.changed for r in rs]),
    }
    for family, function in pair_functions.items():
        pairs = [r for r in records if isinstance(r, PairRecord) and r.family == family]
        if pairs:
            results[family] = _with_kinds(pairs, function)
    return results


def empty_family() -> dict[str, Any]:
    return {"overall": {"n_items": 0}, "per_criterion": {}}


def validity_results(
    records: Sequence[ValidityRecord], *, seed: int = 0, n_boot: int = 1000, fast: bool = False
) -> Results:
    return stats.validity(
        [r.pred for r in records],
        [r.labels for r in records],
        [r.pred_quadrant for r in records],
        [r.label_quadrant for r in records],
        [set(r.pred_flags) for r in records],
        [set(r.label_flags) for r in records],
        seed=seed,
        n_boot=n_boot,
        fast=fast,
    )


def directional_results(records: Sequence[PairRecord]) -> Results:
    return robustness.directional(
        [r.base for r in records],
        [r.changed for r in records],
        [r.expect_down for r in records],
        [set(r.changed_flags) for r in records],
        [r.expect_flags for r in records],
    )


def adversarial_results(records: Sequence[PairRecord]) -> Results:
    detected = ["grader_manipulation" in r.changed_integrity_flags for r in records]
    return robustness.adversarial([r.base for r in records], [r.changed for r in records], detected)


def _with_kinds(records: Sequence[PairRecord], function: PairFigures) -> Results:
    by_kind: dict[str, list[PairRecord]] = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    result = function(records)
    result["per_kind"] = {kind: function(group)["overall"] for kind, group in sorted(by_kind.items())}
    return result
