"""Scorecard charts rendered on the server with matplotlib (no CDN, no browser-side library).

matplotlib is imported lazily, and figures are built with the object API (no pyplot state), so
charts can be drawn from several threads at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from roleplay.domain import Grade, Language, Quadrant, Rubric

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Point = tuple[float, float]  # (hard, soft)
HARD_COLOUR = "#2563eb"
SOFT_COLOUR = "#16a34a"
AXIS_MIN, AXIS_MAX = 1.0, 5.0
# Where each quadrant's stance is written: (x, y, horizontal alignment, vertical alignment).
_QUADRANT_TEXT: dict[Quadrant, tuple[float, float, str, str]] = {
    "target": (4.95, 4.95, "right", "top"),
    "submissive": (1.05, 4.95, "left", "top"),
    "adversarial": (4.95, 1.05, "right", "bottom"),
    "ineffective": (1.05, 1.05, "left", "bottom"),
}


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def criteria_chart(grade: Grade, rubric: Rubric, language: Language, title: str) -> Figure:
    """Horizontal bars, one per criterion (1-5), labelled 'P1 Debt clarity'."""
    figure = _figure(6.4, 4.2)
    axes = figure.add_subplot()
    names = [f"{c.id}  {rubric.criterion(c.id).title.get(language)}" for c in grade.criteria]
    scores = [c.score for c in grade.criteria]
    colours = [HARD_COLOUR if c.id.startswith("P") else SOFT_COLOUR for c in grade.criteria]
    positions = list(range(len(names)))
    axes.barh(positions, scores, color=colours)
    axes.set_yticks(positions, labels=names)
    axes.invert_yaxis()
    axes.set_xlim(0, AXIS_MAX)
    axes.set_xticks([1, 2, 3, 4, 5])
    for position, score in zip(positions, scores, strict=True):
        axes.text(score + 0.05, position, str(score), va="center", fontsize=9)
    axes.set_title(title, fontsize=11)
    axes.grid(axis="x", alpha=0.3)
    return figure


def _draw_quadrants(axes: Axes, rubric: Rubric, language: Language) -> None:
    threshold = rubric.quadrant.threshold
    axes.axvline(threshold, color="#6b7280", linestyle="--", linewidth=1)
    axes.axhline(threshold, color="#6b7280", linestyle="--", linewidth=1)
    for quadrant, (x, y, h_align, v_align) in _QUADRANT_TEXT.items():
        stance = rubric.quadrant.labels[quadrant].get(language)
        axes.text(x, y, stance, ha=h_align, va=v_align, fontsize=8, color="#374151", wrap=True)


def quadrant_chart(
    current: Point,
    past: Sequence[Point],
    rubric: Rubric,
    language: Language,
    texts: dict[str, str],
) -> Figure:
    """Hard (x) vs soft (y), 1-5, threshold lines, the four stances; past calls faded behind.

    `texts` holds the words of the chart: title, hard, soft, this_call, past_calls.
    """
    figure = _figure(5.2, 4.6)
    axes = figure.add_subplot()
    _draw_quadrants(axes, rubric, language)
    if past:
        axes.scatter(
            [p[0] for p in past],
            [p[1] for p in past],
            s=40,
            color="#9ca3af",
            alpha=0.35,
            label=texts["past_calls"],
            zorder=2,
        )
    axes.scatter(
        [current[0]], [current[1]], s=140, color="#dc2626", edgecolors="black", label=texts["this_call"], zorder=3
    )
    axes.set_xlim(AXIS_MIN, AXIS_MAX)
    axes.set_ylim(AXIS_MIN, AXIS_MAX)
    axes.set_xlabel(texts["hard"])
    axes.set_ylabel(texts["soft"])
    axes.set_title(texts["title"], fontsize=11)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=8, frameon=False)
    return figure
