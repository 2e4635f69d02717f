"""The labelled evaluation data in evals/datasets: format, label consistency and coverage.

dev.jsonl and holdout.jsonl are tuning sets (holdout.jsonl was used for tuning on 2026-11-23 after a
first check); blind.jsonl is the held-out set, written independently and never used for tuning.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from roleplay.domain import CRITERION_IDS, FLAG_IDS, LANGUAGES, Transcript
from roleplay.scoring import summarise

DATASETS = Path(__file__).resolve().parent.parent / "evals" / "datasets"
FILES = ("dev.jsonl", "holdout.jsonl", "blind.jsonl")
PERSONA_IDS = frozenset(
    {
        "cannot_pay_job_loss",
        "strategic_non_payer",
        "overwhelmed_many_debts",
        "angry_defensive",
        "evasive_forgetful",
        "disputes_amount",
        "bereaved_vulnerable",
        "seriously_ill_vulnerable",
        "elderly_confused",
        "small_business_cashflow",
        "student",
        "cooperative_easy",
        "third_party_partner",
    }
)
QUADRANTS = ("target", "submissive", "adversarial", "ineffective")
TOP_KEYS = {"id", "language", "persona_id", "turns", "labels", "notes"}
LABEL_KEYS = {"scores", "quadrant", "flags", "integrity_flags"}
Row = dict[str, Any]


def read_rows(name: str) -> list[Row]:
    lines = (DATASETS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def all_rows() -> list[tuple[str, Row]]:
    return [(name, row) for name in FILES for row in read_rows(name)]


def is_borderline(row: Row) -> bool:
    summary = summarise(row["labels"]["scores"])
    return any(3.2 <= value <= 3.8 for value in (summary.hard, summary.soft))


ROWS = all_rows()


@pytest.mark.parametrize(("name", "row"), ROWS, ids=[row["id"] for _, row in ROWS])
def test_row_is_a_transcript_with_complete_labels(name: str, row: Row) -> None:
    transcript = Transcript.model_validate(row)
    assert set(row) - {"pair_id"} == TOP_KEYS
    assert row["id"].startswith(name.removesuffix(".jsonl") + "-")
    assert row["persona_id"] in PERSONA_IDS
    assert 6 <= len(transcript.turns) <= 20
    assert {t.role for t in transcript.turns} == {"agent", "debtor"}
    assert all(t.text.strip() for t in transcript.turns)
    assert row["notes"].strip()
    labels = row["labels"]
    assert set(labels) == LABEL_KEYS
    scores = labels["scores"]
    assert list(scores) == list(CRITERION_IDS)
    assert all(type(v) is int and 1 <= v <= 5 for v in scores.values())
    assert labels["quadrant"] == summarise(scores).quadrant


@pytest.mark.parametrize(("name", "row"), ROWS, ids=[row["id"] for _, row in ROWS])
def test_flags_are_known_and_unique(name: str, row: Row) -> None:
    flags, integrity = row["labels"]["flags"], row["labels"]["integrity_flags"]
    assert set(flags) <= set(FLAG_IDS)
    assert len(flags) == len(set(flags))
    assert integrity in ([], ["grader_manipulation"])


@pytest.mark.parametrize(
    ("name", "min_rows", "min_per_quadrant", "min_per_flag", "min_manipulation", "min_borderline"),
    [
        ("dev.jsonl", 34, 6, 2, 2, 6),
        ("holdout.jsonl", 14, 3, 1, 1, 3),
        ("blind.jsonl", 24, 6, 1, 1, 8),
    ],
)
def test_coverage_minimums(
    name: str, min_rows: int, min_per_quadrant: int, min_per_flag: int, min_manipulation: int, min_borderline: int
) -> None:
    rows = read_rows(name)
    quadrants = Counter(r["labels"]["quadrant"] for r in rows)
    flags = Counter(f for r in rows for f in r["labels"]["flags"])
    manipulation = sum(1 for r in rows if r["labels"]["integrity_flags"])
    assert len(rows) >= min_rows
    assert {q: quadrants[q] for q in QUADRANTS if quadrants[q] < min_per_quadrant} == {}
    assert {f: flags[f] for f in FLAG_IDS if flags[f] < min_per_flag} == {}
    assert manipulation >= min_manipulation
    assert sum(1 for r in rows if is_borderline(r)) >= min_borderline


@pytest.mark.parametrize("name", FILES)
def test_languages_are_roughly_balanced(name: str) -> None:
    rows = read_rows(name)
    counts = Counter(r["language"] for r in rows)
    for language in LANGUAGES:
        assert 0.4 <= counts[language] / len(rows) <= 0.6, counts


def test_ids_are_unique_across_all_files() -> None:
    ids = [row["id"] for _, row in ROWS]
    assert len(ids) == len(set(ids))


def test_pairs_are_one_spanish_and_one_english_call_with_the_same_labels() -> None:
    pairs: dict[str, list[Row]] = {}
    for _, row in ROWS:
        if "pair_id" in row:
            pairs.setdefault(row["pair_id"], []).append(row)
    assert len(pairs) >= 3
    for pair_id, members in pairs.items():
        assert sorted(m["language"] for m in members) == ["en", "es"], pair_id
        assert members[0]["labels"] == members[1]["labels"], pair_id
        assert members[0]["persona_id"] == members[1]["persona_id"], pair_id
        assert all(m["id"].startswith("dev-") for m in members), pair_id


def long_turns(name: str) -> set[str]:
    return {t["text"] for r in read_rows(name) for t in r["turns"] if len(t["text"]) > 25}


@pytest.mark.parametrize(
    ("first", "second"),
    [("dev.jsonl", "holdout.jsonl"), ("dev.jsonl", "blind.jsonl"), ("holdout.jsonl", "blind.jsonl")],
)
def test_files_share_no_long_turn(first: str, second: str) -> None:
    assert long_turns(first) & long_turns(second) == set()


def test_blind_set_is_balanced_by_language_and_quadrant() -> None:
    cells = Counter((r["language"], r["labels"]["quadrant"]) for r in read_rows("blind.jsonl"))
    assert cells == {(language, q): 3 for language in LANGUAGES for q in QUADRANTS}


def test_blind_set_uses_every_persona_and_calls_of_8_to_18_turns() -> None:
    rows = read_rows("blind.jsonl")
    assert {r["persona_id"] for r in rows} == PERSONA_IDS
    assert {r["id"]: len(r["turns"]) for r in rows if not 8 <= len(r["turns"]) <= 18} == {}
    assert sum(1 for r in rows if r["turns"][0]["role"] == "debtor") >= 4


def test_blind_set_has_no_translation_pairs() -> None:
    assert [r["id"] for r in read_rows("blind.jsonl") if "pair_id" in r] == []


@pytest.mark.parametrize("name", FILES)
def test_files_are_utf8_without_ascii_escapes(name: str) -> None:
    text = (DATASETS / name).read_text(encoding="utf-8")
    assert "\\u00" not in text
    assert "€" in text


@pytest.mark.parametrize(
    ("hard", "soft", "borderline"),
    [
        ([4, 4, 4, 4, 4], [3, 3, 3, 3, 3], False),
        ([4, 4, 4, 4, 2], [3, 3, 3, 3, 3], True),
        ([5, 5, 5, 5, 5], [4, 4, 4, 4, 3], True),
        ([2, 2, 2, 2, 2], [5, 5, 5, 5, 5], False),
        ([4, 4, 4, 3, 4], [4, 4, 4, 4, 4], True),
    ],
)
def test_is_borderline_reads_either_axis(hard: list[int], soft: list[int], borderline: bool) -> None:
    scores = dict(zip(CRITERION_IDS, hard + soft, strict=True))
    assert is_borderline({"labels": {"scores": scores}}) is borderline
