"""HTML of the review workspace, built with html.escape (no gradio here): the transcript with one
criterion's evidence quotes inside <mark>, the rationale, the flags, the usage/cost and the
grader-vs-trainer table. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from roleplay.domain import Grade
from roleplay.services.practice import TurnView, UsageView
from roleplay.services.review import CriterionComparison

Span = tuple[int, int]


def quote_spans(text: str, quote: str) -> list[Span]:
    """Where `quote` occurs in `text`, ignoring case and differences in whitespace."""
    words = quote.strip(" .…\"'").split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words), re.IGNORECASE)
    return [match.span() for match in pattern.finditer(text)]


def _merged(spans: Sequence[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlighted(text: str, quotes: Sequence[str]) -> str:
    """`text` escaped, with every occurrence of each quote wrapped in <mark>."""
    spans = _merged([span for quote in quotes for span in quote_spans(text, quote)])
    parts: list[str] = []
    cursor = 0
    for start, end in spans:
        parts += [escape(text[cursor:start]), f"<mark>{escape(text[start:end])}</mark>"]
        cursor = end
    return "".join(parts) + escape(text[cursor:])


def evidence_by_turn(grade: Grade | None, criterion: str | None) -> dict[int, list[str]]:
    """The selected criterion's (or flag's) quotes per turn index."""
    if grade is None or not criterion:
        return {}
    found = [c.evidence for c in grade.criteria if c.id == criterion]
    found += [f.evidence for f in [*grade.flags, *grade.integrity_flags] if f.id == criterion]
    quotes: dict[int, list[str]] = {}
    for evidence in (e for group in found for e in group):
        quotes.setdefault(evidence.turn, []).append(evidence.quote)
    return quotes


def transcript_html(
    turns: Sequence[TurnView], grade: Grade | None, criterion: str | None, speakers: dict[str, str]
) -> str:
    """The call, one line per turn; the selected criterion's quotes marked."""
    quotes = evidence_by_turn(grade, criterion)
    complete = [turn for turn in turns if turn.status == "complete"]
    lines = [
        f'<div class="rp-turn rp-{turn.role}"><b>{escape(speakers[turn.role])}:</b> '
        f"{highlighted(turn.text, quotes.get(index, []))}</div>"
        for index, turn in enumerate(complete)
    ]
    return f'<div class="rp-review-transcript">{"".join(lines)}</div>'


def rationale_html(grade: Grade | None, criterion: str | None) -> str:
    chosen = next((c for c in grade.criteria if c.id == criterion), None) if grade else None
    if chosen is None:
        return ""
    return f'<div class="rp-rationale"><b>{escape(chosen.id)} · {chosen.score}/5</b> {escape(chosen.rationale)}</div>'


def flags_html(grade: Grade | None, none_text: str) -> str:
    """Compliance and integrity flags (grader_manipulation among them), with their notes."""
    if grade is None:
        return ""
    flags = [*grade.flags, *grade.integrity_flags]
    if not flags:
        return f'<div class="rp-flags">{escape(none_text)}</div>'
    items = "".join(f"<li><b>{escape(f.id)}</b> {escape(f.note)}</li>" for f in flags)
    return f'<ul class="rp-flags">{items}</ul>'


def usage_html(usage: Sequence[UsageView]) -> str:
    rows = "".join(
        f"<tr><td>{escape(u.purpose)}</td><td>{escape(u.model)}</td><td>{u.calls}</td>"
        f"<td>{u.prompt_tokens}</td><td>{u.completion_tokens}</td>"
        f"<td>{'—' if u.cost_usd is None else f'${u.cost_usd:.4f}'}</td></tr>"
        for u in usage
    )
    head = "<tr><th></th><th>model</th><th>calls</th><th>prompt</th><th>completion</th><th>USD</th></tr>"
    return f'<table class="rp-usage">{head}{rows}</table>' if usage else ""


def comparison_html(rows: Sequence[CriterionComparison], headers: Sequence[str]) -> str:
    """Criterion | grader | trainer | difference, side by side."""

    def cell(value: int | None, signed: bool = False) -> str:
        return "—" if value is None else (f"{value:+d}" if signed else str(value))

    body = "".join(
        f"<tr><td>{r.id}</td><td>{cell(r.grader)}</td><td>{cell(r.trainer)}</td>"
        f"<td>{cell(r.difference, signed=True)}</td></tr>"
        for r in rows
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f'<table class="rp-comparison" id="comparison-table"><tr>{head}</tr>{body}</table>'
