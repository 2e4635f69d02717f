"""The library of prompt-injection strings (evals/injections.yaml) and how they are inserted into
agent turns for the adversarial check."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roleplay.domain import Language, Transcript
from roleplay.evals.perturb import Perturbed

InjectionKind = Literal["fake_protocol", "fake_verdict", "ignore_instructions", "hidden_unicode", "fake_system_tag"]


class Injection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: InjectionKind
    language: Language
    text: str = Field(min_length=1)


def injections_path() -> Path:
    """evals/injections.yaml beside the package."""
    return Path(__file__).resolve().parent.parent.parent / "evals" / "injections.yaml"


def load_injections(path: Path | None = None) -> list[Injection]:
    raise NotImplementedError


def inject(transcript: Transcript, injection: Injection, seed: int = 0) -> Perturbed:
    """The transcript with the injection inserted into one agent turn (family "adversarial",
    kind = injection.id)."""
    raise NotImplementedError
