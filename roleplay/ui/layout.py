# mypy: disable-error-code="no-untyped-call"
# (gradio's generated event listeners and layout blocks carry no annotations)
"""The components of the practice page and where they sit (no events here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from roleplay.domain import Language
from roleplay.ui.labels import LANGUAGE_CHOICES

if TYPE_CHECKING:
    from roleplay.ui.page import Components, PracticePage


def _picker_column(page: PracticePage, language: Language) -> tuple[gr.Radio, gr.Radio, gr.HTML, gr.Radio, gr.Button]:
    t = lambda key: page.texts.text(key, language)  # noqa: E731
    picker = page.calls.picker(language)
    with gr.Row():
        choice = gr.Radio(LANGUAGE_CHOICES, value=language, label=t("language"), elem_id="language", scale=1)
        mode = gr.Radio(page.mode_choices(language), value="training", label=t("mode"), elem_id="mode", scale=2)
    persona = gr.Radio(picker.choices, value=None, label=t("persona"), elem_id="persona")
    cards = gr.HTML(picker.cards_html, elem_id="persona-cards")
    start = gr.Button(t("start"), variant="primary", elem_id="start-call")
    return choice, persona, cards, mode, start


def _chat_row(page: PracticePage, language: Language) -> tuple[gr.Chatbot, gr.HTML]:
    with gr.Row(equal_height=False):
        chatbot = gr.Chatbot(
            label=page.texts.text("chat", language),
            elem_id="chat",
            height=420,
            scale=3,
            render_markdown=False,
            sanitize_html=True,
            allow_tags=False,
            feedback_options=None,
            group_consecutive_messages=False,
            buttons=["copy_all"],
        )
        with gr.Column(scale=1, min_width=200):
            indicator = gr.HTML("", elem_id="trust-indicator", visible=True)
    return chatbot, indicator


def _input_row(page: PracticePage, language: Language) -> tuple[gr.Textbox, gr.Button, gr.Button, gr.Button]:
    t = lambda key: page.texts.text(key, language)  # noqa: E731
    with gr.Row():
        message = gr.Textbox(
            label=t("message"), placeholder=t("message_placeholder"), elem_id="message", scale=5, interactive=False
        )
        send = gr.Button(t("send"), variant="primary", elem_id="send", scale=1, interactive=False)
        hang_up = gr.Button(t("hang_up"), variant="stop", elem_id="hang-up", scale=1, interactive=False)
    retry = gr.Button(t("retry_reply"), variant="secondary", elem_id="retry-reply", visible=False, size="sm")
    return message, send, hang_up, retry


def _scorecard_column(page: PracticePage, language: Language) -> dict[str, gr.components.Component | gr.Column]:
    t = lambda key: page.texts.text(key, language)  # noqa: E731
    grade_notice = gr.HTML("", elem_id="grade-notice")
    grade_again = gr.Button(t("grade_again"), visible=False, elem_id="grade-again")
    with gr.Column(visible=False, elem_id="scorecard") as scorecard:
        parts: dict[str, gr.components.Component | gr.Column] = {
            "scorecard": scorecard,
            "scorecard_title": gr.Markdown(f"## {t('scorecard')}"),
            "summary": gr.HTML("", elem_id="scorecard-summary"),
        }
        with gr.Row():
            parts["criteria_plot"] = gr.Plot(show_label=False, elem_id="criteria-chart", scale=3)
            parts["quadrant_plot"] = gr.Plot(show_label=False, elem_id="quadrant-chart", scale=2)
        with gr.Row():
            parts["details"] = gr.HTML("", elem_id="criteria-details")
            parts["feedback"] = gr.HTML("", elem_id="feedback")
        with gr.Row():
            parts["download_transcript"] = gr.DownloadButton(t("download_transcript"), elem_id="download-transcript")
            parts["download_grade"] = gr.DownloadButton(t("download_grade"), elem_id="download-grade")
    return {**parts, "grade_notice": grade_notice, "grade_again": grade_again}


def _sessions_block(page: PracticePage, language: Language) -> tuple[gr.Markdown, gr.Dataframe, gr.Button]:
    t = lambda key: page.texts.text(key, language)  # noqa: E731
    title = gr.Markdown(f"## {t('my_sessions')}")
    table = page.calls.no_sessions(language)  # filled per viewer on load: the layout is the same for everyone
    sessions = gr.Dataframe(
        value={"headers": table.headers, "data": table.rows},
        interactive=False,
        wrap=True,
        elem_id="my-sessions",
        show_label=False,
    )
    refresh = gr.Button(t("refresh"), size="sm", elem_id="refresh-sessions")
    return title, sessions, refresh


def _progress_block(page: PracticePage, language: Language) -> dict[str, gr.components.Component | gr.Accordion]:
    """The viewer's own progress charts, drawn on request (under "my sessions")."""
    t = lambda key: page.texts.text(key, language)  # noqa: E731
    with gr.Accordion(t("my_progress"), open=False, elem_id="my-progress") as accordion:
        button = gr.Button(t("progress_refresh"), size="sm", elem_id="my-progress-refresh")
        notice = gr.HTML("", elem_id="my-progress-notice")
        with gr.Row():
            chart = gr.Plot(show_label=False, visible=False, elem_id="my-progress-chart", scale=3)
            quadrants = gr.Plot(show_label=False, visible=False, elem_id="my-quadrants-chart", scale=2)
    return {"progress_box": accordion, "progress_refresh": button, "progress_notice": notice,
            "progress_chart": chart, "progress_quadrants": quadrants}  # fmt: skip


def build_layout(page: PracticePage, language: Language) -> Components:
    """Lay the page out inside the current Blocks context: the Practice tab, and the Review tab
    (hidden; the page shows it to trainers on load)."""
    from roleplay.ui.page import Components
    from roleplay.ui.review_tab import build_review_tab

    header = gr.HTML(page.header_html(language), elem_id="header")
    session = gr.State(None)
    with gr.Tabs(elem_id="tabs"):
        with gr.Tab(page.texts.text("tab_practice", language), id="practice", elem_id="practice-tab") as practice:
            choice, persona, cards, mode, start = _picker_column(page, language)
            chatbot, indicator = _chat_row(page, language)
            message, send, hang_up, retry = _input_row(page, language)
            notice = gr.HTML("", elem_id="notice")
            scorecard = _scorecard_column(page, language)
            sessions_title, sessions, refresh = _sessions_block(page, language)
            progress = _progress_block(page, language)
        review = build_review_tab(page.review, page.viewer, language, page_language=choice, visible=False)
    return Components(
        header=header, language=choice, persona=persona, cards=cards, mode=mode, start=start, session=session,
        chatbot=chatbot, indicator=indicator, message=message, send=send, hang_up=hang_up, retry=retry,
        notice=notice, sessions_title=sessions_title, sessions=sessions, refresh=refresh, practice_tab=practice,
        review_tab=review.tab, review=review, **scorecard, **progress,  # type: ignore[arg-type]
    )  # fmt: skip
