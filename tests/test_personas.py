"""The persona library (prompts/personas/*.yaml): content checks over every persona, and the
loader's error messages for broken persona files."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from roleplay.acts import AGENT_ACTS, HOSTILE_ACTS, Act
from roleplay.content import ContentError, load_personas
from roleplay.domain import Language, LocalText, Persona

PERSONAS_DIR = Path(__file__).resolve().parents[1] / "prompts" / "personas"
PERSONA_IDS = sorted(p.stem for p in PERSONAS_DIR.glob("*.yaml"))
MONEY_KINDS = {"full_payment", "instalments", "partial_payment"}

# id -> (expected difficulty or None when free, vulnerable)
REQUIRED: dict[str, tuple[int | None, bool]] = {
    "cannot_pay_job_loss": (None, False),
    "strategic_non_payer": (3, False),
    "overwhelmed_many_debts": (None, False),
    "angry_defensive": (3, False),
    "evasive_forgetful": (None, False),
    "disputes_amount": (None, False),
    "bereaved_vulnerable": (None, True),
    "seriously_ill_vulnerable": (None, True),
    "elderly_confused": (3, True),
    "small_business_cashflow": (None, False),
    "student": (None, False),
    "cooperative_easy": (1, False),
    "third_party_partner": (None, False),
}

_ES_AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?\s*(?:€|euros?\b)")
_EN_SIGN_AMOUNT = re.compile(r"€\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")
_EN_WORD_AMOUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?[\s-]euros?\b")


@pytest.fixture(scope="module")
def library() -> dict[str, Persona]:
    return load_personas(PERSONAS_DIR)


def amounts(text: str, language: Language) -> list[float]:
    """Money amounts written in `text` (es: "1.050,50 €" / "60 euros"; en: "€1,050.50" / "60 euros")."""
    patterns = [_ES_AMOUNT] if language == "es" else [_EN_SIGN_AMOUNT, _EN_WORD_AMOUNT]
    separator = "." if language == "es" else ","
    found = []
    for pattern in patterns:
        for whole, cents in pattern.findall(text):
            found.append(float(whole.replace(separator, "")) + (float(f"0.{cents}") if cents else 0.0))
    return sorted(found)


def local_texts(model: BaseModel, path: str = "") -> Iterator[tuple[str, LocalText]]:
    """Every LocalText inside `model`, with its dotted key."""
    for name in type(model).model_fields:
        yield from _texts_in(getattr(model, name), f"{path}{name}")


def _texts_in(value: Any, path: str) -> Iterator[tuple[str, LocalText]]:
    if isinstance(value, LocalText):
        yield path, value
    elif isinstance(value, BaseModel):
        yield from local_texts(value, f"{path}.")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts_in(item, f"{path}.{i}")


def payable_ceiling(persona: Persona) -> float:
    return max(persona.capacity.monthly, persona.capacity.lump_sum)


# --------------------------------------------------------------------------- parsing helper


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Cuotas de 60 € al mes y 1.050 euros", "es", [60.0, 1050.0]),
        ("pagar 364,37 € y 126,40 euros el día 5", "es", [126.4, 364.37]),
        ("el 75 % el día 5", "es", []),
        ("€1,860 now, then 150 euros", "en", [150.0, 1860.0]),
        ("a 248-euro charge and €126.40", "en", [126.4, 248.0]),
        ("on the 5th at 5 pm, 60 km", "en", []),
    ],
)
def test_amounts_parses_money_in_each_language(text: str, language: Language, expected: list[float]) -> None:
    assert amounts(text, language) == expected


# --------------------------------------------------------------------------- the library


def test_library_loads_at_least_twelve_personas_keyed_by_file_name(library: dict[str, Persona]) -> None:
    assert len(library) >= 12
    assert sorted(library) == PERSONA_IDS
    assert all(key == persona.id for key, persona in library.items())


@pytest.mark.parametrize(("persona_id", "difficulty", "vulnerable"), [(k, *v) for k, v in REQUIRED.items()])
def test_required_persona_present_with_difficulty_and_vulnerability(
    library: dict[str, Persona], persona_id: str, difficulty: int | None, vulnerable: bool
) -> None:
    persona = library[persona_id]
    assert persona.vulnerable is vulnerable
    if difficulty is not None:
        assert persona.difficulty == difficulty


def test_archetypes_are_distinct_snake_case_labels(library: dict[str, Persona]) -> None:
    archetypes = [p.archetype for p in library.values()]
    assert len(set(archetypes)) == len(archetypes)
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", a) for a in archetypes)


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_every_persona_is_versioned(library: dict[str, Persona], persona_id: str) -> None:
    assert library[persona_id].version == "persona-1"


@pytest.mark.parametrize(
    ("persona_id", "low", "high"),
    [("angry_defensive", 0.0, 0.25), ("cooperative_easy", 0.55, 1.0), ("strategic_non_payer", 0.0, 0.4)],
)
def test_initial_trust_fits_the_temperament(
    library: dict[str, Persona], persona_id: str, low: float, high: float
) -> None:
    assert low <= library[persona_id].initial_trust <= high


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_vulnerable_and_angry_personas_hang_up_quickly(library: dict[str, Persona], persona_id: str) -> None:
    persona = library[persona_id]
    if persona.vulnerable or persona_id == "angry_defensive":
        assert persona.hangup_patience <= 2


def test_the_cooperative_persona_is_the_most_patient(library: dict[str, Persona]) -> None:
    others = [p.hangup_patience for p in library.values() if p.id != "cooperative_easy"]
    assert library["cooperative_easy"].hangup_patience > max(others)


# --------------------------------------------------------------------------- both languages


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_every_text_is_written_in_both_languages(library: dict[str, Persona], persona_id: str) -> None:
    persona = library[persona_id]
    texts = list(local_texts(persona))
    fixed = ["summary", "debt.product", "cause", "capacity.next_income", "temperament", "opening"]
    expected = len(fixed) + len(persona.hidden_facts) + len(persona.accepts) + (persona.third_party is not None)
    assert len(texts) == expected and {k for k, _ in texts} >= set(fixed)
    for key, text in texts:
        assert text.es.strip() and text.en.strip(), key
        assert text.es != text.en, f"{key} is not translated"


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_punctuation_matches_the_language(library: dict[str, Persona], persona_id: str) -> None:
    for key, text in local_texts(library[persona_id]):
        assert not set("¿¡") & set(text.en), f"{key}.en has Spanish punctuation"
        assert "?" not in text.es or "¿" in text.es, f"{key}.es lacks the opening ¿"


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_both_languages_quote_the_same_amounts(library: dict[str, Persona], persona_id: str) -> None:
    for key, text in local_texts(library[persona_id]):
        assert amounts(text.es, "es") == amounts(text.en, "en"), key


# --------------------------------------------------------------------------- acts


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_earned_by_and_closed_by_are_agent_acts(library: dict[str, Persona], persona_id: str) -> None:
    # The domain model types these as plain strings, so a typo would load silently: checked here.
    persona = library[persona_id]
    agent_acts = {a.value for a in AGENT_ACTS}
    for fact in persona.hidden_facts:
        assert set(fact.earned_by) <= agent_acts, fact.id
        assert not set(fact.earned_by) & set(persona.closed_by), f"{fact.id} is earned by an act that closes up"
    assert set(persona.closed_by) <= agent_acts


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_no_fact_is_earned_by_hostility_and_everyone_closes_at_abuse(
    library: dict[str, Persona], persona_id: str
) -> None:
    persona = library[persona_id]
    hostile = {a.value for a in HOSTILE_ACTS}
    assert all(not set(f.earned_by) & hostile for f in persona.hidden_facts)
    assert {Act.ILLEGAL_THREAT.value, Act.INSULT.value, Act.THREAT.value} <= set(persona.closed_by)


def test_the_strategic_non_payer_closes_up_at_pleading_and_leaving_it_to_him(library: dict[str, Persona]) -> None:
    assert {Act.PLEADING.value, Act.LEAVE_DECISION.value} <= set(library["strategic_non_payer"].closed_by)


# --------------------------------------------------------------------------- hidden facts and capacity


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_two_to_four_hidden_facts_with_unique_ids(library: dict[str, Persona], persona_id: str) -> None:
    ids = [f.id for f in library[persona_id].hidden_facts]
    assert 2 <= len(ids) <= 4
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_what_they_can_pay_must_be_earned(library: dict[str, Persona], persona_id: str) -> None:
    persona = library[persona_id]
    ceiling = payable_ceiling(persona)
    if ceiling == 0:
        pytest.skip("no capacity to disclose")
    earned = [
        f
        for f in persona.hidden_facts
        if any(0 < a <= ceiling for a in amounts(f.text.es, "es")) and f.min_trust > persona.initial_trust
    ]
    assert earned, "no hidden fact above the initial trust discloses a payable amount"


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_card_and_opening_do_not_give_the_capacity_away(library: dict[str, Persona], persona_id: str) -> None:
    persona = library[persona_id]
    capacity = {persona.capacity.monthly, persona.capacity.lump_sum} - {0}
    for text in (persona.summary, persona.opening):
        assert not capacity & set(amounts(text.es, "es") + amounts(text.en, "en"))


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_accepted_agreements_fit_the_capacity(library: dict[str, Persona], persona_id: str) -> None:
    persona = library[persona_id]
    for agreement in persona.accepts:
        money = amounts(agreement.description.es, "es")
        if agreement.kind not in MONEY_KINDS:
            continue
        assert money, f"{agreement.kind} names no amount"
        assert min(money) <= payable_ceiling(persona), f"{agreement.kind} first payment exceeds capacity"
        assert max(money) <= persona.debt.amount
        if agreement.kind == "full_payment":
            assert persona.capacity.lump_sum >= persona.debt.amount
            assert persona.debt.amount in money


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_no_capacity_means_no_money_agreement(library: dict[str, Persona], persona_id: str) -> None:
    persona = library[persona_id]
    if payable_ceiling(persona) == 0:
        assert {a.kind for a in persona.accepts}.isdisjoint(MONEY_KINDS)


def test_the_pobrecito_can_pay_a_little_and_the_geta_can_pay_it_all(library: dict[str, Persona]) -> None:
    pobrecito, geta = library["cannot_pay_job_loss"], library["strategic_non_payer"]
    assert 0 < pobrecito.capacity.monthly < geta.capacity.monthly
    assert 0 < pobrecito.capacity.lump_sum < pobrecito.capacity.monthly * 12 < pobrecito.debt.amount
    assert geta.capacity.lump_sum >= geta.debt.amount


def test_the_disputed_charge_is_a_hidden_fact_reviewed_in_an_agreement(library: dict[str, Persona]) -> None:
    persona = library["disputes_amount"]
    charges = {a for f in persona.hidden_facts for a in amounts(f.text.es, "es") if a < persona.debt.amount}
    reviews = [a for a in persona.accepts if a.kind == "dispute_review"]
    assert reviews and charges & set(amounts(reviews[0].description.es, "es"))


@pytest.mark.parametrize(
    ("persona_id", "es_word", "en_word"),
    [
        ("cannot_pay_job_loss", "paro", "unemployment"),
        ("student", "beca", "grant"),
        ("small_business_cashflow", "ayuntamiento", "town hall"),
        ("elderly_confused", "pensión", "pension"),
    ],
)
def test_next_income_names_its_source(library: dict[str, Persona], persona_id: str, es_word: str, en_word: str) -> None:
    income = library[persona_id].capacity.next_income
    assert es_word in income.es and en_word in income.en


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_debt_facts_are_realistic(library: dict[str, Persona], persona_id: str) -> None:
    debt = library[persona_id].debt
    assert 30 <= debt.days_overdue <= 365
    assert 50 <= debt.amount <= 20_000
    assert debt.currency == "EUR"


# --------------------------------------------------------------------------- third party


@pytest.mark.parametrize("persona_id", PERSONA_IDS)
def test_only_the_partner_persona_is_answered_by_someone_else(library: dict[str, Persona], persona_id: str) -> None:
    persona = library[persona_id]
    expected = persona_id == "third_party_partner"
    assert persona.answered_by_third_party is expected
    assert (persona.third_party is not None) is expected


def test_the_partner_only_helps_once_the_agent_asks_for_the_debtor(library: dict[str, Persona]) -> None:
    persona = library["third_party_partner"]
    assert any(Act.VERIFY_IDENTITY.value in f.earned_by for f in persona.hidden_facts)
    assert "callback" in {a.kind for a in persona.accepts}


# --------------------------------------------------------------------------- broken files


@pytest.fixture
def good_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PERSONAS_DIR / "cooperative_easy.yaml").read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def write_persona(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split(".")

    def mutate(data: dict[str, Any]) -> None:
        node: Any = data
        for key in parents:
            node = node[key]
        del node[last]

    return mutate


@pytest.mark.parametrize(
    ("mutate", "key", "reason"),
    [
        (_delete("opening"), "'opening'", "Field required"),
        (_delete("capacity.monthly"), "'capacity.monthly'", "Field required"),
        (_delete("summary.en"), "'summary.en'", "Field required"),
        (_set("difficulty", "hard"), "'difficulty'", "Input should be 1, 2 or 3"),
        (_set("debt.amount", "mucho"), "'debt.amount'", "valid number"),
        (_set("hidden_facts.0.min_trust", "high"), "'hidden_facts.0.min_trust'", "valid number"),
        (_set("initial_trust", 1.5), "'initial_trust'", "less than or equal to 1"),
        (_set("opening.es", ""), "'opening.es'", "at least 1 character"),
        (_set("mood", "grumpy"), "'mood'", "Extra inputs are not permitted"),
        (_set("debt.interest_rate", 0.2), "'debt.interest_rate'", "Extra inputs are not permitted"),
        (_set("answered_by_third_party", True), "third_party", "third_party description"),
    ],
    ids=[
        "missing-key",
        "missing-nested-key",
        "missing-language",
        "wrong-literal",
        "wrong-type-nested",
        "wrong-type-in-list",
        "out-of-range",
        "empty-text",
        "unknown-key",
        "unknown-nested-key",
        "third-party-without-description",
    ],
)
def test_a_broken_persona_names_the_file_and_the_key(
    tmp_path: Path, good_data: dict[str, Any], mutate: Callable[[dict[str, Any]], None], key: str, reason: str
) -> None:
    mutate(good_data)
    path = write_persona(tmp_path, "cooperative_easy", good_data)
    with pytest.raises(ContentError) as caught:
        load_personas(tmp_path)
    message = str(caught.value)
    assert str(path) in message and key in message and reason in message
    assert "\n" not in message


def test_a_yaml_syntax_error_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: persona-1\nid: broken\nname: [Ana\nopening: x\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_personas(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}: invalid YAML")
    assert "(line 4, column 8)" in message
    assert "\n" not in message  # one line, no PyYAML caret snippet


def test_an_id_that_differs_from_the_file_name_is_refused(tmp_path: Path, good_data: dict[str, Any]) -> None:
    path = write_persona(tmp_path, "someone_else", good_data)
    with pytest.raises(ContentError, match="must match the file name 'someone_else'") as caught:
        load_personas(tmp_path)
    assert str(path) in str(caught.value) and "key 'id'" in str(caught.value)


@pytest.mark.parametrize(("text", "expected"), [("- a\n- b\n", "expected a mapping"), ("", "expected a mapping")])
def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=expected) as caught:
        load_personas(tmp_path)
    assert str(path) in str(caught.value)


def test_one_broken_file_among_good_ones_fails_the_library(tmp_path: Path, good_data: dict[str, Any]) -> None:
    write_persona(tmp_path, "cooperative_easy", good_data)
    broken = write_persona(tmp_path, "zz_broken", {**good_data, "id": "zz_broken", "closed_by": []})
    with pytest.raises(ContentError, match="key 'closed_by'") as caught:
        load_personas(tmp_path)
    assert str(broken) in str(caught.value)


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no persona files"):
        load_personas(tmp_path)


def test_an_unknown_act_is_refused_on_load(tmp_path: Path, good_data: dict[str, Any]) -> None:
    good_data["closed_by"] = ["threat", "shouting"]
    path = write_persona(tmp_path, good_data["id"], good_data)
    with pytest.raises(ContentError, match="key 'closed_by': unknown act 'shouting'") as caught:
        load_personas(tmp_path)
    assert str(path) in str(caught.value)
