"""Evaluation suites (evals/suites/*.yaml): which datasets, which grader configuration(s), how many
repeats, which checks run, and the thresholds that make a run fail.

A suite file is validated with extra="forbid"; dataset paths are relative to the suite file.
`roleplay eval run --dataset FILE ...` builds the same `Suite` from its options (`suite_from_options`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from roleplay.content import load_model
from roleplay.evals.records import FAMILIES, Family

BackendName = Literal["offline", "openai"]
NAME_PATTERN = r"^[A-Za-z0-9_.-]+$"


class GraderConfig(BaseModel):
    """One grader configuration. For `offline`, model/prompt_version/samples are ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, pattern=NAME_PATTERN, description="run sub-folder; default from the rest")
    backend: BackendName = "offline"
    model: str | None = Field(default=None, description="default: ROLEPLAY_GRADER_MODEL")
    prompt_version: str | None = Field(default=None, description="grader prompt version; default: the current one")
    samples: int = Field(default=1, ge=1, le=15, description="gradings combined into one grade (LLM)")
    temperature: float | None = Field(default=None, ge=0, le=2)

    def label(self) -> str:
        if self.name:
            return self.name
        parts = [
            self.backend,
            self.model or "",
            self.prompt_version or "",
            f"s{self.samples}" if self.samples > 1 else "",
        ]
        return re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join(p for p in parts if p)) or self.backend


class Execution(BaseModel):
    """How the work is run: concurrency, rate limit, retries, cache, Batch API."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int = Field(default=8, ge=1, le=256)
    requests_per_minute: float | None = Field(default=None, gt=0, description="None: no limit")
    retries: int = Field(default=3, ge=0, le=10, description="attempts after a transient failure")
    backoff_seconds: float = Field(default=1.0, ge=0, description="first wait; doubles each retry")
    cache: bool = True
    batch: bool = False
    batch_poll_seconds: float = Field(default=30.0, gt=0)


class Suite(BaseModel):
    """A suite file (evals/suites/*.yaml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    datasets: list[Path] = Field(min_length=1)
    graders: list[GraderConfig] = Field(min_length=1)
    repeats: int = Field(default=3, ge=1, le=50, description="gradings of each transcript, as separate calls")
    checks: list[Family] = Field(default_factory=lambda: list(FAMILIES))
    thresholds: dict[str, float] = Field(default_factory=dict, description="dotted path into results -> limit")
    tolerance: int = Field(default=0, ge=0, le=4, description="invariance: allowed score change")
    injections_per_item: int | None = Field(default=None, ge=1, description="None: every injection of its language")
    limit: int | None = Field(default=None, ge=1, description="grade only the first N items")
    seed: int = 0
    bootstrap: int = Field(default=1000, ge=0)
    execution: Execution = Field(default_factory=Execution)

    @field_validator("checks")
    @classmethod
    def _unique_checks(cls, value: list[Family]) -> list[Family]:
        if len(set(value)) != len(value):
            raise ValueError("a check is listed twice")
        return value

    @field_validator("thresholds")
    @classmethod
    def _known_families(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = [k for k in value if k.split(".")[0] not in FAMILIES]
        if unknown:
            raise ValueError(f"thresholds must start with one of {list(FAMILIES)}: {unknown}")
        return value


def load_suite(path: Path) -> Suite:
    """Read and validate a suite; dataset paths become absolute (relative to the suite file)."""
    suite = load_model(path, Suite)
    base = path.resolve().parent
    return suite.model_copy(
        update={"datasets": [p if p.is_absolute() else (base / p).resolve() for p in suite.datasets]}
    )


def suite_from_options(
    dataset: Path,
    grader: GraderConfig,
    repeats: int,
    execution: Execution,
    limit: int | None = None,
) -> Suite:
    """The ad-hoc suite of `roleplay eval run --dataset FILE`: every check, no threshold."""
    return Suite(
        version="adhoc",
        name=re.sub(r"[^A-Za-z0-9_.-]+", "-", dataset.stem) or "dataset",
        datasets=[dataset],
        graders=[grader],
        repeats=repeats,
        execution=execution,
        limit=limit,
    )
