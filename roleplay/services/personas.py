"""Persona cards for the picker (UI, API, CLI), in the chosen language."""

from __future__ import annotations

from roleplay.content import personas
from roleplay.domain import Language, Persona
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


def debt_line(persona: Persona, language: Language) -> str:
    debt = persona.debt
    overdue = f"{debt.days_overdue} días de retraso" if language == "es" else f"{debt.days_overdue} days overdue"
    money = format_money(debt.amount, debt.currency, language)
    return f"{money} · {debt.creditor} · {debt.product.get(language)} · {overdue}"


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
