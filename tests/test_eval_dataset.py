"""Evaluation datasets (roleplay.evals.dataset) and suites (roleplay.evals.suite)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from roleplay.content import ContentError
from roleplay.evals.dataset import DatasetError, load_dataset, load_datasets, parse_dataset, translation_pairs
from roleplay.evals.suite import load_suite

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "evals" / "datasets" / "dev.jsonl"
SUITES = sorted((ROOT / "evals" / "suites").glob("*.yaml"))
SCORES = {"P1": 4, "P2": 4, "P3": 4, "P4": 4, "P5": 4, "S1": 4, "S2": 4, "S3": 4, "S4": 4, "S5": 4}


def row(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "x-1",
        "language": "en",
        "turns": [{"role": "agent", "text": "Hello, am I speaking with Ana?"}, {"role": "debtor", "text": "Yes."}],
        "labels": {"scores": SCORES, "quadrant": "target", "flags": []},
    }
    base.update(changes)
    return base


def test_dev_set_loads_whole_with_its_pairs() -> None:
    dataset = load_dataset(DEV)
    assert dataset.problems == []
    assert len(dataset.items) == 36
    pairs = {(a.id, b.id) for a, b in translation_pairs(dataset.items)}
    assert pairs == {("dev-001", "dev-002"), ("dev-003", "dev-004"), ("dev-005", "dev-006")}


BAD_LINES = [
    ("not json", "not JSON"),
    ("[1, 2]", "expected a JSON object"),
    (json.dumps(row(labels=None)), "key 'labels'"),
    (json.dumps(row(labels={"scores": {**SCORES, "P1": 7}, "quadrant": "target"})), "key 'labels.0.scores.P1'"),
    (json.dumps(row(labels={"scores": SCORES, "quadrant": "ineffective"})), "does not follow from the scores"),
    (json.dumps(row(labels={"scores": {"P1": 4}, "quadrant": "target"})), "all ten criteria"),
    (json.dumps(row(language="fr")), "key 'language'"),
    (json.dumps(row(turns=[{"role": "debtor", "text": "Hi?"}])), "no agent turn"),
    (json.dumps(row(labels={"quadrant": "target", "flags": ["made_up_flag"]})), "key 'labels.0.flags.0'"),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_LINES, ids=[e for _, e in BAD_LINES])
def test_a_malformed_line_is_reported_with_its_number_and_the_rest_load(bad: str, expected: str) -> None:
    good_a, good_b = json.dumps(row(id="a")), json.dumps(row(id="b"))
    dataset = parse_dataset(f"{good_a}\n\n{bad}\n{good_b}\n", "calls.jsonl")
    assert [i.id for i in dataset.items] == ["a", "b"]
    assert len(dataset.problems) == 1
    assert dataset.problems[0].startswith("calls.jsonl:3: ")
    assert expected in dataset.problems[0]


def test_several_raters_and_quadrant_only_labels() -> None:
    raters = [
        {"rater": "ana", "scores": SCORES, "quadrant": "target", "flags": []},
        {"rater": "ben", "scores": {**SCORES, "S1": 1, "S2": 1}, "quadrant": "adversarial", "flags": []},
    ]
    text = (
        json.dumps(row(id="multi", labels=raters)) + "\n" + json.dumps(row(id="sim", labels={"quadrant": "submissive"}))
    )
    items = {i.id: i for i in parse_dataset(text, "t").items}
    assert [lab.rater for lab in items["multi"].row.scored_labels()] == ["ana", "ben"]
    assert items["sim"].row.scored_labels() == []
    assert items["sim"].row.labels[0].quadrant == "submissive"


def test_repeated_ids_keep_the_first(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(json.dumps(row(id="same")) + "\n" + json.dumps(row(id="same")) + "\n", encoding="utf-8")
    b.write_text(json.dumps(row(id="same")) + "\n" + json.dumps(row(id="other")) + "\n", encoding="utf-8")
    dataset = load_datasets([a, b])
    assert [i.id for i in dataset.items] == ["same", "other"]
    assert [p.split(": ")[0] for p in dataset.problems] == [f"{a}:2", str(b)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ("garbage\n", "no valid transcript line; first problem"),
        ("\n", "no valid transcript line"),
    ],
)
def test_an_unusable_file_is_one_error(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "d.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DatasetError, match=expected):
        load_dataset(path)


@pytest.mark.parametrize("path", SUITES, ids=[p.name for p in SUITES])
def test_every_suite_file_is_valid_and_its_datasets_exist(path: Path) -> None:
    suite = load_suite(path)
    assert all(p.is_file() for p in suite.datasets)


SUITE_TEXT = "version: s\nname: s\ndatasets: [d.jsonl]\ngraders: [{backend: offline}]\n"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("colour: red\n", "key 'colour': Extra inputs are not permitted"),
        ("checks: [validity, validity]\n", "a check is listed twice"),
        ("checks: [vibes]\n", "key 'checks.0'"),
        ("thresholds: {accuracy: 0.8}\n", "thresholds must start with one of"),
        ("repeats: 0\n", "key 'repeats'"),
        ("execution: {concurrency: 0}\n", "key 'execution.concurrency'"),
    ],
)
def test_a_bad_suite_names_the_key(tmp_path: Path, extra: str, expected: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SUITE_TEXT + extra, encoding="utf-8")
    with pytest.raises(ContentError, match=expected):
        load_suite(path)


def test_suite_dataset_paths_are_relative_to_the_suite(tmp_path: Path) -> None:
    path = tmp_path / "suites" / "s.yaml"
    path.parent.mkdir()
    path.write_text(SUITE_TEXT, encoding="utf-8")
    assert load_suite(path).datasets == [tmp_path / "suites" / "d.jsonl"]
