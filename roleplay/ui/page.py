# mypy: disable-error-code="no-untyped-call"
# (gradio's generated event listeners and layout blocks carry no annotations)
"""The practice page: Gradio components wired to the plain handlers (roleplay.ui.handlers).

Every event has an explicit api_name, so gradio_client can drive a call by name:
change_language, redraw_call, select_persona, start_call, send, scorecard, retry_reply,
scorecard_after_retry, hang_up, grade_again, my_sessions, my_progress, restore, show_review; and the
trainers' Review tab (roleplay.ui.review_tab, shown to trainers only by show_review) its review_*
events, which read the same language picker and follow its changes (review_relabel and its chain).
Hidden UI is no protection (every event is callable through the client API), so every event
resolves its viewer from the request itself (`gr.Request.username`, set by the login) and passes it to
the service, which checks it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr

from roleplay.auth import Principal
from roleplay.auth.accounts import Accounts, NotAuthenticated
from roleplay.domain import LANGUAGES, Language
from roleplay.services.practice import PracticeService
from roleplay.services.review import ReviewService
from roleplay.settings import ServeSettings
from roleplay.ui.analytics_view import AnalyticsHandlers, AnalyticsView
from roleplay.ui.handlers import CallHandlers
from roleplay.ui.labels import UiLabels
from roleplay.ui.review import ReviewHandlers
from roleplay.ui.review_tab import ReviewTab
from roleplay.ui.scorecard_handler import ScorecardHandler
from roleplay.ui.views import CallView, RestoredCall, ScorecardView, SessionTable

PAGE_CSS_PATH = Path(__file__).with_name("page.css")
DEFAULT_LANGUAGE: Language = "en"
Update = Any  # what gradio accepts as one output (a value, gr.update(...), gr.skip())
ViewerLookup = Callable[[str | None], Principal]  # login name (None: not logged in) -> Principal


def _language(value: str | None) -> Language:
    return next((language for language in LANGUAGES if language == value), DEFAULT_LANGUAGE)


def _notice_html(text: str) -> str:
    return f'<div class="rp-notice" role="status">{escape(text)}</div>' if text else ""


@dataclass
class Components:
    """The components the events read and write (built in `PracticePage.layout`)."""

    header: gr.HTML
    language: gr.Radio
    persona: gr.Radio
    cards: gr.HTML
    mode: gr.Radio
    start: gr.Button
    session: gr.State
    chatbot: gr.Chatbot
    indicator: gr.HTML
    message: gr.Textbox
    send: gr.Button
    hang_up: gr.Button
    retry: gr.Button
    notice: gr.HTML
    scorecard: gr.Column
    scorecard_title: gr.Markdown
    summary: gr.HTML
    criteria_plot: gr.Plot
    quadrant_plot: gr.Plot
    details: gr.HTML
    feedback: gr.HTML
    download_transcript: gr.DownloadButton
    download_grade: gr.DownloadButton
    grade_notice: gr.HTML
    grade_again: gr.Button
    sessions_title: gr.Markdown
    sessions: gr.Dataframe
    refresh: gr.Button
    progress_box: gr.Accordion
    progress_refresh: gr.Button
    progress_notice: gr.HTML
    progress_chart: gr.Plot
    progress_quadrants: gr.Plot
    practice_tab: gr.Tab
    review_tab: gr.Tab
    review: ReviewTab  # the Review tab follows the language picker itself (review_relabel and its chain)


class PracticePage:
    """Builds the Blocks and converts handler views into component updates."""

    def __init__(
        self, service: PracticeService, texts: UiLabels | None = None, viewer_of: ViewerLookup | None = None
    ) -> None:
        self.calls = CallHandlers(service, texts=texts)
        self.scorecards = ScorecardHandler(service, texts=texts)
        self.texts = self.calls.texts
        self.viewer_of = viewer_of or Accounts.of(service.store).principal_for_name
        self.review = ReviewHandlers(ReviewService(service))
        self.analytics = AnalyticsHandlers(self.review.review, self.review.texts)

    def viewer(self, request: gr.Request | None) -> Principal:
        """The event's Principal from its login name; a one-line gr.Error when there is none."""
        try:
            return self.viewer_of(request.username if request is not None else None)
        except NotAuthenticated as exc:
            raise gr.Error(str(exc), print_exception=False) from exc

    # ------------------------------------------------------------------ view -> updates

    def header_html(self, language: Language) -> str:
        t = self.texts
        return (
            f'<div class="rp-header"><h1>{escape(t.text("title", language))}</h1>'
            f"<p>{escape(t.text('tagline', language))}</p>"
            f'<span class="rp-backend">{escape(self.calls.backend_line(language))}</span></div>'
        )

    def mode_choices(self, language: Language) -> list[tuple[str, str]]:
        return [(self.texts.text(f"mode_{mode}", language), mode) for mode in ("training", "assessment")]

    @staticmethod
    def call_updates(view: CallView) -> list[Update]:
        """session, chatbot, message, send, hang_up, retry, indicator, notice."""
        return [
            view.session_id,
            view.chat,
            gr.update(value=view.message, interactive=view.input_open),
            gr.update(interactive=view.input_open),
            gr.update(interactive=view.session_id is not None and not view.ended),  # hang up at any time
            gr.update(visible=view.retry and view.session_id is not None),
            gr.update(value=view.indicator, visible=view.training),
            _notice_html(view.notice),
        ]

    @staticmethod
    def scorecard_updates(view: ScorecardView | None, table: SessionTable | None) -> list[Update]:
        """scorecard, summary, plots, details, feedback, downloads, grade notice, grade again, sessions."""
        if view is None:
            return [gr.skip()] * 11
        return [
            gr.update(visible=view.visible),
            view.summary,
            view.criteria_chart,
            view.quadrant_chart,
            view.details,
            view.feedback,
            gr.update(value=view.transcript_file),
            gr.update(value=view.grade_file),
            _notice_html(view.notice),
            gr.update(visible=view.retry),
            gr.skip() if table is None else _table_value(table),
        ]

    def label_updates(self, language: Language) -> list[Update]:
        """Every label of the page in `language` (outputs of change_language, after the picker)."""
        t = lambda key: self.texts.text(key, language)  # noqa: E731
        return [
            self.header_html(language),
            gr.update(label=t("tab_practice")),
            gr.update(label=t("language")),
            gr.update(label=t("mode"), choices=self.mode_choices(language)),
            gr.update(value=t("start")),
            gr.update(label=t("chat")),
            gr.update(label=t("message"), placeholder=t("message_placeholder")),
            gr.update(value=t("send")),
            gr.update(value=t("hang_up")),
            gr.update(value=t("retry_reply")),
            f"## {t('scorecard')}",
            gr.update(label=t("download_transcript")),
            gr.update(label=t("download_grade")),
            gr.update(value=t("grade_again")),
            f"## {t('my_sessions')}",
            gr.update(value=t("refresh")),
            gr.update(label=t("my_progress")),
            gr.update(value=t("progress_refresh")),
        ]

    # ------------------------------------------------------------------ events

    def on_language(self, language: str, persona_id: str | None, request: gr.Request) -> list[Update]:
        viewer = self.viewer(request)
        chosen = _language(language)
        picker = self.calls.picker(chosen, persona_id)
        persona = gr.update(label=self.texts.text("persona", chosen), choices=picker.choices, value=picker.selected)
        table = _table_value(self.calls.my_sessions(viewer, chosen))
        return [persona, picker.cards_html, table, *self.label_updates(chosen)]

    def on_persona(self, language: str, persona_id: str | None, request: gr.Request) -> str:
        self.viewer(request)
        return self.calls.picker(_language(language), persona_id).cards_html

    def on_start(self, persona_id: str | None, language: str, mode: str, request: gr.Request) -> list[Update]:
        viewer = self.viewer(request)
        view = self.calls.start_call(viewer, persona_id, _language(language), mode or "training")
        hide = ScorecardView(visible=False) if view.session_id else None
        return [*self.call_updates(view), *self.scorecard_updates(hide, None)]

    async def on_send(
        self, session_id: str | None, text: str, language: str, request: gr.Request
    ) -> AsyncIterator[list[Update]]:
        viewer = self.viewer(request)
        async for view in self.calls.send(viewer, session_id, text or "", _language(language)):
            yield self.call_updates(view)

    async def on_retry(self, session_id: str | None, language: str, request: gr.Request) -> AsyncIterator[list[Update]]:
        """Ask the debtor again for the reply to the stored last agent turn (after the model failed)."""
        viewer = self.viewer(request)
        async for view in self.calls.retry(viewer, session_id, _language(language)):
            yield self.call_updates(view)

    def on_redraw(self, session_id: str | None, language: str, request: gr.Request) -> list[Update]:
        """indicator and notice of the current call, in `language` (after the language changed)."""
        view = self.calls.redraw(self.viewer(request), session_id, _language(language))
        return [gr.update(value=view.indicator, visible=view.training), _notice_html(view.notice)]

    def on_my_progress(self, language: str, request: gr.Request) -> list[Update]:
        """The viewer's own progress chart and quadrant distribution (or a notice)."""
        view = self.analytics.mine(self.viewer(request), _language(language))
        return _progress_updates(view)

    def on_show_review(self, request: gr.Request) -> Update:
        """The Review tab is shown to trainers only (its handlers refuse trainees anyway)."""
        viewer = self.viewer(request)
        return gr.update(visible=viewer.local or viewer.is_trainer)

    def on_hang_up(self, session_id: str | None, language: str, request: gr.Request) -> list[Update]:
        viewer = self.viewer(request)
        return self.call_updates(self.calls.hang_up(viewer, session_id, _language(language)))

    async def on_scorecard(self, session_id: str | None, language: str, request: gr.Request) -> list[Update]:
        viewer, chosen = self.viewer(request), _language(language)
        view = await self.scorecards.scorecard(viewer, session_id, chosen)
        table = self.calls.my_sessions(viewer, chosen) if view is not None else None
        return self.scorecard_updates(view, table)

    def on_sessions(self, language: str, request: gr.Request) -> Update:
        return _table_value(self.calls.my_sessions(self.viewer(request), _language(language)))

    def on_load(self, language: str, request: gr.Request) -> list[Update]:
        viewer = self.viewer(request)
        restored = self.calls.restore(viewer)
        table = _table_value(self.calls.my_sessions(viewer, _language(language)))
        if restored is None:
            return [*[gr.skip()] * 8, gr.skip(), gr.skip(), gr.skip(), table]
        return [*self.call_updates(restored.call), *self._pickers(restored), table]

    def _pickers(self, restored: RestoredCall) -> list[Update]:
        picker = self.calls.picker(restored.language, restored.persona_id)
        persona = gr.update(choices=picker.choices, value=picker.selected)
        return [restored.language, persona, restored.mode]


def _table_value(table: SessionTable) -> dict[str, Any]:
    return {"headers": table.headers, "data": table.rows}


def _progress_updates(view: AnalyticsView) -> list[Update]:
    """progress chart, quadrant chart, notice."""
    return [
        gr.update(value=view.progress, visible=view.progress is not None),
        gr.update(value=view.quadrants, visible=view.quadrants is not None),
        _notice_html(view.notice),
    ]


def _wire_call(page: PracticePage, c: Components) -> None:
    call = [c.session, c.chatbot, c.message, c.send, c.hang_up, c.retry, c.indicator, c.notice]
    card = [c.scorecard, c.summary, c.criteria_plot, c.quadrant_plot, c.details, c.feedback,
            c.download_transcript, c.download_grade, c.grade_notice, c.grade_again, c.sessions]  # fmt: skip
    c.start.click(page.on_start, [c.persona, c.language, c.mode], [*call, *card], api_name="start_call")
    sent = gr.on(
        [c.send.click, c.message.submit], page.on_send, [c.session, c.message, c.language], call,
        api_name="send", show_progress="hidden",
    )  # fmt: skip
    sent.then(page.on_scorecard, [c.session, c.language], card, api_name="scorecard")
    retried = c.retry.click(page.on_retry, [c.session, c.language], call, api_name="retry_reply",
                            show_progress="hidden")  # fmt: skip
    retried.then(page.on_scorecard, [c.session, c.language], card, api_name="scorecard_after_retry")
    hung = c.hang_up.click(page.on_hang_up, [c.session, c.language], call, api_name="hang_up")
    hung.then(page.on_scorecard, [c.session, c.language], card, api_name="scorecard_after_hang_up")
    c.grade_again.click(page.on_scorecard, [c.session, c.language], card, api_name="grade_again")


def _wire_page(page: PracticePage, c: Components, demo: gr.Blocks) -> None:
    labelled = [c.header, c.practice_tab, c.language, c.mode, c.start, c.chatbot, c.message, c.send, c.hang_up,
                c.retry, c.scorecard_title, c.download_transcript, c.download_grade, c.grade_again, c.sessions_title,
                c.refresh, c.progress_box, c.progress_refresh]  # fmt: skip
    changed = c.language.change(
        page.on_language, [c.language, c.persona], [c.persona, c.cards, c.sessions, *labelled],
        api_name="change_language",
    )  # fmt: skip
    changed.then(page.on_redraw, [c.session, c.language], [c.indicator, c.notice], api_name="redraw_call")
    progress = [c.progress_chart, c.progress_quadrants, c.progress_notice]
    c.progress_refresh.click(page.on_my_progress, c.language, progress, api_name="my_progress")
    c.persona.change(page.on_persona, [c.language, c.persona], c.cards, api_name="select_persona")
    c.refresh.click(page.on_sessions, c.language, c.sessions, api_name="my_sessions")
    restored = [c.session, c.chatbot, c.message, c.send, c.hang_up, c.retry, c.indicator, c.notice,
                c.language, c.persona, c.mode, c.sessions]  # fmt: skip
    demo.load(page.on_load, c.language, restored, api_name="restore")
    demo.load(page.on_show_review, None, c.review_tab, api_name="show_review")


def build_practice_page(
    service: PracticeService, settings: ServeSettings | None = None, viewer_of: ViewerLookup | None = None
) -> gr.Blocks:
    """The practice page over `service`, its queue sized from `settings` (queue_concurrency, queue_max_size).

    `viewer_of` turns the login name into a Principal (default: the accounts in the service's database;
    no name is LOCAL only while no user exists). Launch or mount it with `css_paths=PAGE_CSS_PATH`
    and, when users exist, `auth=login_check(accounts)`.
    """
    from roleplay.ui.layout import build_layout

    limits = settings or ServeSettings()
    page = PracticePage(service, viewer_of=viewer_of)
    with gr.Blocks(title=page.texts.text("title", DEFAULT_LANGUAGE), analytics_enabled=False) as demo:
        components = build_layout(page, DEFAULT_LANGUAGE)
        _wire_call(page, components)
        _wire_page(page, components, demo)
    demo.queue(default_concurrency_limit=limits.queue_concurrency, max_size=limits.queue_max_size)
    return demo  # type: ignore[no-any-return]
