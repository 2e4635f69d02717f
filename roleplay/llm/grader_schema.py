"""The structured reply the LLM grader must give, as a pydantic model sent as a strict JSON schema.

Field order matters for generation: each criterion lists its evidence first, then the rationale,
then the score (an enum 1-5), so the score is written after the model has cited the transcript.
Parsing is strict (`model_validate_json`): anything else is a `ReplyInvalid` with a short reason.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from langchain_core.utils.function_calling import convert_to_openai_function
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from roleplay.domain import CriterionId, FlagId

SCHEMA_NAME = "CallGrade"
MAX_ERRORS_SHOWN = 5
_FENCE = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.DOTALL)


class _Reply(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuoteClaim(_Reply):
    turn: int = Field(description="index of the AGENT turn quoted (the number in square brackets)")
    quote: str = Field(description="words copied exactly from that turn")


class CriterionClaim(_Reply):
    evidence: list[QuoteClaim] = Field(description="quotes from agent turns, written before the rationale")
    rationale: str
    score: Literal[1, 2, 3, 4, 5]


class CriteriaClaims(_Reply):
    P1: CriterionClaim
    P2: CriterionClaim
    P3: CriterionClaim
    P4: CriterionClaim
    P5: CriterionClaim
    S1: CriterionClaim
    S2: CriterionClaim
    S3: CriterionClaim
    S4: CriterionClaim
    S5: CriterionClaim

    def of(self, criterion: CriterionId) -> CriterionClaim:
        claim: CriterionClaim = getattr(self, criterion)
        return claim


class FlagClaim(_Reply):
    id: FlagId
    evidence: list[QuoteClaim]
    note: str


class StrengthClaim(_Reply):
    criterion: CriterionId
    text: str


class ImprovementClaim(_Reply):
    criterion: CriterionId
    text: str
    example: str = Field(description="a sentence the trainee could have said instead")


class FeedbackClaims(_Reply):
    strengths: list[StrengthClaim] = Field(description="exactly 2")
    improvements: list[ImprovementClaim] = Field(description="exactly 3")


class GraderReply(_Reply):
    """One grading of a call: ten criteria with evidence, compliance flags, feedback."""

    criteria: CriteriaClaims
    flags: list[FlagClaim]
    feedback: FeedbackClaims


class ReplyInvalid(Exception):
    """The model's reply is unusable (not JSON, wrong shape, out-of-range score, refused, cut off)."""


def response_format() -> dict[str, Any]:
    """`response_format` for chat completions: GraderReply as a strict json_schema."""
    function = convert_to_openai_function(GraderReply, strict=True)
    schema = {"name": SCHEMA_NAME, "description": function["description"], "schema": function["parameters"]}
    return {"type": "json_schema", "json_schema": {**schema, "strict": True}}


def _describe(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    shown = [f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}" for e in errors[:MAX_ERRORS_SHOWN]]
    more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
    return "; ".join(shown) + more


def unfenced(content: str) -> str:
    """The JSON inside a Markdown code fence (servers that ignore `strict` sometimes add one)."""
    match = _FENCE.fullmatch(content.strip())
    return match.group(1) if match else content


def parse_reply(content: str) -> GraderReply:
    """The reply as a GraderReply, or ReplyInvalid saying what is wrong."""
    if not content.strip():
        raise ReplyInvalid("the reply was empty")
    try:
        return GraderReply.model_validate_json(unfenced(content))
    except ValidationError as exc:
        raise ReplyInvalid(f"the reply does not match the schema: {_describe(exc)}") from exc
