"""The scorecard as HTML: compliance banner, summary figures, rationale with evidence, feedback.

Every text that comes from the call, the grader or a content file is escaped with html.escape.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from roleplay.domain import Evidence, FeedbackItem, FlagFinding, Grade, Language, Rubric
from roleplay.ui.labels import UiLabels

_OPENING_QUOTES = ("«", '"', "“", "'", "‘")


def quoted(text: str) -> str:
    """«text», unless the text already comes in quotes."""
    return text if text.startswith(_OPENING_QUOTES) else f"«{text}»"


def fails_compliance(grade: Grade) -> bool:
    """A compliance flag fails the session whatever the score."""
    return bool(grade.flags) or not grade.passed


def _evidence_html(evidence: Sequence[Evidence], labels: UiLabels, language: Language) -> str:
    turn = escape(labels.text("turn", language))
    quotes = "".join(
        f'<li class="rp-quote"><span class="rp-turn">{turn} {item.turn}</span> «{escape(item.quote)}»</li>'
        for item in evidence
    )
    return f'<ul class="rp-evidence">{quotes}</ul>' if quotes else ""


def _flag_html(flag: FlagFinding, rubric: Rubric, labels: UiLabels, language: Language) -> str:
    known: dict[str, str] = {f.id: f.title.get(language) for f in rubric.flags}
    title = known.get(flag.id, flag.id)
    note = f" — {escape(flag.note)}" if flag.note else ""
    return f"<li><b>{escape(title)}</b>{note}{_evidence_html(flag.evidence, labels, language)}</li>"


def compliance_banner_html(grade: Grade, rubric: Rubric, labels: UiLabels, language: Language) -> str:
    """A red FAILED banner listing the flags, or a green line when there are none."""
    if not fails_compliance(grade):
        return f'<div class="rp-banner rp-pass">✔ {escape(labels.text("passed", language))}</div>'
    items = "".join(_flag_html(flag, rubric, labels, language) for flag in grade.flags)
    return (
        f'<div class="rp-banner rp-fail" role="alert"><div class="rp-fail-title">✖ '
        f"{escape(labels.text('failed_banner', language))}</div><ul>{items}</ul></div>"
    )


def _figure_html(name: str, value: str) -> str:
    return f'<div class="rp-figure"><div class="rp-figure-name">{escape(name)}</div><div>{escape(value)}</div></div>'


def summary_html(grade: Grade, rubric: Rubric, labels: UiLabels, language: Language) -> str:
    """Banner, then hard / soft / overall / quadrant, then integrity flags if any."""
    stance = rubric.quadrant.labels[grade.quadrant].get(language)
    figures = "".join(
        [
            _figure_html(labels.text("hard", language), f"{grade.hard:.2f}"),
            _figure_html(labels.text("soft", language), f"{grade.soft:.2f}"),
            _figure_html(labels.text("overall", language), f"{grade.overall:.2f}"),
            _figure_html(labels.text("quadrant", language), stance),
        ]
    )
    integrity = "".join(_flag_html(flag, rubric, labels, language) for flag in grade.integrity_flags)
    integrity_html = (
        f'<div class="rp-integrity"><b>{escape(labels.text("integrity", language))}</b><ul>{integrity}</ul></div>'
        if integrity
        else ""
    )
    banner = compliance_banner_html(grade, rubric, labels, language)
    return f'{banner}<div class="rp-figures">{figures}</div>{integrity_html}'


def criteria_details_html(grade: Grade, rubric: Rubric, labels: UiLabels, language: Language) -> str:
    """Each criterion: title, score, rationale and its evidence quotes."""
    rows = []
    for item in grade.criteria:
        title = rubric.criterion(item.id).title.get(language)
        low = f' <span class="rp-badge">{escape(labels.text("low_confidence", language))}</span>'
        rows.append(
            f'<div class="rp-criterion" data-criterion="{item.id}"><div class="rp-criterion-head">'
            f'<b>{item.id} · {escape(title)}</b> <span class="rp-score">{item.score}/5</span>'
            f"{low if item.low_confidence else ''}</div>"
            f'<div class="rp-rationale">{escape(item.rationale)}</div>'
            f"{_evidence_html(item.evidence, labels, language)}</div>"
        )
    heading = escape(labels.text("criteria_details", language))
    return f'<div class="rp-criteria"><h3>{heading}</h3>{"".join(rows)}</div>'


def _feedback_items(items: Sequence[FeedbackItem], labels: UiLabels, language: Language) -> str:
    try_saying = escape(labels.text("try_saying", language))
    return "".join(
        f"<li><b>{item.criterion}</b> {escape(item.text)}"
        + (f'<div class="rp-example">{try_saying}: {escape(quoted(item.example))}</div>' if item.example else "")
        + "</li>"
        for item in items
    )


def feedback_html(grade: Grade, labels: UiLabels, language: Language) -> str:
    """Strengths, then improvements with their example rewrites."""
    parts = []
    for key, items in (("strengths", grade.feedback.strengths), ("improvements", grade.feedback.improvements)):
        if items:
            heading = escape(labels.text(key, language))
            parts.append(f"<h3>{heading}</h3><ul>{_feedback_items(items, labels, language)}</ul>")
    return f'<div class="rp-feedback">{"".join(parts)}</div>'
