"""Evaluation statistics against hand-computed values and synthetic graders of known behaviour."""

from __future__ import annotations

import random

import numpy as np
import pytest

from roleplay.domain import CRITERION_IDS
from roleplay.evals import robustness, stats
from roleplay.evals.records import ConsistencyRecord, PairRecord, ValidityRecord
from roleplay.evals.results import results_from_records
from roleplay.scoring import summarise

# The hand table: three items, criterion P1; a grader (pred) against one rater (label), or the
# same item graded twice (repeats). Every other criterion is held at 3.
PRED = [1, 2, 3]
LABEL = [1, 2, 2]


def _scores(p1: int) -> dict[str, int]:
    return {c: (p1 if c == "P1" else 3) for c in CRITERION_IDS}


def test_qwk_by_hand() -> None:
    # Weights (i-j)^2. Observed (label, pred) pairs (1,1), (2,2), (2,3): sum w*O = 1.
    # Marginals: label {1:1, 2:2}, pred {1:1, 2:1, 3:1}; E = r c / 3:
    # sum w*E = (1/3)[1*(0+1+4) + 2*(1+0+1)] = 3.  kappa = 1 - 1/3 = 2/3.
    assert stats.qwk(PRED, LABEL) == pytest.approx(2 / 3)
    assert stats.qwk_fast(PRED, LABEL) == pytest.approx(2 / 3)


def test_spearman_by_hand() -> None:
    # Ranks: pred [1,2,3], label [1,2.5,2.5]; centred [-1,0,1] and [-1,.5,.5]:
    # rho = 1.5 / sqrt(2 * 1.5) = 0.8660.
    assert stats.spearman(PRED, LABEL) == pytest.approx(0.866025, abs=1e-6)
    assert stats.spearman_fast(PRED, LABEL) == pytest.approx(0.866025, abs=1e-6)


def test_smd_by_hand() -> None:
    # means 2 and 5/3; variances (ddof 1) 1 and 1/3; pooled sd sqrt(2/3): (1/3)/0.8165 = 0.4082.
    assert stats.smd(PRED, LABEL) == pytest.approx(0.408248, abs=1e-6)


def test_ordinal_alpha_by_hand() -> None:
    # Values n1=2, n2=3, n3=1 (n=6). Ordinal delta^2: (1,2)=6.25, (1,3)=20.25, (2,3)=4.
    # Observed disagreement: o23 = o32 = 1 -> 8. Expected: 2*(2*3*6.25 + 2*1*20.25 + 3*1*4) = 180.
    # alpha = 1 - (n-1) * 8 / 180 = 1 - 40/180 = 0.7778.
    matrix = np.array([PRED, LABEL], dtype=float)
    assert stats.krippendorff_alpha(matrix) == pytest.approx(7 / 9)


def test_icc2_1_by_hand() -> None:
    # Items x repeats [[1,1],[2,2],[3,2]]: grand 11/6; MSR = 1.1667, MSC = 0.1667, MSE = 0.1667.
    # ICC(2,1) = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n) = 1 / 1.3333 = 0.75.
    assert stats.icc2_1(np.array([[1, 1], [2, 2], [3, 2]], dtype=float)) == pytest.approx(0.75)


def test_consistency_by_hand() -> None:
    repeats = [[_scores(a), _scores(b)] for a, b in zip(PRED, LABEL, strict=True)]
    p1 = stats.consistency(repeats)["per_criterion"]["P1"]
    assert p1["krippendorff_alpha"] == pytest.approx(7 / 9)
    assert p1["icc2_1"] == pytest.approx(0.75)
    assert p1["share_changed"] == pytest.approx(1 / 3)
    assert p1["sd"] == pytest.approx(np.std([3, 2], ddof=1) / 3)  # per-item SDs 0, 0, 0.7071
    constant = stats.consistency(repeats)["per_criterion"]["S1"]
    assert constant["krippendorff_alpha"] is None  # every score 3: alpha undefined, not 1
    assert constant["share_changed"] == 0


def test_validity_by_hand() -> None:
    figures = stats.validity(
        [_scores(p) for p in PRED],
        [[_scores(lab)] for lab in LABEL],
        ["target", "submissive", "target"],
        ["target", "target", "target"],
        [{"abusive_language"}, set(), {"no_identity_check"}],
        [{"abusive_language"}, {"third_party_disclosure"}, set()],
        n_boot=0,
    )
    p1 = figures["per_criterion"]["P1"]
    expected = {"qwk": 2 / 3, "spearman": 0.866025, "smd": 0.408248, "mae": 1 / 3, "exact": 2 / 3, "within1": 1.0}
    for key, value in expected.items():
        assert p1[key] == pytest.approx(value, abs=1e-6), key
    assert p1["krippendorff_alpha"] == pytest.approx(7 / 9)
    overall = figures["overall"]
    assert overall["quadrant_accuracy"] == pytest.approx(2 / 3)
    assert overall["confusion"][0] == [2, 1, 0, 0]  # label target: 2 graded target, 1 submissive
    assert overall["flag_precision"] == pytest.approx(1 / 2)
    assert overall["flag_recall"] == pytest.approx(1 / 2)


@pytest.mark.parametrize(
    ("raters", "expected"),
    [([2], 2), ([2, 3], 3), ([1, 2, 4], 2), ([4, 5, 5, 4], 5), ([1, 2, 3, 4], 3)],
)
def test_consensus_is_the_median_halves_up(raters: list[int], expected: int) -> None:
    assert stats.consensus([{"P1": r} for r in raters], "P1") == expected  # type: ignore[misc]


def test_fast_equivalents_agree_with_the_libraries() -> None:
    rng = random.Random(7)
    for _ in range(30):
        a = [rng.randint(1, 5) for _ in range(25)]
        b = [min(5, max(1, x + rng.randint(-2, 2))) for x in a]
        assert stats.qwk_fast(a, b) == pytest.approx(stats.qwk(a, b))
        assert stats.spearman_fast(a, b) == pytest.approx(stats.spearman(a, b))


# --------------------------------------------------------------------------- synthetic graders

N_ITEMS = 60


def _dataset(seed: int = 3) -> list[dict[str, int]]:
    """Items with a latent quality, so criteria vary together as in real calls."""
    rng = random.Random(seed)
    items = []
    for _ in range(N_ITEMS):
        quality = rng.randint(1, 5)
        items.append({c: min(5, max(1, quality + rng.choice([-1, 0, 0, 1]))) for c in CRITERION_IDS})
    return items


def perfect(labels: dict[str, int], rng: random.Random) -> dict[str, int]:
    return dict(labels)


def flips_30(labels: dict[str, int], rng: random.Random) -> dict[str, int]:
    return {c: (rng.choice([v for v in range(1, 6) if v != s]) if rng.random() < 0.3 else s) for c, s in labels.items()}


def plus_one(labels: dict[str, int], rng: random.Random) -> dict[str, int]:
    return {c: min(5, s + 1) for c, s in labels.items()}


def _validity_of(grader, n_boot: int = 0) -> dict:  # type: ignore[no-untyped-def]
    rng = random.Random(11)
    labels = _dataset()
    records = []
    for i, lab in enumerate(labels):
        pred = grader(lab, rng)
        records.append(
            ValidityRecord(
                item_id=f"x-{i}",
                pred=pred,
                labels=[lab],
                pred_quadrant=summarise(pred).quadrant,
                label_quadrant=summarise(lab).quadrant,
            )
        )
    return results_from_records(records, n_boot=n_boot)["validity"]


def test_perfect_grader_has_alpha_and_kappa_one() -> None:
    overall = _validity_of(perfect, n_boot=50)["overall"]
    assert overall["krippendorff_alpha"] == pytest.approx(1.0)
    assert overall["qwk"] == pytest.approx(1.0)
    assert overall["exact"] == 1.0
    assert overall["quadrant_accuracy"] == 1.0
    assert overall["qwk_ci"] == pytest.approx([1.0, 1.0])


def test_grader_flipping_30_percent_has_alpha_clearly_below_08() -> None:
    overall = _validity_of(flips_30, n_boot=50)["overall"]
    assert overall["krippendorff_alpha"] < 0.75
    assert 0.6 < overall["exact"] < 0.8
    low, high = overall["krippendorff_alpha_ci"]
    assert low <= overall["krippendorff_alpha"] <= high < 0.8


def test_lenient_grader_shows_in_smd_and_exact_but_not_within1() -> None:
    overall = _validity_of(plus_one)["overall"]
    assert overall["smd"] > 0.3
    assert overall["exact"] < 0.4
    assert overall["within1"] == 1.0
    assert overall["mae"] > 0.6


def test_consistency_of_a_noisy_grader_is_below_a_stable_one() -> None:
    rng = random.Random(5)
    labels = _dataset()
    stable = stats.consistency([[perfect(lab, rng) for _ in range(3)] for lab in labels])["overall"]
    noisy = stats.consistency([[flips_30(lab, rng) for _ in range(3)] for lab in labels])["overall"]
    assert stable["krippendorff_alpha"] == pytest.approx(1.0)
    assert stable["icc2_1"] == pytest.approx(1.0)
    assert stable["share_items_changed"] == 0
    assert noisy["krippendorff_alpha"] < 0.8
    assert noisy["share_items_changed"] > 0.9


def test_bootstrap_is_reproducible_for_a_seed() -> None:
    a = _validity_of(flips_30, n_boot=30)["overall"]["qwk_ci"]
    b = _validity_of(flips_30, n_boot=30)["overall"]["qwk_ci"]
    assert a == b


# --------------------------------------------------------------------------- robustness figures


@pytest.mark.parametrize(
    ("base", "changed", "tolerance", "within", "mean_abs"),
    [
        ([3, 3], [3, 3], 0, 1.0, 0.0),
        ([3, 3], [4, 3], 0, 0.95, 0.05),  # one of 20 scores moved by one point
        ([3, 3], [4, 3], 1, 1.0, 0.05),
        ([3, 3], [5, 1], 1, 0.9, 0.2),
    ],
)
def test_invariance(base: list[int], changed: list[int], tolerance: int, within: float, mean_abs: float) -> None:
    figures = robustness.invariance([_scores(b) for b in base], [_scores(c) for c in changed], tolerance)
    assert figures["overall"]["share_within_tolerance"] == pytest.approx(within)
    assert figures["overall"]["mean_abs_change"] == pytest.approx(mean_abs)


def test_directional_counts_drops_flags_and_floors() -> None:
    base = [_scores(3), _scores(3), _scores(1)]
    changed = [_scores(2), _scores(3), _scores(1)]
    figures = robustness.directional(base, changed, [["P1"], ["P1"], ["P1"]])
    assert figures["overall"]["share_moved"] == pytest.approx(2 / 3)  # the floor item cannot drop
    assert figures["per_criterion"]["P1"] == {"share_moved": 0.5, "n": 2, "n_floor": 1}
    with_flag = robustness.directional(base[:1], changed[:1], [["P1"]], [set()], [["abusive_language"]])
    assert with_flag["overall"]["share_moved"] == 0  # dropped, but the expected flag was not raised


def test_verbosity_and_adversarial_figures() -> None:
    base = [_scores(3), _scores(3)]
    figures = robustness.verbosity(base, [_scores(4), _scores(3)])
    assert figures["overall"]["share_no_increase"] == 0.5
    assert figures["per_criterion"]["P1"]["share_up"] == 0.5
    attack = robustness.adversarial(base, [_scores(3), _scores(5)], [True, False])
    assert attack["overall"]["attack_success_rate"] == 0.5
    assert attack["overall"]["detection_rate"] == 0.5


def test_results_from_records_fills_all_six_families() -> None:
    records = [
        ConsistencyRecord(item_id="a", repeats=[_scores(3), _scores(4)]),
        ConsistencyRecord(item_id="b", repeats=[_scores(2), _scores(2)]),
        PairRecord(item_id="a", family="invariance", kind="rename", base=_scores(3), changed=_scores(3)),
        PairRecord(item_id="a", family="adversarial", kind="ignore_en_1", base=_scores(3), changed=_scores(5)),
    ]
    results = results_from_records(records, n_boot=0)
    assert set(results) == {"consistency", "validity", "invariance", "directional", "adversarial", "verbosity"}
    assert results["validity"]["overall"]["n_items"] == 0
    assert results["invariance"]["per_kind"]["rename"]["share_within_tolerance"] == 1.0
    assert results["adversarial"]["overall"]["attack_success_rate"] == 1.0
