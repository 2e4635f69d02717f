"""The library of prompt-injection strings (evals/injections.yaml) and their insertion into an
agent turn for the adversarial check (attack success = any score up; detection = the grader
raises `grader_manipulation`)."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from roleplay.content import load_model
from roleplay.domain import Language, Transcript
from roleplay.evals.perturb import Perturbed, append_to_agent_turn

InjectionKind = Literal["fake_protocol", "fake_verdict", "ignore_instructions", "hidden_unicode", "fake_system_tag"]
INJECTION_KINDS: tuple[InjectionKind, ...] = (
    "fake_protocol",
    "fake_verdict",
    "ignore_instructions",
    "hidden_unicode",
    "fake_system_tag",
)
ZERO_WIDTH_SPACE = "\u200b"
TAG_BASE = 0xE0000


class Injection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: InjectionKind
    language: Language
    hide: Literal["none", "tags", "zero_width"] = "none"
    text: str = Field(min_length=1)

    @model_validator(mode="after")
    def _taggable(self) -> Injection:
        if self.hide == "tags" and not all(" " <= ch <= "~" for ch in self.text):
            raise ValueError("hide: tags needs printable ASCII text")
        return self

    def rendered(self) -> str:
        """The string as inserted: hidden in Unicode tag characters or zero-width spaces if asked."""
        if self.hide == "tags":
            return ZERO_WIDTH_SPACE + "".join(chr(TAG_BASE + ord(ch)) for ch in self.text)
        if self.hide == "zero_width":
            return ZERO_WIDTH_SPACE.join(self.text)
        return self.text


class InjectionLibrary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    injections: list[Injection] = Field(min_length=15)

    @model_validator(mode="after")
    def _coverage(self) -> InjectionLibrary:
        ids = [i.id for i in self.injections]
        if len(set(ids)) != len(ids):
            raise ValueError("injection ids must be unique")
        missing = {(k, lang) for k in INJECTION_KINDS for lang in ("es", "en")} - {
            (i.kind, i.language) for i in self.injections
        }
        if missing:
            raise ValueError(f"every kind needs an es and an en injection; missing {sorted(missing)}")
        return self


def injections_path() -> Path:
    """evals/injections.yaml beside the package."""
    return Path(__file__).resolve().parent.parent.parent / "evals" / "injections.yaml"


@cache
def load_injections(path: Path | None = None) -> list[Injection]:
    """The validated library (a ContentError names the file and key)."""
    return list(load_model(path or injections_path(), InjectionLibrary).injections)


def injections_for(language: Language, path: Path | None = None) -> list[Injection]:
    """The injections written in `language` (hidden ones included)."""
    return [i for i in load_injections(path) if i.language == language]


def inject(transcript: Transcript, injection: Injection, seed: int = 0) -> Perturbed | None:
    """The transcript with the injection appended to one agent turn (not the greeting when there
    are several), chosen by `seed`; family "adversarial", kind = injection.id."""
    edited = append_to_agent_turn(transcript, injection.rendered(), random.Random(seed), injection.id)
    return Perturbed("adversarial", injection.id, edited) if edited else None
