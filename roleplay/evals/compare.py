"""Two runs side by side: every figure of A and B and the paired bootstrap 95% interval of B - A,
resampling the items both runs share (matched by record key in their items.jsonl)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def compare(run_a_dir: Path, run_b_dir: Path, *, seed: int = 0, n_boot: int = 1000) -> list[dict[str, Any]]:
    """Rows {"figure", "a", "b", "diff", "diff_ci"}; raises RecordsError naming a missing/bad file."""
    raise NotImplementedError


def compare_markdown(rows: list[dict[str, Any]], run_a: str, run_b: str) -> str:
    raise NotImplementedError
