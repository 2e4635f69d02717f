"""Persona cards for the picker (UI, API, CLI), in the chosen language."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict

from roleplay.content import load_model, personas, prompts_dir
from roleplay.domain import Language, LocalText, Persona
from roleplay.services.practice import PersonaCard

_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "MXN": "MX$"}


def format_money(amount: float, currency: str, language: Language) -> str:
    """1240.5 EUR -> '1.240,50 €' (es) or '€1,240.50' (en)."""
    symbol = _SYMBOLS.get(currency, currency)
    english = f"{amount:,.2f}"
    if language == "en":
        return f"{symbol}{english}"
    spanish = english.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{spanish} {symbol}"


class CardTexts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    debt_line: LocalText


@cache
def _card_texts() -> CardTexts:
    return load_model(prompts_dir() / "cards.yaml", CardTexts)


def debt_line(persona: Persona, language: Language) -> str:
    debt = persona.debt
    return (
        _card_texts()
        .debt_line.get(language)
        .format(
            amount=format_money(debt.amount, debt.currency, language),
            creditor=debt.creditor,
            product=debt.product.get(language),
            days=debt.days_overdue,
        )
    )


def persona_card(persona: Persona, language: Language) -> PersonaCard:
    return PersonaCard(
        id=persona.id,
        name=persona.name,
        archetype=persona.archetype,
        difficulty=persona.difficulty,
        vulnerable=persona.vulnerable,
        summary=persona.summary.get(language),
        debt=debt_line(persona, language),
    )


def persona_cards(language: Language) -> list[PersonaCard]:
    """Every persona, easiest first."""
    cards = [persona_card(p, language) for p in personas().values()]
    return sorted(cards, key=lambda card: (card.difficulty, card.id))
