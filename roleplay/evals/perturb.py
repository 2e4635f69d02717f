"""Code-made perturbations of a transcript, deterministic for a seed, in Spanish and English.

Each function returns a `Perturbed` (the new Transcript and what is expected of the grader) or None
when the edit does not apply to this transcript (no names, amounts or dates to change, no accepted
agreement to remove). Phrase banks live in evals/perturbations.yaml (`PerturbationBank`).

- invariance (scores must not change): rename_people, reformat_amounts_and_dates, add_noise;
- directional: insert_threat (S4 down + threat flag), insert_insult (S1 down), remove_agreement
  (P4 down), add_pleading (P5 down);
- verbosity: pad_agent_turns (no score may rise).
The figures over graded pairs are in roleplay.evals.robustness (re-exported here).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roleplay.content import load_model
from roleplay.domain import CriterionId, FlagId, Language, Transcript, Turn
from roleplay.evals.robustness import adversarial, directional, invariance, verbosity

PerturbFamily = Literal["invariance", "directional", "adversarial", "verbosity"]
_NAME_WORD = r"[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+"


class LanguageBank(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name_cues: list[str] = Field(min_length=1)
    surname_cues: list[str]
    not_names: list[str]
    first_names: list[str] = Field(min_length=3)
    surnames: list[str] = Field(min_length=3)
    months: list[str] = Field(min_length=12, max_length=12)
    threats: list[str] = Field(min_length=1)
    insults: list[str] = Field(min_length=1)
    pleading: list[str] = Field(min_length=1)
    confirmation_cues: list[str] = Field(min_length=1)
    acceptance_cues: list[str] = Field(min_length=1)


class PerturbationBank(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    languages: dict[Language, LanguageBank]


@dataclass(frozen=True)
class Perturbed:
    family: PerturbFamily
    kind: str
    transcript: Transcript
    expect_down: tuple[CriterionId, ...] = ()
    expect_flags: tuple[FlagId, ...] = ()


def bank_path() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "evals" / "perturbations.yaml"


@cache
def load_bank(path: Path | None = None) -> PerturbationBank:
    """evals/perturbations.yaml, validated (a ContentError names the file and key)."""
    return load_model(path or bank_path(), PerturbationBank)


def _bank(transcript: Transcript) -> LanguageBank:
    return load_bank().languages[transcript.language]


def with_texts(transcript: Transcript, texts: dict[int, str], suffix: str) -> Transcript:
    """A copy with the given turns' texts replaced and the id suffixed."""
    turns = [Turn(role=t.role, text=texts.get(i, t.text)) for i, t in enumerate(transcript.turns)]
    return transcript.model_copy(update={"id": f"{transcript.id}~{suffix}", "turns": turns})


def _changed(transcript: Transcript, texts: dict[int, str], kind: str) -> Perturbed | None:
    texts = {i: text for i, text in texts.items() if text != transcript.turns[i].text}
    return Perturbed("invariance", kind, with_texts(transcript, texts, kind)) if texts else None


def _word_cue(cue: str) -> str:
    return rf"(?<!\w){re.escape(cue)}(?!\w)"


# --------------------------------------------------------------------------- invariance: names


def people_names(transcript: Transcript) -> dict[str, bool]:
    """Names that follow a cue ("soy Lucía Ferrer", "speaking with Mr. Price"), each mapped to
    whether it is a surname (not first in a full name, or alone after Mr./Sr.)."""
    bank = _bank(transcript)
    names: dict[str, bool] = {}
    for cue in bank.name_cues:
        pattern = re.compile(rf"{_word_cue(cue)}\s+({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})")
        for turn in transcript.turns:
            for match in pattern.finditer(turn.text):
                _classify(
                    [w for w in match.group(1).split() if w not in bank.not_names], cue in bank.surname_cues, names
                )
    return names


def _classify(words: list[str], after_title: bool, names: dict[str, bool]) -> None:
    for position, word in enumerate(words):
        if position > 0:
            names[word] = True
        elif len(words) > 1:
            names[word] = names.get(word, False)
        else:
            names.setdefault(word, after_title)


def rename_people(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    """Every name found is replaced, everywhere and consistently, by a first name or surname from
    the bank that does not occur in the call."""
    names = people_names(transcript)
    if not names:
        return None
    bank, rng = _bank(transcript), random.Random(seed)
    words = set(re.findall(r"\w+", " ".join(t.text for t in transcript.turns)))
    firsts = rng.sample(
        [n for n in bank.first_names if n not in words], len(bank.first_names) - len(words & set(bank.first_names))
    )
    lasts = rng.sample(
        [n for n in bank.surnames if n not in words], len(bank.surnames) - len(words & set(bank.surnames))
    )
    mapping = {name: (lasts if surname else firsts).pop() for name, surname in sorted(names.items())}
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in sorted(mapping, key=len, reverse=True)))
    texts = {i: pattern.sub(lambda m: mapping[m.group(0)], t.text) for i, t in enumerate(transcript.turns)}
    return _changed(transcript, texts, "rename")


# --------------------------------------------------------------------------- invariance: amounts, dates


def _toggle_thousands(number: str, separator: str) -> str:
    if separator in number:
        return number.replace(separator, "")
    if len(number) < 4:
        return number
    head = len(number) % 3 or 3
    groups = [number[:head]] + [number[i : i + 3] for i in range(head, len(number), 3)]
    return separator.join(groups)


_ES_AMOUNT = re.compile(r"(?<![\d.,])(?P<num>\d{1,3}(?:\.\d{3})+|\d+)(?P<dec>,\d{2})?\s?(?P<cur>€|euros\b)")
_EN_SYMBOLS = {"€": "euros", "$": "dollars", "£": "pounds"}
_EN_AMOUNT = re.compile(
    r"(?P<sym>[€$£])(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d{2})?"
    r"|(?<![\d.,])(?P<num2>\d{1,3}(?:,\d{3})+|\d+)(?P<dec2>\.\d{2})?\s(?P<word>euros|dollars|pounds)\b"
)


def _es_amount(match: re.Match[str]) -> str:
    currency = "euros" if match.group("cur") == "€" else "€"
    return f"{_toggle_thousands(match.group('num'), '.')}{match.group('dec') or ''} {currency}"


def _en_amount(match: re.Match[str]) -> str:
    if match.group("sym"):
        number = _toggle_thousands(match.group("num"), ",")
        return f"{number}{match.group('dec') or ''} {_EN_SYMBOLS[match.group('sym')]}"
    symbol = {word: sym for sym, word in _EN_SYMBOLS.items()}[match.group("word")]
    return f"{symbol}{_toggle_thousands(match.group('num2'), ',')}{match.group('dec2') or ''}"


def _date_pattern(months: list[str], language: Language) -> re.Pattern[str]:
    names = "|".join(months)
    if language == "es":
        return re.compile(rf"\b(?P<d>\d{{1,2}}) de (?P<month>{names})\b|\b(?P<d2>\d{{1,2}})/(?P<m2>\d{{1,2}})\b(?!/)")
    return re.compile(
        rf"\b(?P<month>{names}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b|\b(?P<m2>\d{{1,2}})/(?P<d2>\d{{1,2}})\b(?!/)"
    )


def _date(match: re.Match[str], months: list[str], language: Language) -> str:
    if match.group("month"):
        month = months.index(match.group("month")) + 1
        day = match.group("d")
        return f"{day}/{month}" if language == "es" else f"{month}/{day}"
    day, month = int(match.group("d2")), int(match.group("m2"))
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group(0)
    return f"{day} de {months[month - 1]}" if language == "es" else f"{months[month - 1]} {day}"


def reformat_text(text: str, language: Language, months: list[str]) -> str:
    """Amounts and dates written the other way: "1.240,50 €" <-> "1240,50 euros", "€1,240" <->
    "1240 euros", "15/12" <-> "15 de diciembre", "December 15" <-> "12/15"."""
    amount, render = (_ES_AMOUNT, _es_amount) if language == "es" else (_EN_AMOUNT, _en_amount)
    text = amount.sub(render, text)
    return _date_pattern(months, language).sub(lambda m: _date(m, months, language), text)


def reformat_amounts_and_dates(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    months = _bank(transcript).months
    texts = {i: reformat_text(t.text, transcript.language, months) for i, t in enumerate(transcript.turns)}
    return _changed(transcript, texts, "reformat")


# --------------------------------------------------------------------------- invariance: noise


def _double_a_space(text: str, rng: random.Random) -> str:
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return f"{text} "
    at = rng.choice(spaces)
    return f"{text[:at]}  {text[at + 1 :]}"


def _toggle_final_period(text: str, rng: random.Random) -> str:
    stripped = text.rstrip()
    if stripped.endswith("."):
        return stripped[:-1]
    return f"{stripped}." if stripped and stripped[-1].isalnum() else f"{text}  "


_NOISE: tuple[Callable[[str, random.Random], str], ...] = (
    _double_a_space,
    _toggle_final_period,
    lambda text, rng: f" {text}  ",
    lambda text, rng: text.replace("¿", "").replace("¡", "") if "¿" in text or "¡" in text else f"{text}\n",
)


def add_noise(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    """Whitespace and punctuation noise (doubled spaces, a dropped/added final period, padding
    blanks, dropped opening ¿/¡) in about half of the turns, at least one."""
    rng = random.Random(seed)
    chosen = [i for i in range(len(transcript.turns)) if rng.random() < 0.5] or [0]
    texts = {i: rng.choice(_NOISE)(transcript.turns[i].text, rng) for i in chosen}
    return _changed(transcript, texts, "noise")


# --------------------------------------------------------------------------- directional


def target_agent_turn(transcript: Transcript, rng: random.Random) -> int | None:
    """An agent turn to edit: any but the first (the greeting) when there are several."""
    agent = transcript.agent_turn_indices()
    return rng.choice(agent[1:] if len(agent) > 1 else agent) if agent else None


def append_to_agent_turn(transcript: Transcript, sentence: str, rng: random.Random, kind: str) -> Transcript | None:
    index = target_agent_turn(transcript, rng)
    if index is None:
        return None
    return with_texts(transcript, {index: f"{transcript.turns[index].text} {sentence}"}, kind)


def _insert(
    transcript: Transcript, seed: int, kind: str, bank_list: list[str], down: CriterionId, flags: tuple[FlagId, ...]
) -> Perturbed | None:
    rng = random.Random(seed)
    edited = append_to_agent_turn(transcript, rng.choice(bank_list), rng, kind)
    return Perturbed("directional", kind, edited, (down,), flags) if edited else None


def insert_threat(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    threat: tuple[FlagId, ...] = ("threat_of_illegal_or_unintended_action",)
    return _insert(transcript, seed, "threat", _bank(transcript).threats, "S4", threat)


def insert_insult(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    return _insert(transcript, seed, "insult", _bank(transcript).insults, "S1", ())


def add_pleading(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    """Pleading ("please, pay whatever you can, whenever you like") in two agent turns."""
    bank, rng = _bank(transcript), random.Random(seed)
    agent = transcript.agent_turn_indices()
    chosen = rng.sample(agent[1:] or agent, min(2, len(agent[1:] or agent)))
    texts = {i: f"{transcript.turns[i].text} {rng.choice(bank.pleading)}" for i in chosen}
    return Perturbed("directional", "pleading", with_texts(transcript, texts, "pleading"), ("P5",)) if texts else None


def agreement_start(transcript: Transcript) -> int | None:
    """Index of the debtor's acceptance of the agent's proposal: the first debtor turn in the second
    half of the call with an acceptance cue, right after an agent turn with an amount, a date or a
    confirmation cue; when that agent turn is a summary, the debtor's choice before it."""
    bank = _bank(transcript)
    accept = re.compile("|".join(_word_cue(c) for c in bank.acceptance_cues), re.I)
    propose = re.compile("|".join([r"\d", *(_word_cue(c) for c in bank.confirmation_cues)]), re.I)
    turns = transcript.turns
    for i in range(max(2, len(turns) // 2), len(turns)):
        previous = turns[i - 1]
        if turns[i].role == "debtor" and previous.role == "agent" and accept.search(turns[i].text):
            if not propose.search(previous.text):
                continue
            summary = any(re.search(_word_cue(c), previous.text, re.I) for c in bank.confirmation_cues)
            return i - 2 if summary and turns[i - 2].role == "debtor" else i
    return None


def remove_agreement(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    """Cut the call at the debtor's acceptance: the acceptance and everything after it (the agent's
    summary/confirmation, the closing) go; the call ends on the agent's proposal."""
    start = agreement_start(transcript)
    if start is None or len(transcript.agent_turn_indices()) < 2:
        return None
    turns = transcript.turns[:start]
    edited = transcript.model_copy(update={"id": f"{transcript.id}~remove_agreement", "turns": turns})
    return Perturbed("directional", "remove_agreement", edited, ("P4",))


# --------------------------------------------------------------------------- verbosity


def pad_agent_turns(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    """Every agent turn says its content twice (longer, nothing new)."""
    texts = {i: f"{t.text} {t.text}" for i, t in enumerate(transcript.turns) if t.role == "agent" and t.text.strip()}
    return Perturbed("verbosity", "pad", with_texts(transcript, texts, "pad")) if texts else None


# --------------------------------------------------------------------------- sets

Perturbation = Callable[[Transcript, int], Perturbed | None]
INVARIANCE: tuple[Perturbation, ...] = (rename_people, reformat_amounts_and_dates, add_noise)
DIRECTIONAL: tuple[Perturbation, ...] = (insert_threat, insert_insult, remove_agreement, add_pleading)


def _applied(functions: tuple[Perturbation, ...], transcript: Transcript, seed: int) -> list[Perturbed]:
    results = (function(transcript, seed) for function in functions)
    return [r for r in results if r is not None]


def invariance_perturbations(transcript: Transcript, seed: int = 0) -> list[Perturbed]:
    """rename, reformat, noise (those that apply)."""
    return _applied(INVARIANCE, transcript, seed)


def directional_perturbations(transcript: Transcript, seed: int = 0) -> list[Perturbed]:
    """threat, insult, remove_agreement, pleading (those that apply)."""
    return _applied(DIRECTIONAL, transcript, seed)


__all__ = [
    "DIRECTIONAL",
    "INVARIANCE",
    "Perturbed",
    "add_noise",
    "add_pleading",
    "adversarial",
    "directional",
    "directional_perturbations",
    "insert_insult",
    "insert_threat",
    "invariance",
    "invariance_perturbations",
    "pad_agent_turns",
    "reformat_amounts_and_dates",
    "remove_agreement",
    "rename_people",
    "verbosity",
]
