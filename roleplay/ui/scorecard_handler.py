"""Producing the scorecard of an ended call: grade (once), charts, HTML, download files."""

from __future__ import annotations

from roleplay.auth import Principal
from roleplay.content import load_rubric
from roleplay.domain import Grade, Language
from roleplay.services.practice import GradeView, PracticeError, PracticeService, SessionView
from roleplay.ui.charts import criteria_chart, quadrant_chart
from roleplay.ui.downloads import download_folder, write_grade, write_transcript
from roleplay.ui.history import past_points
from roleplay.ui.labels import UiLabels, labels
from roleplay.ui.scorecard import criteria_details_html, feedback_html, summary_html
from roleplay.ui.views import ScorecardView

HIDDEN = ScorecardView(visible=False)


class ScorecardHandler:
    """Grades an ended call (reusing a finished grade) and renders its scorecard."""

    def __init__(self, service: PracticeService, texts: UiLabels | None = None) -> None:
        self.service = service
        self.texts = texts or labels()

    async def scorecard(self, viewer: Principal, session_id: str | None, language: Language) -> ScorecardView | None:
        """The scorecard of an ended call; None while the call goes on (nothing to change)."""
        if session_id is None:
            return None
        try:
            view = self.service.get_session(viewer, session_id)
            if view.status != "ended":
                return None
            result = await self._graded(viewer, view)
        except PracticeError as exc:
            return ScorecardView(visible=False, notice=str(exc), retry=True)
        if result.grade is None:
            error = result.error or result.status
            notice = self.texts.text("grading_failed", language, status=result.status, error=error)
            return ScorecardView(visible=False, notice=notice, retry=True)
        return self.render(viewer, view, result.grade, language)

    async def _graded(self, viewer: Principal, view: SessionView) -> GradeView:
        if view.grade is not None and view.grade.status == "done":
            return view.grade
        return await self.service.grade(viewer, view.id)

    def render(self, viewer: Principal, view: SessionView, grade: Grade, language: Language) -> ScorecardView:
        rubric = load_rubric()
        texts = self.texts
        folder = download_folder()
        transcript = self.service.transcript(viewer, view.id)
        past = past_points(self.service.list_sessions(viewer), exclude_id=view.id)
        words = {key: texts.text(key, language) for key in ("hard", "soft", "this_call", "past_calls")}
        words["title"] = texts.text("quadrant_chart", language)
        return ScorecardView(
            visible=True,
            summary=summary_html(grade, rubric, texts, language),
            criteria_chart=criteria_chart(grade, rubric, language, texts.text("criteria_chart", language)),
            quadrant_chart=quadrant_chart((grade.hard, grade.soft), past, rubric, language, words),
            details=criteria_details_html(grade, rubric, texts, language),
            feedback=feedback_html(grade, texts, language),
            transcript_file=str(write_transcript(transcript, folder)),
            grade_file=str(write_grade(grade, view.id, folder)),
        )
