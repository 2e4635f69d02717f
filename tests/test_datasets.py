"""The labelled evaluation data in evals/datasets: format, label consistency and coverage.

dev.jsonl and holdout.jsonl are tuning sets (holdout.jsonl was used for tuning on 2026-11-23 after a
first check); blind.jsonl is the held-out set, written independently and never used for tuning.
dev2.jsonl (tuning) and holdout2.jsonl (held out, aggregate figures only) were written from scratch
by an independent rater for the misses of issue 12; they are balanced by language and quadrant.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from roleplay.domain import CRITERION_IDS, FLAG_IDS, LANGUAGES, Transcript
from roleplay.scoring import summarise

DATASETS = Path(__file__).resolve().parent.parent / "evals" / "datasets"
FILES = ("dev.jsonl", "holdout.jsonl", "blind.jsonl", "dev2.jsonl", "holdout2.jsonl")
NEW_FILES = ("dev2.jsonl", "holdout2.jsonl")
MAX_TURNS = {"dev.jsonl": 20, "holdout.jsonl": 20, "blind.jsonl": 20, "dev2.jsonl": 80, "holdout2.jsonl": 80}
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
    assert 6 <= len(transcript.turns) <= MAX_TURNS[name]
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
        ("dev2.jsonl", 32, 8, 3, 2, 8),
        ("holdout2.jsonl", 24, 6, 2, 2, 6),
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
    pairs: dict[str, list[tuple[str, Row]]] = {}
    for name, row in ROWS:
        if "pair_id" in row:
            pairs.setdefault(row["pair_id"], []).append((name, row))
    assert len(pairs) >= 3 + 8 + 6
    for pair_id, members in pairs.items():
        (first_file, first), (second_file, second) = members
        assert sorted([first["language"], second["language"]]) == ["en", "es"], pair_id
        assert first["labels"] == second["labels"], pair_id
        assert first["persona_id"] == second["persona_id"], pair_id
        assert first_file == second_file != "blind.jsonl", pair_id


@pytest.mark.parametrize(("name", "min_pairs"), [("dev2.jsonl", 8), ("holdout2.jsonl", 6)])
def test_new_sets_have_their_translation_pairs(name: str, min_pairs: int) -> None:
    assert len({r["pair_id"] for r in read_rows(name) if "pair_id" in r}) >= min_pairs


def long_turns(name: str) -> set[str]:
    return {t["text"] for r in read_rows(name) for t in r["turns"] if len(t["text"]) > 25}


@pytest.mark.parametrize(("first", "second"), list(combinations(FILES, 2)))
def test_files_share_no_long_turn(first: str, second: str) -> None:
    assert long_turns(first) & long_turns(second) == set()


def sentences(name: str) -> set[str]:
    """Every sentence of more than 25 characters in the turns of one file, lower-cased."""
    found: set[str] = set()
    for row in read_rows(name):
        for turn in row["turns"]:
            parts = re.split(r"(?<=[.?!])\s+", turn["text"])
            found |= {part.strip().lower() for part in parts if len(part.strip()) > 25}
    return found


@pytest.mark.parametrize("other", [f for f in FILES if f != "holdout2.jsonl"])
def test_holdout2_reuses_no_sentence_of_another_file(other: str) -> None:
    assert sentences("holdout2.jsonl") & sentences(other) == set()


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


@pytest.mark.parametrize(("name", "per_cell"), [("dev2.jsonl", 4), ("holdout2.jsonl", 3)])
def test_new_sets_are_balanced_by_language_and_quadrant(name: str, per_cell: int) -> None:
    cells = Counter((r["language"], r["labels"]["quadrant"]) for r in read_rows(name))
    assert cells == {(language, q): per_cell for language in LANGUAGES for q in QUADRANTS}


def is_asr_style(row: Row) -> bool:
    """Written as a speech recogniser produces it: no capital letters and no punctuation in any turn."""
    return all(t["text"] == t["text"].lower() and not re.search(r"[.,;:?!¿¡]", t["text"]) for t in row["turns"])


@pytest.mark.parametrize("name", NEW_FILES)
def test_new_sets_cover_asr_long_calls_personas_and_debtor_first(name: str) -> None:
    rows = read_rows(name)
    assert {r["persona_id"] for r in rows} == PERSONA_IDS
    assert sum(1 for r in rows if is_asr_style(r)) >= len(rows) // 4
    assert sum(1 for r in rows if len(r["turns"]) >= 50) >= 3
    assert sum(1 for r in rows if r["turns"][0]["role"] == "debtor") >= 4
    assert sum(1 for r in rows if r["labels"]["integrity_flags"]) >= 2


@pytest.mark.parametrize("name", NEW_FILES)
def test_new_sets_raise_every_flag_in_both_languages(name: str) -> None:
    languages = {f: {r["language"] for r in read_rows(name) if f in r["labels"]["flags"]} for f in FLAG_IDS}
    assert languages == {f: set(LANGUAGES) for f in FLAG_IDS}


@pytest.mark.parametrize("name", NEW_FILES)
def test_new_sets_use_four_currencies(name: str) -> None:
    text = " ".join(t["text"] for r in read_rows(name) for t in r["turns"])
    assert {"euros", "pesos", "£", "$"} <= {c for c in ("euros", "pesos", "£", "$") if c in text}


def test_bully_calls_of_the_new_sets_are_hard_when_they_obtain_a_commitment() -> None:
    """Issue 12's reading: debt stated, concrete demand obtained and topic held -> adversarial."""
    bullies = [
        r
        for name in NEW_FILES
        for r in read_rows(name)
        if "abusive_language" in r["labels"]["flags"] and r["labels"]["scores"]["P4"] >= 4
    ]
    assert len(bullies) >= 4
    assert {r["id"]: r["labels"]["quadrant"] for r in bullies if r["labels"]["quadrant"] != "adversarial"} == {}


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
