"""How closely the rule grader agrees with the hand labels: per-criterion exact and within-1
agreement and quadrant accuracy on dev.jsonl and holdout.jsonl (both tuning sets now) and, once it
exists, blind.jsonl (the held-out check: only its aggregate figures are read, never its transcripts).
Run with -s to see the figures."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from roleplay.domain import CRITERION_IDS, Transcript
from roleplay.offline.grader import RuleGrader

DATASETS = Path(__file__).resolve().parent.parent / "evals" / "datasets"
# Dev carries the targets (quadrant >= 0.8, every criterion within-1 >= 0.9). Holdout was demoted to a
# second tuning set in the generalisation round (quadrant 0.44 -> 0.69, within-1 >= 0.81); its floor
# guards that work. Blind is the held-out set: its floor is the honest level the general rules reach
# (quadrant 0.62, within-1 >= 0.75 at the first reading); a guard against regressions, not a target.


@dataclass(frozen=True)
class Agreement:
    rows: int
    exact: dict[str, float]
    within_one: dict[str, float]
    quadrant: float

    def report(self, name: str) -> str:
        lines = [f"{name}: {self.rows} calls, quadrant accuracy {self.quadrant:.2f}"]
        lines += [f"  {c}: exact {self.exact[c]:.2f}  within-1 {self.within_one[c]:.2f}" for c in CRITERION_IDS]
        return "\n".join(lines)


def agreement(path: Path) -> Agreement:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    grader, exact, near, quadrant = RuleGrader(), dict.fromkeys(CRITERION_IDS, 0), dict.fromkeys(CRITERION_IDS, 0), 0
    for row in rows:
        grade = grader.grade_transcript(Transcript.model_validate(row))
        labels = row["labels"]
        quadrant += grade.quadrant == labels["quadrant"]
        for c in CRITERION_IDS:
            exact[c] += grade.scores[c] == labels["scores"][c]
            near[c] += abs(grade.scores[c] - labels["scores"][c]) <= 1
    n = len(rows)
    return Agreement(n, {c: exact[c] / n for c in exact}, {c: near[c] / n for c in near}, quadrant / n)


def _check(name: str, min_quadrant: float, min_within_one: float) -> None:
    path = DATASETS / f"{name}.jsonl"
    if not path.exists():
        pytest.skip(f"{path.name} not written yet")
    result = agreement(path)
    print("\n" + result.report(name))
    low = {c: v for c, v in result.within_one.items() if v < min_within_one}
    assert result.quadrant >= min_quadrant, result.report(name)
    assert not low, f"within-1 agreement under {min_within_one}: {low}"


def test_dev_agreement() -> None:
    _check("dev", min_quadrant=0.8, min_within_one=0.9)


def test_holdout_agreement() -> None:
    _check("holdout", min_quadrant=0.6, min_within_one=0.8)


def test_blind_agreement() -> None:
    _check("blind", min_quadrant=0.55, min_within_one=0.7)
