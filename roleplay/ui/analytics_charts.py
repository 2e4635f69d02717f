"""Progress analytics as matplotlib figures (imported lazily, object API, no pyplot state): progress
over time per trainee, the criterion heatmap, the quadrant distribution, first-versus-best.

Pure functions of roleplay.services.analytics values; every word on a chart comes from `words`
(labels loaded from prompts/ui/*.yaml) or the rubric.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from roleplay.domain import Language, Quadrant, Rubric
from roleplay.services.analytics import Heatmap, Improvement, ProgressPoint
from roleplay.ui.charts import HARD_COLOUR, SOFT_COLOUR

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

OVERALL_COLOUR = "#111827"
QUADRANT_COLOURS: dict[Quadrant, str] = {
    "target": "#16a34a",
    "submissive": "#f59e0b",
    "adversarial": "#dc2626",
    "ineffective": "#6b7280",
}
SERIES = (("overall", OVERALL_COLOUR), ("hard", HARD_COLOUR), ("soft", SOFT_COLOUR))


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _score_axis(axes: Axes) -> None:
    axes.set_ylim(0.8, 5.2)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.grid(axis="y", alpha=0.3)


def progress_chart(progress: Mapping[str, Sequence[ProgressPoint]], words: Mapping[str, str]) -> Figure:
    """One panel per trainee: overall, hard and soft of each call in order (call 1, 2, ...)."""
    owners = list(progress) or [""]
    figure = _figure(6.4, 1.0 + 1.9 * len(owners))
    panels = figure.subplots(len(owners), 1, squeeze=False, sharex=True)
    for axes, owner in zip(panels[:, 0], owners, strict=True):
        points = progress.get(owner, [])
        calls = list(range(1, len(points) + 1))
        for key, colour in SERIES:
            values = [getattr(point, key) for point in points]
            axes.plot(calls, values, marker="o", color=colour, label=words[key], linewidth=1.6)
        axes.set_title(owner, fontsize=10, loc="left")
        _score_axis(axes)
    longest = max((len(points) for points in progress.values()), default=1)
    panels[-1, 0].set_xticks(range(1, longest + 1))
    panels[-1, 0].set_xlim(0.6, longest + 0.4)
    panels[-1, 0].set_xlabel(words["call_number"])
    panels[0, 0].legend(loc="lower right", fontsize=8, ncol=3, frameon=False)
    figure.suptitle(words["progress_title"], fontsize=11)
    return figure


def heatmap_chart(heatmap: Heatmap, words: Mapping[str, str]) -> Figure:
    """Trainees (rows) by criteria (columns), coloured by mean score 1-5, the value written in each cell."""
    rows = heatmap.means or [[0.0] * len(heatmap.criteria)]
    figure = _figure(6.4, 1.2 + 0.45 * len(rows))
    axes = figure.add_subplot()
    image = axes.imshow(rows, cmap="RdYlGn", vmin=1, vmax=5, aspect="auto")
    axes.set_xticks(range(len(heatmap.criteria)), labels=heatmap.criteria)
    axes.set_yticks(range(len(heatmap.trainees)), labels=heatmap.trainees)
    for row, values in enumerate(heatmap.means):
        for column, value in enumerate(values):
            axes.text(column, row, f"{value:.1f}", ha="center", va="center", fontsize=8)
    figure.colorbar(image, ax=axes, shrink=0.8)
    axes.set_title(words["heatmap_title"], fontsize=11)
    return figure


def quadrant_distribution_chart(
    counts: Mapping[Quadrant, int], rubric: Rubric, language: Language, words: Mapping[str, str]
) -> Figure:
    """Horizontal bars: how many calls fall in each quadrant (its stance from the rubric)."""
    from matplotlib.ticker import MaxNLocator

    figure = _figure(6.4, 2.6)
    axes = figure.add_subplot()
    quadrants = list(counts)
    names = [rubric.quadrant.labels[q].get(language) for q in quadrants]
    axes.barh(range(len(quadrants)), [counts[q] for q in quadrants], color=[QUADRANT_COLOURS[q] for q in quadrants])
    axes.set_yticks(range(len(quadrants)), labels=names)
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for position, quadrant in enumerate(quadrants):
        axes.text(counts[quadrant] + 0.05, position, str(counts[quadrant]), va="center", fontsize=9)
    axes.set_title(words["quadrants_title"], fontsize=11)
    return figure


def improvement_chart(improvements: Sequence[Improvement], words: Mapping[str, str]) -> Figure:
    """Per trainee, their first call's overall next to their best call's."""
    figure = _figure(6.4, 1.4 + 0.5 * max(1, len(improvements)))
    axes = figure.add_subplot()
    positions = list(range(len(improvements)))
    axes.barh([p - 0.2 for p in positions], [i.first for i in improvements], 0.4, color="#9ca3af", label=words["first"])
    axes.barh([p + 0.2 for p in positions], [i.best for i in improvements], 0.4, color=HARD_COLOUR, label=words["best"])
    axes.set_yticks(positions, labels=[f"{i.owner} ({i.gain:+.1f})" for i in improvements])
    axes.invert_yaxis()
    axes.set_xlim(0, 5.4)
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.set_title(words["improvement_title"], fontsize=11)
    return figure
