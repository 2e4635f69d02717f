"""Report files, thresholds and run comparison."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from roleplay.domain import CRITERION_IDS
from roleplay.evals.compare import compare, compare_markdown
from roleplay.evals.records import (
    ConsistencyRecord,
    PairRecord,
    RecordsError,
    ValidityRecord,
    read_items,
)
from roleplay.evals.report import check_thresholds, write_report
from roleplay.evals.results import results_from_records
from roleplay.scoring import summarise

FAMILIES = {"consistency", "validity", "invariance", "directional", "adversarial", "verbosity"}


def _scores(base: int, shift: int = 0) -> dict[str, int]:
    return {c: min(5, max(1, base + (i % 3) - 1 + shift)) for i, c in enumerate(CRITERION_IDS)}


def _records(shift: int = 0) -> list:  # type: ignore[type-arg]
    records: list = []  # type: ignore[type-arg]
    for i in range(12):
        label, pred = _scores(1 + i % 5), _scores(1 + i % 5, shift if i % 2 else 0)
        records.append(
            ValidityRecord(
                item_id=f"d-{i}",
                pred=pred,
                labels=[label],
                pred_quadrant=summarise(pred).quadrant,
                label_quadrant=summarise(label).quadrant,
                pred_flags=["abusive_language"] if i == 0 else [],
                label_flags=["abusive_language"] if i < 2 else [],
            )
        )
        records.append(ConsistencyRecord(item_id=f"d-{i}", repeats=[pred, pred, _scores(1 + i % 5, i % 2)]))
        records.append(PairRecord(item_id=f"d-{i}", family="invariance", kind="rename", base=pred, changed=pred))
        down = {**pred, "S4": max(1, pred["S4"] - 1)}
        records.append(
            PairRecord(
                item_id=f"d-{i}",
                family="directional",
                kind="threat",
                base=pred,
                changed=down,
                expect_down=["S4"],
                changed_flags=["threat_of_illegal_or_unintended_action"],
                expect_flags=["threat_of_illegal_or_unintended_action"],
            )
        )
        records.append(
            PairRecord(
                item_id=f"d-{i}",
                family="adversarial",
                kind="ignore_en_1",
                base=pred,
                changed=pred,
                changed_integrity_flags=["grader_manipulation"],
            )
        )
        records.append(PairRecord(item_id=f"d-{i}", family="verbosity", kind="pad", base=pred, changed=pred))
    return records


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    records = _records()
    write_report(results_from_records(records, n_boot=100), out, records, title="Test run")
    return out


def test_report_files_and_required_keys(run_dir: Path) -> None:
    for name in ("results.json", "report.md", "report.html", "items.jsonl"):
        assert (run_dir / name).stat().st_size > 0, name
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert set(results) == FAMILIES
    for family in FAMILIES:
        assert {"overall", "per_criterion"} <= set(results[family])
    validity = results["validity"]["overall"]
    for key in ("qwk", "krippendorff_alpha", "within1", "exact", "quadrant_accuracy", "flag_recall", "flag_precision"):
        assert key in validity, key
    assert len(validity["qwk_ci"]) == 2
    assert validity["flag_precision"] == 1.0 and validity["flag_recall"] == 0.5
    assert set(results["validity"]["per_criterion"]) == set(CRITERION_IDS)


def test_markdown_has_tables_units_and_intervals(run_dir: Path) -> None:
    text = (run_dir / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Test run")
    assert "| figure | value | 95% interval |" in text
    assert "mean absolute error (points)" in text
    assert re.search(r"\| \d+\.\d% \[\d+\.\d%, \d+\.\d%\] \|", text)  # a share with its interval
    assert "| label \\ grader | target | submissive | adversarial | ineffective |" in text


def test_html_is_self_contained_with_plots(run_dir: Path) -> None:
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", html)
    assert links and not [link for link in links if "http" in link or link.startswith("//")]
    assert html.count('src="data:image/png;base64,') >= 3  # agreement bars, confusion, alpha
    assert "<script" not in html


def test_items_round_trip(run_dir: Path) -> None:
    assert read_items(run_dir / "items.jsonl") == _records()


def test_malformed_items_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text('{"family": "consistency", "item_id": "a", "repeats": []}\n', encoding="utf-8")
    with pytest.raises(RecordsError, match=r"items.jsonl:1: key 'consistency.repeats'"):
        read_items(path)
    with pytest.raises(RecordsError, match="cannot read"):
        read_items(tmp_path / "missing.jsonl")


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        ({"validity.overall.quadrant_accuracy": 0.5}, []),
        ({"validity.overall.flag_recall": 0.8}, ["validity.overall.flag_recall 0.50 < 0.80"]),
        ({"adversarial.overall.attack_success_rate": 0.0}, []),
        ({"verbosity.overall.mean_change": 0.1}, []),
        ({"validity.overall.mae": 0.0}, []),
        ({"consistency.overall.share_items_changed": 0.1}, ["consistency.overall.share_items_changed 0.50 > 0.10"]),
        ({"validity.overall.nonsense": 0.1}, ["validity.overall.nonsense: no such figure in the results"]),
    ],
)
def test_check_thresholds(run_dir: Path, thresholds: dict[str, float], expected: list[str]) -> None:
    results = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    assert check_thresholds(results, thresholds) == expected


def test_undefined_figure_fails_its_threshold() -> None:
    results = {"consistency": {"overall": {"krippendorff_alpha": None}}}
    assert check_thresholds(results, {"consistency.overall.krippendorff_alpha": 0.8}) == [
        "consistency.overall.krippendorff_alpha is n/a (threshold 0.80)"
    ]


def test_compare_same_run_has_zero_differences(run_dir: Path) -> None:
    rows = compare(run_dir, run_dir, n_boot=20)
    by_figure = {r["figure"]: r for r in rows}
    qwk = by_figure["validity.overall.qwk"]
    assert qwk["diff"] == 0 and qwk["diff_ci"] == [0.0, 0.0]
    assert "| validity.overall.qwk |" in compare_markdown(rows, "a", "b")


def test_compare_sees_a_worse_run(run_dir: Path, tmp_path: Path) -> None:
    worse = _records(shift=1)
    write_report(results_from_records(worse, n_boot=0), tmp_path, worse)
    by_figure = {r["figure"]: r for r in compare(run_dir, tmp_path, n_boot=50)}
    exact = by_figure["validity.overall.exact"]
    assert exact["diff"] < 0
    assert exact["diff_ci"][1] < 0  # the whole paired interval is below zero
    assert by_figure["validity.overall.smd"]["diff"] > 0
