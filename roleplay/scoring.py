"""The one shared function that turns ten criterion scores into hard/soft/overall/quadrant.

Every grader (rule, LLM, human labels in evaluation) uses `summarise`.
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import fmean
from typing import Any

from roleplay.domain import CRITERION_IDS, HARD_IDS, SOFT_IDS, CriterionId, FlagFinding, Grade, Quadrant, Summary


def quadrant_for(hard: float, soft: float, threshold: float = 3.5) -> Quadrant:
    if hard >= threshold:
        return "target" if soft >= threshold else "adversarial"
    return "submissive" if soft >= threshold else "ineffective"


def summarise(scores: Mapping[str, int | float], threshold: float = 3.5) -> Summary:
    """hard = mean(P1..P5), soft = mean(S1..S5), overall = mean of ten, quadrant at `threshold`."""
    missing = [c for c in CRITERION_IDS if c not in scores]
    if missing:
        raise ValueError(f"scores lack criteria {missing}")
    hard = round(fmean(float(scores[c]) for c in HARD_IDS), 2)
    soft = round(fmean(float(scores[c]) for c in SOFT_IDS), 2)
    overall = round(fmean(float(scores[c]) for c in CRITERION_IDS), 2)
    return Summary(hard=hard, soft=soft, overall=overall, quadrant=quadrant_for(hard, soft, threshold))


def assemble_grade(*, scores: Mapping[CriterionId, int], flags: list[FlagFinding], **fields: Any) -> Grade:
    """A Grade whose hard/soft/overall/quadrant come from `summarise` and whose `passed` is false
    whenever a compliance flag is raised: the one place every grader derives them."""
    summary = summarise({str(c): s for c, s in scores.items()})
    return Grade(scores=dict(scores), flags=flags, passed=not flags, **summary.model_dump(), **fields)
