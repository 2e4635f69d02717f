"""Code-made perturbations of a transcript, deterministic for a seed, in Spanish and English.

Each function returns a `Perturbed` (the new Transcript and what is expected of the grader) or None
when the edit does not apply to this transcript (e.g. no confirmed agreement to remove).
Phrase banks live in evals/perturbations.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from roleplay.domain import CriterionId, FlagId, Transcript
from roleplay.evals.robustness import adversarial, directional, invariance, verbosity

PerturbFamily = Literal["invariance", "directional", "adversarial", "verbosity"]


@dataclass(frozen=True)
class Perturbed:
    family: PerturbFamily
    kind: str
    transcript: Transcript
    expect_down: tuple[CriterionId, ...] = ()
    expect_flags: tuple[FlagId, ...] = ()
    changed_turns: tuple[int, ...] = field(default=())


def rename_people(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    raise NotImplementedError


def reformat_amounts_and_dates(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    raise NotImplementedError


def add_noise(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    raise NotImplementedError


def insert_threat(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    raise NotImplementedError


def insert_insult(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    raise NotImplementedError


def remove_agreement(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    raise NotImplementedError


def add_pleading(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    raise NotImplementedError


def pad_agent_turns(transcript: Transcript, seed: int = 0) -> Perturbed | None:
    raise NotImplementedError


def invariance_perturbations(transcript: Transcript, seed: int = 0) -> list[Perturbed]:
    """rename, reformat, noise (those that apply)."""
    raise NotImplementedError


def directional_perturbations(transcript: Transcript, seed: int = 0) -> list[Perturbed]:
    """threat, insult, remove_agreement, pleading (those that apply)."""
    raise NotImplementedError


__all__ = [
    "Perturbed",
    "adversarial",
    "directional",
    "invariance",
    "verbosity",
]
