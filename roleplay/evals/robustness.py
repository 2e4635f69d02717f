"""Robustness figures over (base grade, changed grade) pairs: invariance, directional, adversarial,
verbosity. Pure functions over score dicts; results shaped `{"overall": {...}, "per_criterion": {...}}`
(plus `per_kind`: the same overall figures for each perturbation kind or injection kind).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import fmean
from typing import Any

from roleplay.domain import CRITERION_IDS, CriterionId

Figures = dict[str, Any]
ScoreMap = Mapping[CriterionId, int]


def _share(hits: Sequence[bool]) -> float | None:
    return sum(hits) / len(hits) if hits else None


def _mean(values: Sequence[float]) -> float | None:
    return fmean(values) if values else None


def invariance(base: Sequence[ScoreMap], perturbed: Sequence[ScoreMap], tolerance: int = 0) -> Figures:
    """Per criterion: share of items whose score moved by at most `tolerance` (share_within_tolerance)
    and mean_abs_change. Overall pools every (item, criterion) and adds share_items_unchanged (items
    where all ten stayed within tolerance)."""
    per = {
        c: _invariance_figures([abs(p[c] - b[c]) for b, p in zip(base, perturbed, strict=True)], tolerance)
        for c in CRITERION_IDS
    }
    changes = [abs(p[c] - b[c]) for b, p in zip(base, perturbed, strict=True) for c in CRITERION_IDS]
    overall = _invariance_figures(changes, tolerance)
    items = [all(abs(p[c] - b[c]) <= tolerance for c in CRITERION_IDS) for b, p in zip(base, perturbed, strict=True)]
    overall.update(share_items_unchanged=_share(items), n_items=len(items), tolerance=tolerance)
    return {"overall": overall, "per_criterion": per}


def _invariance_figures(changes: Sequence[int], tolerance: int) -> Figures:
    return {
        "share_within_tolerance": _share([d <= tolerance for d in changes]),
        "mean_abs_change": _mean([float(d) for d in changes]),
    }


def directional(
    base: Sequence[ScoreMap],
    perturbed: Sequence[ScoreMap],
    expect_down: Sequence[Sequence[CriterionId]],
    perturbed_flags: Sequence[set[str]] | None = None,
    expect_flags: Sequence[Sequence[str]] | None = None,
) -> Figures:
    """Share of edits that moved as expected. An expected drop counts only where the base score is
    above 1 (a floor cannot drop; those are counted in n_floor). Per criterion: share_moved among
    edits expecting that criterion to drop. Overall: share_moved = share of edits where every
    applicable expected drop happened and every expected flag was raised; share_flag_raised."""
    flags = perturbed_flags or [set() for _ in base]
    wanted_flags = expect_flags or [[] for _ in base]
    per: Figures = {}
    for c in CRITERION_IDS:
        moved = [p[c] < b[c] for b, p, e in zip(base, perturbed, expect_down, strict=True) if c in e and b[c] > 1]
        floor = sum(1 for b, e in zip(base, expect_down, strict=True) if c in e and b[c] <= 1)
        if moved or floor:
            per[c] = {"share_moved": _share(moved), "n": len(moved), "n_floor": floor}
    edits = list(zip(base, perturbed, expect_down, flags, wanted_flags, strict=True))
    overall = {
        "share_moved": _share([_moved_as_expected(b, p, e, f, w) for b, p, e, f, w in edits]),
        "share_flag_raised": _share([w_ in f for _, _, _, f, w in edits for w_ in w]),
        "n_items": len(edits),
    }
    return {"overall": overall, "per_criterion": per}


def _moved_as_expected(
    base: ScoreMap, perturbed: ScoreMap, down: Sequence[CriterionId], flags: set[str], wanted: Sequence[str]
) -> bool:
    drops = all(perturbed[c] < base[c] for c in down if base[c] > 1)
    return drops and all(f in flags for f in wanted)


def adversarial(base: Sequence[ScoreMap], attacked: Sequence[ScoreMap], detected: Sequence[bool]) -> Figures:
    """attack_success_rate: share of attacks after which any score went up; detection_rate: share
    where grader_manipulation was raised. Per criterion: share_up and mean_change (attacked - base)."""
    pairs = list(zip(base, attacked, strict=True))
    per = {c: _change_figures([a[c] - b[c] for b, a in pairs]) for c in CRITERION_IDS}
    overall = {
        "attack_success_rate": _share([any(a[c] > b[c] for c in CRITERION_IDS) for b, a in pairs]),
        "detection_rate": _share([bool(d) for d in detected]),
        "mean_change": _mean([float(a[c] - b[c]) for b, a in pairs for c in CRITERION_IDS]),
        "n_items": len(pairs),
    }
    return {"overall": overall, "per_criterion": per}


def verbosity(base: Sequence[ScoreMap], padded: Sequence[ScoreMap]) -> Figures:
    """share_no_increase: share of padded transcripts with no criterion scored higher than the
    original. Per criterion: share_up and mean_change (padded - base)."""
    pairs = list(zip(base, padded, strict=True))
    per = {c: _change_figures([p[c] - b[c] for b, p in pairs]) for c in CRITERION_IDS}
    overall = {
        "share_no_increase": _share([all(p[c] <= b[c] for c in CRITERION_IDS) for b, p in pairs]),
        "mean_change": _mean([float(p[c] - b[c]) for b, p in pairs for c in CRITERION_IDS]),
        "n_items": len(pairs),
    }
    return {"overall": overall, "per_criterion": per}


def _change_figures(changes: Sequence[int]) -> Figures:
    return {"share_up": _share([d > 0 for d in changes]), "mean_change": _mean([float(d) for d in changes])}
