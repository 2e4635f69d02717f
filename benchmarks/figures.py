"""A measured figure, the table `make bench` prints, and the JSON file it writes."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One line of the table: `value` is None when the figure could not be measured (`note` says why)."""

    name: str
    value: float | None
    unit: str
    goal: str = ""
    met: bool | None = None
    note: str = ""

    def shown_value(self) -> str:
        if self.value is None:
            return f"not measured: {self.note}"
        return f"{self.value:,.{_decimals(self.value)}f} {self.unit}".strip()

    def shown_met(self) -> str:
        return {True: "yes", False: "NO", None: "-"}[self.met]


def _decimals(value: float) -> int:
    if value == int(value):
        return 0
    return 3 if abs(value) < 10 else 1


def not_measured(name: str, unit: str, goal: str, why: str) -> Figure:
    return Figure(name, None, unit, goal, None, why)


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of a non-empty sample."""
    ordered = sorted(samples)
    rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def table(figures: list[Figure]) -> str:
    """A plain-text table: figure, value with units, goal, met?"""
    rows = [("figure", "value", "goal", "met?")]
    rows += [(f.name, f.shown_value(), f.goal or "-", f.shown_met()) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    notes = [f"  [{f.name}] {f.note}" for f in figures if f.note and f.value is not None]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def write_results(path: Path, figures: list[Figure], machine: dict[str, Any], seconds: float) -> None:
    body = {"machine": machine, "wall_seconds": round(seconds, 1), "figures": [asdict(f) for f in figures]}
    path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
