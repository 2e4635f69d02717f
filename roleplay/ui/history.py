"""'My sessions': the trainee's past calls as table rows, and their points for the quadrant chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from roleplay.domain import Language, Rubric
from roleplay.services.practice import SessionSummary
from roleplay.ui.labels import UiLabels

COLUMNS = (
    "col_date",
    "col_persona",
    "col_language",
    "col_mode",
    "col_status",
    "col_turns",
    "col_overall",
    "col_hard",
    "col_soft",
    "col_quadrant",
)
Cell = str | int | float


def session_headers(labels: UiLabels, language: Language) -> list[str]:
    return [labels.text(column, language) for column in COLUMNS]


def _score(value: float | None) -> Cell:
    return "" if value is None else round(value, 2)


def session_row(
    summary: SessionSummary, names: Mapping[str, str], rubric: Rubric, labels: UiLabels, language: Language
) -> list[Cell]:
    """One call as a row; mode, status and quadrant in `language`."""
    quadrant = ""
    if summary.quadrant in rubric.quadrant.labels:
        quadrant = rubric.quadrant.labels[summary.quadrant].get(language)
    created = summary.created_at.strftime("%Y-%m-%d %H:%M") if summary.created_at else ""
    return [
        created,
        names.get(summary.persona_id, summary.persona_id),
        summary.language,
        labels.text(f"mode_name_{summary.mode}", language),
        labels.text(f"status_{summary.status}", language),
        summary.turns,
        _score(summary.overall),
        _score(summary.hard),
        _score(summary.soft),
        quadrant,
    ]


def session_rows(
    summaries: Sequence[SessionSummary], names: Mapping[str, str], rubric: Rubric, labels: UiLabels, language: Language
) -> list[list[Cell]]:
    return [session_row(summary, names, rubric, labels, language) for summary in summaries]


def past_points(summaries: Sequence[SessionSummary], exclude_id: str | None) -> list[tuple[float, float]]:
    """(hard, soft) of every graded past call except `exclude_id`."""
    return [(s.hard, s.soft) for s in summaries if s.id != exclude_id and s.hard is not None and s.soft is not None]
