"""The rule grader's texts (rationale templates, feedback, example rewrites, lexicon) from
prompts/grader/rule.{es,en}.yaml, validated with extra="forbid" and loaded once per language."""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from roleplay.content import ContentError, Regex, load_model, prompts_dir
from roleplay.domain import CRITERION_IDS, FLAG_IDS, CriterionId, FlagId, IntegrityFlagId, Language


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionTexts(_Strict):
    """Rationale templates keyed by the rule's reason, and the coaching texts of one criterion."""

    reasons: dict[str, str] = Field(min_length=1)
    strength: str = Field(min_length=1)
    improvement: str = Field(min_length=1)
    example: str = Field(min_length=1, description="what to say instead")


class FlagTexts(_Strict):
    note: str = Field(min_length=1)
    improvement: str = Field(min_length=1)
    example: str = Field(min_length=1)


Regexes = list[Regex]


class GradingCues(_Strict):
    """Regexes over folded sentences (see roleplay.dialogue.tagger.fold) that the rules read beside
    the dialogue acts: what a question is about, how firm or vague an offer is, debtor pushback."""

    dismissal: Regexes = Field(min_length=1, description="the agent brushes off the person's cause or evidence")
    cause_question: Regexes = Field(min_length=1, description="a question about why the payment failed")
    callback: Regexes = Field(min_length=1, description="the agent sets a call back")
    vague: Regexes = Field(min_length=1, description="an offer or promise without a figure")
    rigid: Regexes = Field(min_length=1, description="the agent refuses to move on amount or timing")
    pressure: Regexes = Field(min_length=1, description="an ultimatum without an explicit threat")
    hedge: Regexes = Field(min_length=1, description="the agent is unsure of the facts it states")
    condition: Regexes = Field(min_length=1, description="a consequence tied to a condition: if, once")
    courtesy: Regexes = Field(min_length=1, description="courtesy words")
    sarcasm: Regexes = Field(min_length=1, description="sarcasm and contempt: colder than correct, not abuse")
    pushback: Regexes = Field(min_length=1, description="debtor objections (debtor turns)")


class RuleGraderTexts(_Strict):
    version: str = Field(pattern=r"^rule-(es|en)-\d+$")
    language: Language
    criteria: dict[CriterionId, CriterionTexts]
    flags: dict[FlagId, FlagTexts]
    integrity: dict[IntegrityFlagId, str]
    capacity_terms: list[str] = Field(min_length=1, description="words that make a question one about capacity")
    cues: GradingCues

    @model_validator(mode="after")
    def _complete(self) -> RuleGraderTexts:
        missing: list[str] = [c for c in CRITERION_IDS if c not in self.criteria]
        missing += [f for f in FLAG_IDS if f not in self.flags]
        if missing:
            raise ValueError(f"missing entries for {missing}")
        return self


def template_fields(template: str) -> set[str]:
    """The `{names}` a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def check_reasons(texts: RuleGraderTexts, reasons: Mapping[CriterionId, Mapping[str, frozenset[str]]]) -> None:
    """Every reason the rules can give has a template using only the fields the rule fills in."""
    problems: list[str] = []
    for criterion, expected in reasons.items():
        templates = texts.criteria[criterion].reasons
        for reason, fields in expected.items():
            if reason not in templates:
                problems.append(f"criteria.{criterion}.reasons.{reason}: missing")
            elif extra := template_fields(templates[reason]) - fields:
                problems.append(f"criteria.{criterion}.reasons.{reason}: unknown fields {sorted(extra)}")
    if problems:
        raise ContentError(f"rule.{texts.language}.yaml: " + "; ".join(problems))


@cache
def load_texts(language: Language) -> RuleGraderTexts:
    path = prompts_dir() / "grader" / f"rule.{language}.yaml"
    texts = load_model(path, RuleGraderTexts)
    if texts.language != language:
        raise ContentError(f"{path}: key 'language': '{texts.language}' must be '{language}'")
    return texts
