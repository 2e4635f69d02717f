"""The analytics handlers (no gradio here): the team's charts for trainers in the Review tab, and a
trainee's own progress under "my sessions". The viewer is checked here and in the service: the team
view refuses trainees (one-line notice, no figures); "mine" shows only the viewer's own calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from roleplay.auth import Principal
from roleplay.content import load_rubric
from roleplay.domain import Language
from roleplay.services.analytics import AnalyticsReport, team_analytics
from roleplay.services.practice import PracticeError
from roleplay.services.review import ReviewService
from roleplay.ui.analytics_charts import heatmap_chart, improvement_chart, progress_chart, quadrant_distribution_chart
from roleplay.ui.review_labels import ReviewTexts, review_texts

if TYPE_CHECKING:
    from matplotlib.figure import Figure
else:
    Figure = Any

CHART_WORDS = {
    "overall": "chart_overall",
    "hard": "chart_hard",
    "soft": "chart_soft",
    "first": "chart_first",
    "best": "chart_best",
    "call_number": "call_number",
    "progress_title": "progress_title",
    "heatmap_title": "heatmap_title",
    "quadrants_title": "quadrants_title",
    "improvement_title": "improvement_title",
}


def words_of(texts: ReviewTexts, language: Language) -> dict[str, str]:
    """Every word the analytics charts write, in `language`."""
    return {word: texts.text(key, language) for word, key in CHART_WORDS.items()}


@dataclass(frozen=True)
class AnalyticsView:
    """The charts (None: not drawn) and a one-line notice."""

    progress: Figure | None = None
    heatmap: Figure | None = None
    quadrants: Figure | None = None
    improvement: Figure | None = None
    notice: str = ""
    calls: int = 0


class AnalyticsHandlers:
    def __init__(self, review: ReviewService, texts: ReviewTexts | None = None) -> None:
        self.review = review
        self.texts = texts or review_texts()

    def words(self, language: Language) -> dict[str, str]:
        return words_of(self.texts, language)

    def team(self, viewer: Principal, language: Language, trainee: str | None = None) -> AnalyticsView:
        """Trainers: every chart over the team (or one trainee); a trainee gets the refusal notice only."""
        try:
            self.review.require_trainer(viewer, "see the team's analytics")
        except PracticeError:
            return AnalyticsView(notice=self.texts.text("trainers_only", language))
        report = team_analytics(self.review, viewer, (trainee or "").strip() or None)
        if not report.calls:
            return AnalyticsView(notice=self.texts.text("analytics_empty", language))
        words = self.words(language)
        return AnalyticsView(
            progress=progress_chart(report.progress, words),
            heatmap=heatmap_chart(report.heatmap, words),
            quadrants=self._quadrants(report, language),
            improvement=improvement_chart(report.improvements, words),
            calls=report.calls,
        )

    def mine(self, viewer: Principal, language: Language) -> AnalyticsView:
        """The viewer's own calls: progress over time and the quadrant distribution."""
        report = team_analytics(self.review, viewer, viewer.name)
        if not report.calls:
            return AnalyticsView(notice=self.texts.text("analytics_empty", language))
        mine = {viewer.name: report.progress.get(viewer.name, [])}
        return AnalyticsView(
            progress=progress_chart(mine, self.words(language)),
            quadrants=self._quadrants(report, language),
            calls=report.calls,
        )

    def _quadrants(self, report: AnalyticsReport, language: Language) -> Figure:
        return quadrant_distribution_chart(report.quadrants, load_rubric(), language, self.words(language))
