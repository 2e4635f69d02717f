"""Persona cards for the picker: choice labels and an HTML card grid (every text escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from roleplay.domain import Language
from roleplay.services.practice import PersonaCard
from roleplay.ui.labels import UiLabels

MAX_DIFFICULTY = 3


def difficulty_stars(difficulty: int) -> str:
    """2 -> '★★☆'."""
    filled = max(0, min(difficulty, MAX_DIFFICULTY))
    return "★" * filled + "☆" * (MAX_DIFFICULTY - filled)


def choice_label(card: PersonaCard, labels: UiLabels, language: Language) -> str:
    """'Lucy Grant ★☆☆ · vulnerable' (plain text: the radio renders it as text)."""
    marker = f" · ⚠ {labels.text('vulnerable', language)}" if card.vulnerable else ""
    return f"{card.name} {difficulty_stars(card.difficulty)}{marker}"


def persona_choices(cards: Sequence[PersonaCard], labels: UiLabels, language: Language) -> list[tuple[str, str]]:
    return [(choice_label(card, labels, language), card.id) for card in cards]


def _card_html(card: PersonaCard, selected: bool, labels: UiLabels, language: Language) -> str:
    vulnerable = (
        f'<span class="rp-badge rp-vulnerable">⚠ {escape(labels.text("vulnerable", language))}</span>'
        if card.vulnerable
        else ""
    )
    stars = escape(difficulty_stars(card.difficulty))
    difficulty = escape(labels.text("difficulty", language))
    return (
        f'<div class="rp-card{" rp-selected" if selected else ""}" data-persona="{escape(card.id)}">'
        f'<div class="rp-card-head"><strong>{escape(card.name)}</strong>'
        f'<span class="rp-stars" title="{difficulty}">{stars}</span>{vulnerable}</div>'
        f'<div class="rp-debt">{escape(card.debt)}</div>'
        f'<div class="rp-summary">{escape(card.summary)}</div></div>'
    )


def persona_cards_html(
    cards: Sequence[PersonaCard], selected_id: str | None, labels: UiLabels, language: Language
) -> str:
    """All persona cards in a grid, the selected one highlighted."""
    inner = "".join(_card_html(card, card.id == selected_id, labels, language) for card in cards)
    return f'<div class="rp-cards">{inner}</div>'
