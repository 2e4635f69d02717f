"""The Review tab's handlers as plain methods (no gradio here). Every method takes the viewer and the
service checks it: a trainee gets the one-line "trainers only" notice and no data, whichever way the
handler is called. User mistakes come back as a one-line notice, never as an exception."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ValidationError

from roleplay.auth import Principal
from roleplay.domain import CRITERION_IDS, Language
from roleplay.services.exports import ExportFormat, ExportOptions, export_text
from roleplay.services.imports import ImportService, Progress, UploadedFile
from roleplay.services.practice import PracticeError
from roleplay.services.review import LabelInput, ReviewDenied, ReviewRow, ReviewService, SessionFilters
from roleplay.ui.downloads import download_folder
from roleplay.ui.review_html import comparison_html, flags_html, rationale_html, transcript_html, usage_html
from roleplay.ui.review_labels import ReviewTexts, review_texts


class ReviewTable(BaseModel):
    headers: list[str] = []
    rows: list[list[str | int | float | None]] = []
    notice: str = ""


class ReviewPanel(BaseModel):
    session_id: str | None = None
    transcript: str = ""
    rationale: str = ""
    flags: str = ""
    usage: str = ""
    comparison: str = ""
    notice: str = ""


def table_cells(row: ReviewRow) -> list[str | int | float | None]:
    return [row.id, row.owner, row.persona_id, row.language, row.source, row.created_at.strftime("%Y-%m-%d %H:%M"),
            row.turns, row.grade_status, row.overall, row.hard, row.soft, row.quadrant, " ".join(row.flags),
            row.labels]  # fmt: skip


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value.strip()) if value and value.strip() else None


class ReviewHandlers:
    def __init__(self, review: ReviewService, texts: ReviewTexts | None = None) -> None:
        self.review = review
        self.imports = ImportService(review)
        self.texts = texts or review_texts()

    def _notice(self, exc: PracticeError, language: Language) -> str:
        return self.texts.text("trainers_only", language) if isinstance(exc, ReviewDenied) else str(exc)

    def headers(self, language: Language) -> list[str]:
        """The table's column headers in `language` (one per `table_cells` cell)."""
        return self.texts.text("table_headers", language).split("|")

    def table(self, viewer: Principal, language: Language, filters: dict[str, object]) -> ReviewTable:
        """The filtered, sorted table (headers in `language`); blank filters are ignored."""
        table = self._table(viewer, language, filters)
        return table.model_copy(update={"headers": self.headers(language)})

    def _table(self, viewer: Principal, language: Language, filters: dict[str, object]) -> ReviewTable:
        try:
            raw = {key: value for key, value in filters.items() if value not in (None, "")}
            raw["since"], raw["until"] = _date(str(raw.get("since") or "")), _date(str(raw.get("until") or ""))
            chosen = SessionFilters.model_validate(raw)
        except (ValueError, ValidationError):
            return ReviewTable(notice=self.texts.text("bad_date", language))
        try:
            return ReviewTable(rows=[table_cells(row) for row in self.review.rows(viewer, chosen)])
        except PracticeError as exc:
            return ReviewTable(notice=self._notice(exc, language))

    def open(self, viewer: Principal, session_id: str | None, criterion: str | None, language: Language) -> ReviewPanel:
        """One session: transcript (the criterion's quotes marked), rationale, flags, usage, comparison."""
        if not session_id:
            return ReviewPanel(notice=self.texts.text("no_session", language))
        try:
            detail = self.review.detail(viewer, session_id.strip())
        except PracticeError as exc:
            return ReviewPanel(notice=self._notice(exc, language))
        grade = detail.session.grade.grade if detail.session.grade else None
        speakers = {"agent": self.texts.text("agent", language), "debtor": self.texts.text("debtor", language)}
        return ReviewPanel(
            session_id=detail.session.id,
            transcript=transcript_html(detail.session.turns, grade, criterion, speakers),
            rationale=rationale_html(grade, criterion),
            flags=flags_html(grade, self.texts.text("no_flags", language)),
            usage=usage_html(detail.session.usage),
            comparison=comparison_html(detail.comparison, self.texts.text("compare_headers", language).split("|")),
        )

    def save(
        self,
        viewer: Principal,
        session_id: str | None,
        scores: Sequence[float | None],
        flags: Sequence[str],
        comment: str,
        language: Language,
        criterion: str | None = None,
    ) -> ReviewPanel:
        """Save the ten scores (P1..S5 order), flags and comment as the viewer's label (the panel keeps
        `criterion` highlighted)."""
        if not session_id:
            return ReviewPanel(notice=self.texts.text("no_session", language))
        try:
            given = {cid: int(score) for cid, score in zip(CRITERION_IDS, scores, strict=True) if score is not None}
            label = LabelInput.model_validate({"scores": given, "flags": list(flags), "comment": comment or ""})
            saved = self.review.save_label(viewer, session_id, label)
        except ValidationError as exc:
            return ReviewPanel(session_id=session_id, notice=str(exc.errors()[0]["msg"]))
        except PracticeError as exc:
            return ReviewPanel(notice=self._notice(exc, language))
        panel = self.open(viewer, session_id, criterion, language)
        return panel.model_copy(update={"notice": self.texts.text("saved", language, reviewer=saved.reviewer)})

    async def regrade(
        self, viewer: Principal, session_id: str | None, language: Language, criterion: str | None = None
    ) -> ReviewPanel:
        if not session_id:
            return ReviewPanel(notice=self.texts.text("no_session", language))
        try:
            view = await self.review.regrade(viewer, session_id)
        except PracticeError as exc:
            return ReviewPanel(notice=self._notice(exc, language))
        panel = self.open(viewer, session_id, criterion, language)
        return panel.model_copy(update={"notice": self.texts.text("regraded", language, status=view.status)})

    async def import_files(
        self, viewer: Principal, paths: Sequence[str], owner: str, grade: bool, language: Language, progress: Progress
    ) -> str:
        """Import uploaded files (and grade them); the notice lists every problem, one per line."""
        uploads = [read for path in paths if isinstance(read := UploadedFile.read(Path(path)), UploadedFile)]
        try:
            report = self.imports.import_files(viewer, uploads, owner=owner)
            problems = report.problems
            if grade and report.session_ids:
                problems += (await self.imports.grade_sessions(viewer, report.session_ids, progress)).problems
        except PracticeError as exc:
            return self._notice(exc, language)
        lines = [self.texts.text("imported", language, count=len(report.session_ids)), *problems]
        return "\n".join(lines)

    def export(self, viewer: Principal, fmt: ExportFormat) -> str | None:
        """A file to download (JSONL or BOM CSV), or None when the viewer may not export."""
        try:
            text = export_text(self.review, viewer, fmt, ExportOptions())
        except PracticeError:
            return None
        path = download_folder() / f"sessions.{fmt}"
        path.write_text(text, encoding="utf-8")
        return str(path)
