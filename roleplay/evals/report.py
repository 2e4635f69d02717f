"""Writing a run's report: results.json, items.jsonl, report.md and report.html; CI thresholds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from roleplay.evals.records import ConsistencyRecord, PairRecord, ValidityRecord


def write_report(
    results: Mapping[str, Any],
    out_dir: Path,
    records: Sequence[ConsistencyRecord | ValidityRecord | PairRecord] | None = None,
    title: str = "Grader evaluation",
) -> list[Path]:
    """Write results.json, report.md, report.html (and items.jsonl when records are given) into
    out_dir (created); returns the paths written."""
    raise NotImplementedError


def check_thresholds(results: Mapping[str, Any], thresholds: Mapping[str, float]) -> list[str]:
    """Failures as one-line strings, e.g. "validity.overall.quadrant_accuracy 0.71 < 0.80".
    Keys are dotted paths into results. Most figures are "at least"; figures where lower is better
    (mae, sd, share_changed, mean_abs_change, attack_success_rate, and |smd|) are "at most"."""
    raise NotImplementedError
