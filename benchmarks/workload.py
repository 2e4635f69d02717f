"""The benchmark workload (benchmarks/workload.yaml) and the transcripts built from the dev dataset."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from roleplay.content import load_model
from roleplay.domain import Language, Transcript, Turn

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEV_DATASET = REPO / "evals" / "datasets" / "dev.jsonl"


class Workload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    persona_id: str
    language: Language
    agent_lines: list[str] = Field(min_length=1)
    grading_rows: list[str] = Field(min_length=1)


@cache
def workload() -> Workload:
    return load_model(HERE / "workload.yaml", Workload)


def _dev_rows() -> dict[str, Transcript]:
    rows = [json.loads(line) for line in DEV_DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["id"]: Transcript.model_validate(row) for row in rows}


def long_transcript(turns: int) -> Transcript:
    """A call of exactly `turns` alternating turns (agent first), in the language of the first row."""
    rows = _dev_rows()
    chosen = [rows[row_id] for row_id in workload().grading_rows]
    language = chosen[0].language
    picked: list[Turn] = []
    for turn in (t for row in chosen if row.language == language for t in row.turns):
        expected = "agent" if len(picked) % 2 == 0 else "debtor"
        if turn.role == expected:
            picked.append(turn)
        if len(picked) == turns:
            return Transcript(id=f"bench-{turns}", language=language, persona_id=chosen[0].persona_id, turns=picked)
    raise ValueError(f"the grading rows of workload.yaml give fewer than {turns} alternating turns")
