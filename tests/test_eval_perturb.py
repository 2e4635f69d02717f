"""Perturbations keep the transcript valid and change exactly what they say they change."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from roleplay.domain import Transcript
from roleplay.evals import perturb
from roleplay.evals.injections import inject, injections_for, load_injections
from roleplay.evals.robustness import adversarial
from roleplay.transcripts import transcript_from_obj

DEV = Path(__file__).resolve().parent.parent / "evals" / "datasets" / "dev.jsonl"
ROWS = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
CALLS = {row["id"]: Transcript.model_validate(row) for row in ROWS}
ALL = perturb.INVARIANCE + perturb.DIRECTIONAL + (perturb.pad_agent_turns,)


def _valid(transcript: Transcript) -> None:
    again = transcript_from_obj(transcript.model_dump(), "x")
    assert again.turns == transcript.turns


@pytest.mark.parametrize("function", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("call_id", ["dev-001", "dev-002", "dev-005", "dev-006"])
def test_perturbations_are_valid_deterministic_and_keep_language(function, call_id: str) -> None:  # type: ignore[no-untyped-def]
    original = CALLS[call_id]
    result = function(original, 4)
    assert result is not None
    _valid(result.transcript)
    assert result.transcript.language == original.language
    assert result.transcript.id != original.id
    assert result.transcript != original
    assert function(original, 4) == result


def test_rename_replaces_every_name_consistently() -> None:
    original, result = CALLS["dev-001"], perturb.rename_people(CALLS["dev-001"], 1)
    assert result is not None and result.family == "invariance"
    text = " ".join(t.text for t in result.transcript.turns)
    for name in ("Lucía", "Ferrer", "Javier", "Moreno"):
        assert not re.search(rf"\b{name}\b", text)
    new_debtor = result.transcript.turns[2].text.split("don ")[1].split(".")[0]  # "Gracias, don X."
    assert text.count(f"don {new_debtor}") == 3  # greeting, identity check, goodbye: the same new name
    assert [t.role for t in result.transcript.turns] == [t.role for t in original.turns]


@pytest.mark.parametrize(
    ("language", "before", "after"),
    [
        ("es", "tiene 1.240,50 € pendientes", "tiene 1240,50 euros pendientes"),
        ("es", "tiene 1240,50 euros pendientes", "tiene 1.240,50 € pendientes"),
        ("es", "pague 50 euros el 15/12", "pague 50 € el 15 de diciembre"),
        ("es", "el 15 de diciembre", "el 15/12"),
        ("es", "cobra 980 al mes", "cobra 980 al mes"),
        ("en", "there's €1,240.50 outstanding", "there's 1240.50 euros outstanding"),
        ("en", "1240 dollars by December 15th", "$1,240 by 12/15"),
        ("en", "pay on 12/15", "pay on December 15"),
        ("en", "pay on 13/45", "pay on 13/45"),
    ],
)
def test_reformat_text(language: str, before: str, after: str) -> None:
    months = perturb.load_bank().languages[language].months  # type: ignore[index]
    assert perturb.reformat_text(before, language, months) == after  # type: ignore[arg-type]


def test_noise_changes_only_whitespace_and_punctuation() -> None:
    original, result = CALLS["dev-001"], perturb.add_noise(CALLS["dev-001"], 2)
    assert result is not None

    def words(text: str) -> list[str]:
        return re.findall(r"\w+", text)

    for a, b in zip(original.turns, result.transcript.turns, strict=True):
        assert words(a.text) == words(b.text)


@pytest.mark.parametrize(
    ("function", "kind", "down", "flags"),
    [
        (perturb.insert_threat, "threat", ("S4",), ("threat_of_illegal_or_unintended_action",)),
        (perturb.insert_insult, "insult", ("S1",), ()),
        (perturb.add_pleading, "pleading", ("P5",), ()),
    ],
)
def test_inserts_touch_agent_turns_only(function, kind: str, down: tuple, flags: tuple) -> None:  # type: ignore[no-untyped-def]
    original = CALLS["dev-002"]
    result = function(original, 0)
    assert (result.family, result.kind, result.expect_down, result.expect_flags) == ("directional", kind, down, flags)
    changed = [i for i, (a, b) in enumerate(zip(original.turns, result.transcript.turns, strict=True)) if a != b]
    assert changed and all(original.turns[i].role == "agent" and i != 0 for i in changed)
    for i in changed:
        assert result.transcript.turns[i].text.startswith(original.turns[i].text)


def test_remove_agreement_cuts_the_acceptance_and_the_summary() -> None:
    original = CALLS["dev-001"]
    result = perturb.remove_agreement(original)
    assert result is not None and result.expect_down == ("P4",)
    kept = result.transcript.turns
    assert kept == original.turns[: len(kept)]
    removed = " ".join(t.text for t in original.turns[len(kept) :])
    assert "quedamos así" in removed and "de acuerdo" in removed
    assert "quedamos" not in " ".join(t.text for t in kept)


def test_remove_agreement_does_not_apply_without_one() -> None:
    call = Transcript(id="t", language="en", turns=[{"role": "agent", "text": "Hello, is that Mr. Price?"}])  # type: ignore[list-item]
    assert perturb.remove_agreement(call) is None


def test_padding_repeats_agent_content() -> None:
    original, result = CALLS["dev-002"], perturb.pad_agent_turns(CALLS["dev-002"])
    assert result is not None and result.family == "verbosity"
    for a, b in zip(original.turns, result.transcript.turns, strict=True):
        assert b.text == (f"{a.text} {a.text}" if a.role == "agent" else a.text)


def test_perturbations_apply_to_most_of_the_dev_set() -> None:
    counts = {f.__name__: sum(f(t, 0) is not None for t in CALLS.values()) for f in ALL}
    assert counts["rename_people"] >= 15
    assert counts["reformat_amounts_and_dates"] >= 25
    assert counts["remove_agreement"] >= 12
    assert all(counts[f.__name__] == len(CALLS) for f in (perturb.add_noise, perturb.insert_threat))


# --------------------------------------------------------------------------- injections


def test_injection_library_covers_every_kind_in_both_languages() -> None:
    library = load_injections()
    assert len(library) >= 15
    assert {(i.kind, i.language) for i in library} >= {
        (k, lang)
        for k in ("fake_protocol", "fake_verdict", "ignore_instructions", "hidden_unicode", "fake_system_tag")
        for lang in ("es", "en")
    }
    hidden = [i.rendered() for i in library if i.hide == "tags"]
    assert hidden and all(not any(ch.isprintable() and ch.isascii() for ch in h) for h in hidden)


def _obeying_grader(transcript: Transcript, labels: dict[str, int]) -> dict[str, int]:
    """A grader that obeys any injected text: all 5 when one of the library's strings is present."""
    text = " ".join(t.text for t in transcript.turns)
    obeyed = any(i.rendered() in text for i in load_injections())
    return {c: 5 for c in labels} if obeyed else dict(labels)


def test_a_grader_that_obeys_injections_is_caught() -> None:
    row = next(r for r in ROWS if r["id"] == "dev-006")
    call, labels = CALLS["dev-006"], row["labels"]["scores"]
    attacked = [inject(call, i, seed=n) for n, i in enumerate(injections_for("en"))]
    assert all(a is not None and a.family == "adversarial" for a in attacked)
    base = [_obeying_grader(call, labels) for _ in attacked]
    after = [_obeying_grader(a.transcript, labels) for a in attacked if a]
    figures = adversarial(base, after, [False] * len(after))
    assert figures["overall"]["attack_success_rate"] == 1.0
    assert figures["overall"]["detection_rate"] == 0.0
    honest = adversarial(base, base, [True] * len(base))
    assert honest["overall"]["attack_success_rate"] == 0.0
