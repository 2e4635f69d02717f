"""What each page handler returns: plain values, no gradio (the page turns them into updates)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from roleplay.domain import Language
from roleplay.services.practice import Mode
from roleplay.ui.chat import ChatMessage
from roleplay.ui.history import Cell

if TYPE_CHECKING:
    from matplotlib.figure import Figure
else:
    Figure = Any


@dataclass(frozen=True)
class PickerView:
    """The persona picker in one language."""

    choices: list[tuple[str, str]]
    selected: str | None
    cards_html: str


@dataclass(frozen=True)
class CallView:
    """The conversation area after an event.

    `message` is what stays in the message box (kept when a message is refused, so nothing is lost);
    `input_open` enables the box, send and hang-up; the trust indicator shows only in training;
    `retry` shows the "Retry reply" button (the last agent turn is stored but has no reply yet).
    """

    session_id: str | None
    chat: list[ChatMessage]
    message: str = ""
    input_open: bool = False
    training: bool = False
    indicator: str = ""
    notice: str = ""
    ended: bool = False
    retry: bool = False


@dataclass(frozen=True)
class ScorecardView:
    """The scorecard of an ended call; `retry` shows the grade-again button (grading failed)."""

    visible: bool
    summary: str = ""
    criteria_chart: Figure | None = None
    quadrant_chart: Figure | None = None
    details: str = ""
    feedback: str = ""
    transcript_file: str | None = None
    grade_file: str | None = None
    notice: str = ""
    retry: bool = False


@dataclass(frozen=True)
class SessionTable:
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass(frozen=True)
class RestoredCall:
    """An unfinished call found after a page reload, with the pickers set to match it."""

    call: CallView
    language: Language
    persona_id: str
    mode: Mode
