"""Two runs side by side: every figure of A and B and the paired bootstrap 95% interval of B - A.

Pairing: the records of both runs' items.jsonl are matched by `record.key()` (family, kind, item
id); only records present in both runs count. One bootstrap replicate draws the shared keys with
replacement (the same draw for A and B) and recomputes every figure of both runs on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from roleplay.evals.records import ConsistencyRecord, PairRecord, ValidityRecord, read_items
from roleplay.evals.report import format_interval, format_value
from roleplay.evals.results import results_from_records

AnyRecord = ConsistencyRecord | ValidityRecord | PairRecord
SKIPPED = ("n", "n_items", "n_floor", "repeats", "tolerance")


def flatten(results: Mapping[str, Any], prefix: str = "") -> dict[str, float | None]:
    """Every scalar figure by dotted path ("validity.per_criterion.P1.qwk"); intervals, matrices
    and counts left out."""
    flat: dict[str, float | None] = {}
    for key, value in results.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{path}."))
        elif key not in SKIPPED and not key.endswith("_ci") and (value is None or isinstance(value, int | float)):
            flat[path] = None if value is None else float(value)
    return flat


def shared_records(a: Sequence[AnyRecord], b: Sequence[AnyRecord]) -> tuple[list[AnyRecord], list[AnyRecord]]:
    """The records both runs have, in the same order (by key)."""
    by_key_b = {r.key(): r for r in b}
    pairs = [(r, by_key_b[r.key()]) for r in a if r.key() in by_key_b]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def compare_records(
    a: Sequence[AnyRecord], b: Sequence[AnyRecord], *, seed: int = 0, n_boot: int = 1000
) -> list[dict[str, Any]]:
    """Rows {"figure", "a", "b", "diff", "diff_ci"} (diff = b - a) over the shared records."""
    import numpy as np

    a, b = shared_records(a, b)
    flat_a, flat_b = flatten(results_from_records(a, n_boot=0)), flatten(results_from_records(b, n_boot=0))
    samples: dict[str, list[float]] = {key: [] for key in flat_a}
    rng = np.random.default_rng(seed)
    for _ in range(n_boot if a else 0):
        index = rng.integers(0, len(a), len(a)).tolist()
        diff = _differences([a[i] for i in index], [b[i] for i in index])
        for key, value in diff.items():
            samples.setdefault(key, []).append(value)
    return [_row(key, flat_a.get(key), flat_b.get(key), samples.get(key, [])) for key in flat_a]


def _differences(a: Sequence[AnyRecord], b: Sequence[AnyRecord]) -> dict[str, float]:
    flat_a = flatten(results_from_records(a, n_boot=0, fast=True))
    flat_b = flatten(results_from_records(b, n_boot=0, fast=True))
    return {k: vb - va for k, va in flat_a.items() if va is not None and (vb := flat_b.get(k)) is not None}


def _row(key: str, a: float | None, b: float | None, samples: list[float]) -> dict[str, Any]:
    import numpy as np

    interval = [float(x) for x in np.percentile(samples, [2.5, 97.5])] if samples else None
    diff = None if a is None or b is None else b - a
    return {"figure": key, "a": a, "b": b, "diff": diff, "diff_ci": interval}


def compare(run_a_dir: Path, run_b_dir: Path, *, seed: int = 0, n_boot: int = 1000) -> list[dict[str, Any]]:
    """Rows {"figure", "a", "b", "diff", "diff_ci"} from two run folders' items.jsonl; raises
    RecordsError naming a missing or malformed file."""
    a, b = read_items(run_a_dir / "items.jsonl"), read_items(run_b_dir / "items.jsonl")
    return compare_records(a, b, seed=seed, n_boot=n_boot)


def compare_markdown(rows: Sequence[Mapping[str, Any]], run_a: str, run_b: str) -> str:
    """A markdown table: figure | A | B | B - A | 95% interval of B - A (paired bootstrap)."""
    lines = [
        f"| figure | A: {run_a} | B: {run_b} | B - A | 95% interval (paired bootstrap) |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        name = str(row["figure"]).rsplit(".", 1)[-1]
        diff = "n/a" if row["diff"] is None else f"{row['diff']:+.3f}"
        interval = format_interval("diff", row["diff_ci"])
        a, b = format_value(name, row["a"]), format_value(name, row["b"])
        lines.append(f"| {row['figure']} | {a} | {b} | {diff} | {interval} |")
    return "\n".join(lines) + "\n"
