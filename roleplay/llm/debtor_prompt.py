"""The LLM debtor's system prompt: a template per language (prompts/llm/debtor.<lang>.yaml) rendered
from the persona. Pure functions; a placeholder the template uses but we do not provide is an error."""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from roleplay import content
from roleplay.acts import AGENT_ACTS
from roleplay.dialogue.call_dynamics import format_money
from roleplay.domain import Language, Persona

SYSTEM_FIELDS = frozenset(
    {
        "name", "creditor", "amount", "product", "days_overdue", "cause", "monthly", "lump_sum",
        "next_income_sentence", "temperament", "hidden_facts", "closed_by", "hangup_patience", "agreements",
        "third_party_section", "canary",
    }
)  # fmt: skip
FACT_FIELDS = frozenset({"text", "earned_by", "trust"})


class TemplateError(content.ContentError):
    """A debtor template uses a placeholder that is not provided."""


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


class DebtorTemplate(BaseModel):
    """prompts/llm/debtor.<lang>.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    language: Language
    system: str = Field(min_length=1)
    fact_line: str
    third_party: str
    next_income: str
    joiner: str
    trust_levels: tuple[str, str, str]
    acts: dict[str, str]
    break_character: list[str] = Field(min_length=1, description="phrases that mean the reply left the role")

    @model_validator(mode="after")
    def _known_fields(self) -> DebtorTemplate:
        checks = [
            ("system", self.system, SYSTEM_FIELDS),
            ("fact_line", self.fact_line, FACT_FIELDS),
            ("third_party", self.third_party, {"name", "third_party"}),
            ("next_income", self.next_income, {"next_income"}),
        ]
        for key, template, allowed in checks:
            unknown = placeholders(template) - allowed
            if unknown:
                raise ValueError(f"{key} uses unknown placeholders {sorted(unknown)}")
        missing = sorted(a.value for a in AGENT_ACTS if a.value not in self.acts)
        if missing:
            raise ValueError(f"acts has no words for {missing}")
        return self


def template_path(language: Language) -> Path:
    return content.prompts_dir() / "llm" / f"debtor.{language}.yaml"


@cache
def load_template(language: Language) -> DebtorTemplate:
    template = content.load_model(template_path(language), DebtorTemplate)
    if template.language != language:
        raise content.ContentError(f"{template_path(language)}: key 'language': expected '{language}'")
    return template


def fill(template: str, values: Mapping[str, object], where: str) -> str:
    """`template.format_map(values)`, failing loudly (TemplateError) on a missing placeholder."""
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError) as exc:
        raise TemplateError(f"{where}: cannot fill the template: missing {exc}") from exc


def _trust_words(template: DebtorTemplate, min_trust: float) -> str:
    low, middle, high = template.trust_levels
    return low if min_trust < 0.34 else middle if min_trust < 0.67 else high


def _acts_words(template: DebtorTemplate, acts: list[str]) -> str:
    return template.joiner.join(template.acts.get(act, act) for act in acts)


def hidden_facts_block(template: DebtorTemplate, persona: Persona) -> str:
    lines = [
        fill(
            template.fact_line,
            {
                "text": fact.text.get(template.language),
                "earned_by": _acts_words(template, fact.earned_by),
                "trust": _trust_words(template, fact.min_trust),
            },
            f"{template.version} fact_line",
        )
        for fact in persona.hidden_facts
    ]
    return "\n".join(lines)


def _third_party_section(template: DebtorTemplate, persona: Persona) -> str:
    if not persona.answered_by_third_party or persona.third_party is None:
        return ""
    values = {"name": persona.name, "third_party": persona.third_party.get(template.language)}
    return fill(template.third_party, values, f"{template.version} third_party") + "\n"


def prompt_values(template: DebtorTemplate, persona: Persona, canary: str) -> dict[str, object]:
    """Every value the system template may use, in the template's language."""
    language = template.language

    def money(amount: float) -> str:
        return format_money(amount, persona.debt.currency, language)

    next_income = {"next_income": persona.capacity.next_income.get(language)}
    return {
        "name": persona.name,
        "creditor": persona.debt.creditor,
        "amount": money(persona.debt.amount),
        "product": persona.debt.product.get(language),
        "days_overdue": persona.debt.days_overdue,
        "cause": persona.cause.get(language).strip(),
        "monthly": money(persona.capacity.monthly),
        "lump_sum": money(persona.capacity.lump_sum),
        "next_income_sentence": fill(template.next_income, next_income, f"{template.version} next_income"),
        "temperament": persona.temperament.get(language).strip(),
        "hidden_facts": hidden_facts_block(template, persona),
        "closed_by": _acts_words(template, persona.closed_by),
        "hangup_patience": persona.hangup_patience,
        "agreements": "\n".join(f"- {a.description.get(language)}" for a in persona.accepts),
        "third_party_section": _third_party_section(template, persona),
        "canary": canary,
    }


def render_system_prompt(template: DebtorTemplate, persona: Persona, canary: str) -> str:
    """The debtor's system prompt for `persona` in the template's language, carrying `canary`."""
    return fill(template.system, prompt_values(template, persona, canary), f"{template.version} system")
