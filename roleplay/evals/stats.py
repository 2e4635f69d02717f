"""Consistency and validity statistics of a grader, per criterion and pooled.

Scores are ints 1-5 keyed by criterion id (P1..S5). Every figure is a float or None (undefined, e.g.
alpha when every score is the same); results are plain JSON-ready dicts shaped
`{"overall": {...}, "per_criterion": {"P1": {...}, ...}}`.

Libraries: Krippendorff's alpha from `krippendorff` (ordinal), quadratic-weighted kappa from
scikit-learn, Spearman from scipy; ICC(2,1) from the two-way random-effects ANOVA formula (Shrout &
Fleiss 1979) with numpy. All imported lazily.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from roleplay.domain import CRITERION_IDS, FLAG_IDS, CriterionId

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Matrix = NDArray[np.float64]

QUADRANTS: tuple[str, ...] = ("target", "submissive", "adversarial", "ineffective")
POOLED = "overall"
Figures = dict[str, Any]
ScoreMap = Mapping[CriterionId, int]


# --------------------------------------------------------------------------- single figures


def _finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else float(value)


def krippendorff_alpha(reliability: Matrix) -> float | None:
    """Ordinal alpha of a raters x units matrix (NaN = missing); None when undefined."""
    import krippendorff
    import numpy as np

    values = reliability[~np.isnan(reliability)]
    if values.size == 0 or np.unique(values).size < 2:
        return None
    if int(np.sum(np.sum(~np.isnan(reliability), axis=0) >= 2)) == 0:
        return None
    alpha = krippendorff.alpha(
        reliability_data=reliability, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5]
    )
    return _finite(float(alpha))


def icc2_1(ratings: Matrix) -> float | None:
    """ICC(2,1) of a targets x raters matrix (no missing values): two-way random effects, absolute
    agreement, single rater. (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)."""
    import numpy as np

    n, k = ratings.shape
    if n < 2 or k < 2:
        return None
    grand = ratings.mean()
    rows, cols = ratings.mean(axis=1), ratings.mean(axis=0)
    msr = k * float(np.sum((rows - grand) ** 2)) / (n - 1)
    msc = n * float(np.sum((cols - grand) ** 2)) / (k - 1)
    residual = ratings - rows[:, None] - cols[None, :] + grand
    mse = float(np.sum(residual**2)) / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    return None if denominator <= 1e-12 else _finite((msr - mse) / denominator)


def qwk(pred: Sequence[int], label: Sequence[int]) -> float | None:
    """Quadratic-weighted Cohen's kappa over the 1-5 scale (scikit-learn); None when undefined."""
    from sklearn.metrics import cohen_kappa_score

    if _qwk_undefined(pred, label):
        return 1.0 if list(pred) == list(label) and len(pred) else None
    return _finite(float(cohen_kappa_score(label, pred, weights="quadratic", labels=[1, 2, 3, 4, 5])))


def qwk_fast(pred: Sequence[int], label: Sequence[int]) -> float | None:
    """The same kappa as `qwk` from a 5x5 confusion matrix with numpy (scikit-learn's validation
    costs ~10 ms a call, too slow inside a 1000-resample bootstrap); tests check both agree."""
    import numpy as np

    if _qwk_undefined(pred, label):
        return 1.0 if list(pred) == list(label) and len(pred) else None
    observed = np.zeros((5, 5))
    np.add.at(observed, (np.asarray(label) - 1, np.asarray(pred) - 1), 1)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    weights = (np.subtract.outer(np.arange(5), np.arange(5)) ** 2).astype(float)
    disagreement = float(np.sum(weights * expected))
    return None if disagreement == 0 else _finite(1 - float(np.sum(weights * observed)) / disagreement)


def _qwk_undefined(pred: Sequence[int], label: Sequence[int]) -> bool:
    return len(pred) == 0 or len(set(pred) | set(label)) < 2


def spearman(pred: Sequence[float], label: Sequence[float]) -> float | None:
    from scipy.stats import spearmanr

    if len(pred) < 2 or len(set(pred)) < 2 or len(set(label)) < 2:
        return None
    return _finite(float(spearmanr(pred, label).statistic))


def spearman_fast(pred: Sequence[int], label: Sequence[int]) -> float | None:
    """The same Spearman as `spearman` for 1-5 scores: average ranks from counts, then Pearson."""
    import numpy as np

    if len(pred) < 2 or len(set(pred)) < 2 or len(set(label)) < 2:
        return None
    p, lab = _score_ranks(np.asarray(pred)), _score_ranks(np.asarray(label))
    p, lab = p - p.mean(), lab - lab.mean()
    return _finite(float(np.sum(p * lab) / np.sqrt(np.sum(p * p) * np.sum(lab * lab))))


def _score_ranks(values: NDArray[np.int64]) -> Matrix:
    import numpy as np

    counts = np.bincount(values, minlength=6).astype(float)
    average = np.cumsum(counts) - counts + (counts + 1) / 2
    ranks: Matrix = average[values]
    return ranks


def smd(pred: Sequence[float], label: Sequence[float]) -> float | None:
    """Standardised mean difference (pred - label) / sqrt((sd_pred^2 + sd_label^2) / 2), ddof=1.
    Positive = the grader is lenient. None when both sides are constant."""
    import numpy as np

    if len(pred) < 2:
        return None
    p, lab = np.asarray(pred, dtype=float), np.asarray(label, dtype=float)
    spread = math.sqrt((p.var(ddof=1) + lab.var(ddof=1)) / 2)
    return None if spread < 1e-12 else _finite(float(p.mean() - lab.mean()) / spread)


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


# --------------------------------------------------------------------------- consistency


def consistency(repeats: Sequence[Sequence[ScoreMap]]) -> Figures:
    """`repeats[i]` = the k score dicts of item i (k >= 2 for alpha/ICC). Per criterion: ordinal
    krippendorff_alpha (repeats as raters), icc2_1, share_changed (items whose score differs across
    repeats), sd (mean per-item sample SD). Overall pools (item, criterion) units; it also has
    share_items_changed (items where any criterion changed)."""
    import numpy as np

    k = min((len(r) for r in repeats), default=0)
    cube = np.array([[[float(g[c]) for c in CRITERION_IDS] for g in r[:k]] for r in repeats]).reshape(
        len(repeats), k, len(CRITERION_IDS)
    )
    per = {c: _consistency_figures(cube[:, :, j]) for j, c in enumerate(CRITERION_IDS)}
    pooled = _consistency_figures(cube.transpose(0, 2, 1).reshape(-1, k))
    changed = (cube.max(axis=1) != cube.min(axis=1)).any(axis=1) if k else np.zeros(0, dtype=bool)
    pooled["share_items_changed"] = _ratio(float(changed.sum()), len(changed))
    pooled.update(n_items=len(repeats), repeats=k)
    return {"overall": pooled, "per_criterion": per}


def _consistency_figures(units: Matrix) -> Figures:
    """`units`: units x repeats."""

    n, k = units.shape
    if n == 0 or k == 0:
        return {"krippendorff_alpha": None, "icc2_1": None, "share_changed": None, "sd": None}
    changed = units.max(axis=1) != units.min(axis=1)
    sd = float(units.std(axis=1, ddof=1).mean()) if k > 1 else None
    return {
        "krippendorff_alpha": krippendorff_alpha(units.T) if k > 1 else None,
        "icc2_1": icc2_1(units),
        "share_changed": float(changed.mean()),
        "sd": sd,
    }


# --------------------------------------------------------------------------- validity


def consensus(raters: Sequence[ScoreMap], criterion: CriterionId) -> int:
    """The raters' median score, halves rounded up (one rater: their score)."""
    values = sorted(int(r[criterion]) for r in raters)
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    return math.floor(median + 0.5)


def _score_figures(pred: Sequence[int], label: Sequence[int], raters: Matrix, fast: bool = False) -> Figures:
    import numpy as np

    p, lab = np.asarray(pred, dtype=float), np.asarray(label, dtype=float)
    diff = np.abs(p - lab)
    return {
        "qwk": (qwk_fast if fast else qwk)(pred, label),
        "krippendorff_alpha": krippendorff_alpha(raters),
        "spearman": (spearman_fast if fast else spearman)(pred, label),
        "mae": float(diff.mean()) if len(diff) else None,
        "exact": float((diff == 0).mean()) if len(diff) else None,
        "within1": float((diff <= 1).mean()) if len(diff) else None,
        "smd": smd(pred, label),
    }


class _ValidityData:
    """Validity inputs as arrays, so that a bootstrap resample is an index array."""

    def __init__(self, pred: Sequence[ScoreMap], labels: Sequence[Sequence[ScoreMap]]) -> None:
        import numpy as np

        width = max(len(r) for r in labels)
        self.pred = np.array([[p[c] for c in CRITERION_IDS] for p in pred], dtype=float)
        self.label = np.array([[consensus(r, c) for c in CRITERION_IDS] for r in labels], dtype=float)
        raters = np.full((len(labels), width, len(CRITERION_IDS)), np.nan)
        for i, item in enumerate(labels):
            for j, rater in enumerate(item):
                raters[i, j] = [rater[c] for c in CRITERION_IDS]
        self.raters = raters

    def criterion(self, index: Sequence[int], resample: bool, j: int) -> Figures:
        """Figures of criterion column j over the items `index`."""
        import numpy as np

        pred, label = self.pred[index, j], self.label[index, j]
        matrix = np.vstack([self.raters[index, :, j].T, pred[None, :]])
        return _score_figures(pred.astype(int).tolist(), label.astype(int).tolist(), matrix, resample)

    def pooled(self, index: Sequence[int], resample: bool) -> Figures:
        import numpy as np

        pred, label = self.pred[index].ravel(), self.label[index].ravel()
        raters = self.raters[index].transpose(1, 0, 2).reshape(self.raters.shape[1], -1)
        return _score_figures(
            pred.astype(int).tolist(), label.astype(int).tolist(), np.vstack([raters, pred]), resample
        )


def quadrant_figures(pred: Sequence[str], label: Sequence[str]) -> Figures:
    """quadrant_accuracy and confusion (rows = label, columns = pred, order QUADRANTS)."""
    confusion = [
        [sum(1 for p, lab in zip(pred, label, strict=True) if lab == r and p == c) for c in QUADRANTS]
        for r in QUADRANTS
    ]
    hits = sum(p == lab for p, lab in zip(pred, label, strict=True))
    return {"quadrant_accuracy": _ratio(hits, len(pred)), "confusion": confusion, "confusion_labels": list(QUADRANTS)}


def flag_figures(pred: Sequence[set[str]], label: Sequence[set[str]]) -> Figures:
    """Micro precision and recall over the five compliance flags (other ids are ignored)."""
    known = set(FLAG_IDS)
    tp = sum(len(p & lab & known) for p, lab in zip(pred, label, strict=True))
    predicted = sum(len(p & known) for p in pred)
    actual = sum(len(lab & known) for lab in label)
    return {"flag_precision": _ratio(tp, predicted), "flag_recall": _ratio(tp, actual)}


def validity(
    pred: Sequence[ScoreMap],
    labels: Sequence[Sequence[ScoreMap]],
    pred_quadrants: Sequence[str],
    label_quadrants: Sequence[str],
    pred_flags: Sequence[set[str]],
    label_flags: Sequence[set[str]],
    seed: int = 0,
    n_boot: int = 1000,
    fast: bool = False,
) -> Figures:
    """Agreement of the grader with human labels (one or more raters per item).

    Per criterion and pooled (all (item, criterion) pairs): qwk, krippendorff_alpha (the raters plus
    the grader as one more rater), spearman, mae, exact, within1, smd — against the raters' consensus
    (`consensus`). Overall adds quadrant_accuracy, confusion, flag_precision, flag_recall. Every
    figure F gets `F_ci` = [low, high], the 95% percentile bootstrap interval over items (seeded;
    n_boot=0 skips the intervals). `fast` computes kappa and Spearman with the numpy equivalents
    (`qwk_fast`, `spearman_fast`) also for the point estimates, e.g. inside a paired bootstrap."""
    data = _ValidityData(pred, labels)
    pq, lq = list(pred_quadrants), list(label_quadrants)
    pf, lf = [set(f) for f in pred_flags], [set(f) for f in label_flags]

    def overall(index: Sequence[int], resample: bool) -> Figures:
        figures = data.pooled(index, resample)
        figures.update(quadrant_figures([pq[i] for i in index], [lq[i] for i in index]))
        figures.update(flag_figures([pf[i] for i in index], [lf[i] for i in index]))
        return figures

    functions: dict[str, Callable[[Sequence[int], bool], Figures]] = {POOLED: overall}
    for j, c in enumerate(CRITERION_IDS):
        functions[c] = partial(data.criterion, j=j)
    result = bootstrap_figures(functions, len(pq), seed, n_boot, fast)
    result[POOLED]["n_items"] = len(pq)
    return {"overall": result.pop(POOLED), "per_criterion": result}


# --------------------------------------------------------------------------- bootstrap


def bootstrap_figures(
    functions: Mapping[str, Callable[[Sequence[int], bool], Figures]],
    n_items: int,
    seed: int,
    n_boot: int,
    fast: bool = False,
) -> dict[str, Figures]:
    """Each function `fn(index, resample)` computed on all items, plus `<figure>_ci` = 95% percentile interval over
    `n_boot` resamples of the items (with replacement, numpy default_rng(seed)). Figures that are
    not numbers (e.g. a confusion matrix) get no interval."""
    import numpy as np

    everything = list(range(n_items))
    results = {name: fn(everything, fast) for name, fn in functions.items()}
    if n_boot <= 0 or n_items == 0:
        return results
    rng = np.random.default_rng(seed)
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in functions}
    for _ in range(n_boot):
        index = rng.integers(0, n_items, n_items).tolist()
        for name, fn in functions.items():
            _collect_numbers(fn(index, True), samples[name])
    for name, figures in results.items():
        _attach_intervals(figures, samples[name])
    return results


def _collect_numbers(figures: Figures, into: dict[str, list[float]]) -> None:
    for key, value in figures.items():
        if isinstance(value, float | int) and not isinstance(value, bool):
            into.setdefault(key, []).append(float(value))


def _attach_intervals(figures: Figures, samples: Mapping[str, list[float]]) -> None:
    import numpy as np

    for key in [k for k, v in figures.items() if isinstance(v, float | int) and not isinstance(v, bool)]:
        values = samples.get(key, [])
        if key.startswith("n_") or not values:
            continue
        low, high = np.percentile(values, [2.5, 97.5])
        figures[f"{key}_ci"] = [float(low), float(high)]
