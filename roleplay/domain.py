"""Domain types shared by every part of the product.

Pure pydantic models: this module imports no other module of the project and no I/O library.
The transcript interchange format and the grade JSON follow ../shared/DESIGN.md.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Language = Literal["es", "en"]
LANGUAGES: tuple[Language, ...] = ("es", "en")
Role = Literal["agent", "debtor"]
Quadrant = Literal["target", "submissive", "adversarial", "ineffective"]
CriterionId = Literal["P1", "P2", "P3", "P4", "P5", "S1", "S2", "S3", "S4", "S5"]
CRITERION_IDS: tuple[CriterionId, ...] = ("P1", "P2", "P3", "P4", "P5", "S1", "S2", "S3", "S4", "S5")
HARD_IDS: tuple[CriterionId, ...] = ("P1", "P2", "P3", "P4", "P5")
SOFT_IDS: tuple[CriterionId, ...] = ("S1", "S2", "S3", "S4", "S5")
FlagId = Literal[
    "threat_of_illegal_or_unintended_action",
    "abusive_language",
    "false_representation",
    "third_party_disclosure",
    "no_identity_check",
]
FLAG_IDS: tuple[FlagId, ...] = (
    "threat_of_illegal_or_unintended_action",
    "abusive_language",
    "false_representation",
    "third_party_disclosure",
    "no_identity_check",
)
IntegrityFlagId = Literal["grader_manipulation"]
Score = Annotated[int, Field(ge=1, le=5)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalText(_Strict):
    """A text in both product languages."""

    es: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: Language) -> str:
        return self.es if language == "es" else self.en


# --------------------------------------------------------------------------- transcripts


class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Role
    text: str


class Transcript(BaseModel):
    """A call: `{"id", "language", "persona_id", "turns": [{"role", "text"}]}`; extra keys ignored."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    language: Language
    persona_id: str | None = None
    turns: list[Turn]

    def agent_turn_indices(self) -> list[int]:
        return [i for i, t in enumerate(self.turns) if t.role == "agent"]


# --------------------------------------------------------------------------- rubric


class Anchors(_Strict):
    one: LocalText = Field(alias="1")
    three: LocalText = Field(alias="3")
    five: LocalText = Field(alias="5")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Criterion(_Strict):
    id: CriterionId
    key: str = Field(pattern=r"^[a-z_]+$")
    axis: Literal["hard", "soft"]
    title: LocalText
    description: LocalText
    anchors: Anchors


class ComplianceFlag(_Strict):
    """A compliance flag definition from the rubric."""

    id: FlagId
    title: LocalText
    description: LocalText


class QuadrantRule(_Strict):
    threshold: float = Field(ge=1, le=5)
    labels: dict[Quadrant, LocalText]


class Rubric(_Strict):
    version: str
    criteria: list[Criterion]
    quadrant: QuadrantRule
    flags: list[ComplianceFlag]

    @model_validator(mode="after")
    def _complete(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        if sorted(ids) != sorted(CRITERION_IDS):
            raise ValueError(f"criteria must be exactly {list(CRITERION_IDS)}, got {ids}")
        flag_ids = [f.id for f in self.flags]
        if sorted(flag_ids) != sorted(FLAG_IDS):
            raise ValueError(f"flags must be exactly {list(FLAG_IDS)}, got {flag_ids}")
        for c in self.criteria:
            if (c.axis == "hard") != c.id.startswith("P"):
                raise ValueError(f"criterion {c.id} has the wrong axis {c.axis}")
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)


# --------------------------------------------------------------------------- grades


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    turn: int = Field(ge=0, description="index into transcript.turns")
    quote: str = Field(min_length=1)


class CriterionScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: CriterionId
    score: Score
    rationale: str
    evidence: list[Evidence] = Field(default_factory=list)
    low_confidence: bool = False


class FlagFinding(BaseModel):
    """A compliance or integrity flag raised on one call, with its evidence."""

    model_config = ConfigDict(extra="forbid")

    id: FlagId | IntegrityFlagId
    evidence: list[Evidence] = Field(default_factory=list)
    note: str = ""


class FeedbackItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    criterion: CriterionId
    text: str
    example: str | None = None


class Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strengths: list[FeedbackItem] = Field(default_factory=list)
    improvements: list[FeedbackItem] = Field(default_factory=list)


class Summary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    hard: float
    soft: float
    overall: float
    quadrant: Quadrant


class TokenUsage(BaseModel):
    """Tokens one model call (or several, summed) used."""

    model_config = ConfigDict(extra="forbid")

    model: str
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    calls: int = Field(default=1, ge=0)


class Grade(BaseModel):
    """Grade JSON: `id` first, then the keys of DESIGN.md, then audit fields."""

    model_config = ConfigDict(extra="forbid")

    id: str
    scores: dict[CriterionId, Score]
    hard: float
    soft: float
    overall: float
    quadrant: Quadrant
    flags: list[FlagFinding] = Field(default_factory=list)
    criteria: list[CriterionScore]
    feedback: Feedback
    integrity_flags: list[FlagFinding] = Field(default_factory=list)
    passed: bool = True
    language: Language
    grader: str
    grader_version: str
    rubric_version: str
    prompt_version: str | None = None
    samples: int = Field(default=1, ge=1, description="gradings combined (per-criterion median)")
    disagreement: dict[CriterionId, int] = Field(
        default_factory=dict, description="per criterion, max minus min score across samples"
    )
    dropped_quotes: int = Field(default=0, ge=0, description="evidence quotes not found in the transcript")
    usage: TokenUsage | None = None

    @field_validator("criteria")
    @classmethod
    def _all_criteria(cls, value: list[CriterionScore]) -> list[CriterionScore]:
        ids = [c.id for c in value]
        if ids != list(CRITERION_IDS):
            raise ValueError(f"criteria must be listed in order {list(CRITERION_IDS)}, got {ids}")
        return value

    def flag_ids(self) -> list[str]:
        return [f.id for f in self.flags]


# --------------------------------------------------------------------------- personas


class Debt(_Strict):
    creditor: str
    product: LocalText
    amount: float = Field(gt=0)
    currency: Literal["EUR", "USD", "GBP", "MXN"]
    days_overdue: int = Field(ge=0)


class Capacity(_Strict):
    """What the debtor can really pay."""

    monthly: float = Field(ge=0, description="largest monthly instalment they can sustain")
    lump_sum: float = Field(ge=0, description="what they could pay at once now")
    next_income: LocalText = Field(description="when money next comes in, in words")


class HiddenFact(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: LocalText = Field(description="what the debtor says when disclosing it")
    earned_by: list[str] = Field(min_length=1, description="agent acts that can earn it")
    min_trust: float = Field(ge=0, le=1)


class Agreement(_Strict):
    kind: Literal["full_payment", "instalments", "partial_payment", "callback", "dispute_review"]
    description: LocalText


class Persona(_Strict):
    version: str
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    archetype: str
    difficulty: Literal[1, 2, 3]
    vulnerable: bool = False
    summary: LocalText
    debt: Debt
    cause: LocalText
    capacity: Capacity
    temperament: LocalText
    initial_trust: float = Field(ge=0, le=1)
    hangup_patience: int = Field(ge=1, le=5, description="hostile acts tolerated before hanging up")
    hidden_facts: list[HiddenFact] = Field(min_length=1)
    closed_by: list[str] = Field(min_length=1, description="agent acts that close the debtor up")
    accepts: list[Agreement] = Field(min_length=1)
    opening: LocalText
    answered_by_third_party: bool = False
    third_party: LocalText | None = None

    @model_validator(mode="after")
    def _third_party(self) -> Persona:
        if self.answered_by_third_party and self.third_party is None:
            raise ValueError("answered_by_third_party needs a third_party description")
        return self
