"""The conversation as chat messages and the live trust/mood indicator (every text escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from roleplay.domain import Language, Role
from roleplay.protocols import CallState
from roleplay.services.practice import TurnView
from roleplay.ui.labels import UiLabels

ChatMessage = dict[str, str]
_CHAT_ROLE: dict[Role, str] = {"agent": "user", "debtor": "assistant"}


def chat_message(role: Role, text: str) -> ChatMessage:
    """A Chatbot message whose text is shown as text: HTML in it is escaped, never rendered."""
    return {"role": _CHAT_ROLE[role], "content": escape(text)}


def chat_messages(turns: Sequence[TurnView]) -> list[ChatMessage]:
    return [chat_message(turn.role, turn.text) for turn in turns]


def trust_indicator_html(state: CallState | None, labels: UiLabels, language: Language) -> str:
    """A bar with the debtor's trust as a percentage, and the mood word."""
    if state is None:
        return ""
    percent = round(state.trust * 100)
    return (
        f'<div class="rp-indicator" data-mood="{escape(state.mood)}">'
        f'<div class="rp-indicator-label">{escape(labels.text("trust", language))}: <b>{percent}%</b></div>'
        f'<div class="rp-bar"><div class="rp-bar-fill" style="width:{percent}%"></div></div>'
        f'<div class="rp-indicator-label">{escape(labels.text("mood", language))}: '
        f'<b class="rp-mood">{escape(labels.mood_word(state.mood, language))}</b></div></div>'
    )


def end_notice(state: CallState | None, labels: UiLabels, language: Language) -> str:
    """'The call has ended: agreement closed.' or '' while the call goes on."""
    if state is None or not state.ended or state.end_reason is None:
        return ""
    return labels.text("call_ended", language, reason=labels.end_reason_text(state.end_reason, language))
