# mypy: disable-error-code="no-untyped-call"
# (gradio's generated event listeners and layout blocks carry no annotations)
"""The trainers' Review tab: build it inside the page's Blocks with `build_review_tab(...)`.

The page mounts it hidden and shows it to trainers on load; hiding is not the protection. Every
event resolves its viewer from the request (the same lookup as the practice page) and the handlers
check it, so calling the endpoints through gradio_client gives a trainee only the one-line
"trainers only" notice. Events: review_table (also when the tab is opened: review_tab_opened),
review_open, review_highlight, review_select, review_save, review_regrade, review_import,
review_export_jsonl, review_export_csv, review_analytics.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

import gradio as gr

from roleplay.auth import Principal
from roleplay.domain import CRITERION_IDS, FLAG_IDS, Language
from roleplay.services.review import SORT_KEYS
from roleplay.ui.analytics_view import AnalyticsHandlers, AnalyticsView
from roleplay.ui.review import ReviewHandlers, ReviewPanel, ReviewTable

ViewerOf = Callable[[gr.Request | None], Principal]
FILTER_NAMES = ["trainee", "persona_id", "language", "since", "until", "quadrant", "flag", "grade_status", "sort_by",
                "descending"]  # fmt: skip
QUADRANT_CHOICES = ["", "target", "submissive", "adversarial", "ineffective"]
STATUS_CHOICES = ["", "ungraded", "pending", "done", "failed", "needs_review"]
HIGHLIGHT_CHOICES = [("—", ""), *[(name, name) for name in (*CRITERION_IDS, *FLAG_IDS, "grader_manipulation")]]
COLUMN_WIDTHS: list[str | int] = ["250px", "80px", "130px", "55px", "90px", "140px", "60px", "90px", "70px",
                                  "60px", "60px", "110px", "150px", "65px"]  # fmt: skip


def _notice(text: str) -> str:
    return f'<div class="rp-notice" role="status">{escape(text)}</div>' if text else ""


def _table(table: ReviewTable) -> list[Any]:
    return [{"headers": table.headers, "data": table.rows}, _notice(table.notice)]


def _panel(panel: ReviewPanel) -> list[Any]:
    return [panel.session_id or gr.skip(), panel.transcript, panel.rationale, panel.flags, panel.usage,
            panel.comparison, _notice(panel.notice)]  # fmt: skip


def _charts(view: AnalyticsView) -> list[Any]:
    shown = [view.progress, view.heatmap, view.quadrants, view.improvement]
    return [*[gr.update(value=figure, visible=figure is not None) for figure in shown], _notice(view.notice)]


@dataclass
class ReviewTab:
    """The tab and the components the page touches (the rest is wired inside)."""

    tab: gr.Tab
    table: gr.Dataframe


def _filters(t: Callable[[str], str]) -> list[gr.components.Component]:
    with gr.Row(elem_classes="rp-review-filters"):
        trainee = gr.Textbox(label=t("filter_trainee"), elem_id="review-trainee", min_width=140)
        persona = gr.Textbox(label=t("filter_persona"), elem_id="review-persona", min_width=140)
        lang = gr.Dropdown(["", "es", "en"], value="", label=t("filter_language"), min_width=90)
        since = gr.Textbox(label=t("filter_since"), elem_id="review-since", min_width=130)
        until = gr.Textbox(label=t("filter_until"), elem_id="review-until", min_width=130)
    with gr.Row(elem_classes="rp-review-filters"):
        quadrant = gr.Dropdown(QUADRANT_CHOICES, value="", label=t("filter_quadrant"), elem_id="review-quadrant")
        flag = gr.Textbox(label=t("filter_flag"), elem_id="review-flag")
        status = gr.Dropdown(STATUS_CHOICES, value="", label=t("filter_status"), elem_id="review-status")
        sort_by = gr.Dropdown(list(SORT_KEYS), value="date", label=t("sort_by"), elem_id="review-sort")
        descending = gr.Checkbox(True, label=t("descending"), elem_id="review-descending")
    return [trainee, persona, lang, since, until, quadrant, flag, status, sort_by, descending]


def _session_panel(t: Callable[[str], str]) -> dict[str, Any]:
    with gr.Row(equal_height=True):
        session_id = gr.Textbox(label=t("session_id"), elem_id="review-session-id", scale=4)
        open_button = gr.Button(t("open"), elem_id="review-open", scale=1, variant="secondary")
    criterion = gr.Radio(HIGHLIGHT_CHOICES, value="", label=t("criterion"), elem_id="review-criterion")
    with gr.Row(equal_height=False):
        transcript = gr.HTML("", elem_id="review-transcript", min_height=80)
        with gr.Column():
            outputs = [gr.HTML("", elem_id=f"review-{name}") for name in ("rationale", "flags", "usage", "comparison")]
    notice = gr.HTML("", elem_id="review-notice")
    return {"session_id": session_id, "open": open_button, "criterion": criterion,
            "panel": [session_id, transcript, *outputs, notice]}  # fmt: skip


def _review_form(t: Callable[[str], str]) -> dict[str, Any]:
    with gr.Group(elem_id="review-form"), gr.Row(elem_classes="rp-review-scores"):
        scores = [gr.Slider(1, 5, value=3, step=1, label=cid, elem_id=f"review-score-{cid}", min_width=110)
                  for cid in CRITERION_IDS]  # fmt: skip
    flags = gr.CheckboxGroup(list(FLAG_IDS), label=t("review_flags"), elem_id="review-flags-given")
    comment = gr.Textbox(label=t("comment"), lines=2, elem_id="review-comment")
    with gr.Row():
        save = gr.Button(t("save"), variant="primary", elem_id="review-save")
        regrade = gr.Button(t("regrade"), elem_id="review-regrade")
    return {"scores": scores, "flags": flags, "comment": comment, "save": save, "regrade": regrade}


def _wire_table(handlers: ReviewHandlers, viewer_of: ViewerOf, language: Language, parts: dict[str, Any]) -> None:
    # gradio injects gr.Request only into a named positional parameter, never after *args
    def on_table(trainee: str, persona: str, lang: str, since: str, until: str, quadrant: str, flag: str,
                 status: str, sort_by: str, descending: bool, request: gr.Request) -> list[Any]:  # fmt: skip
        values = [trainee, persona, lang, since, until, quadrant, flag, status, sort_by, descending]
        return _table(handlers.table(viewer_of(request), language, dict(zip(FILTER_NAMES, values, strict=True))))

    outputs = [parts["table"], parts["table_notice"]]
    parts["apply"].click(on_table, parts["filters"], outputs, api_name="review_table")
    parts["tab"].select(on_table, parts["filters"], outputs, api_name="review_tab_opened")


def _wire_session(handlers: ReviewHandlers, viewer_of: ViewerOf, language: Language, parts: dict[str, Any]) -> None:
    def on_open(sid: str, chosen: str, request: gr.Request) -> list[Any]:
        return _panel(handlers.open(viewer_of(request), sid, chosen or None, language))

    def on_select(event: gr.SelectData, chosen: str, request: gr.Request) -> list[Any]:
        row = getattr(event, "row_value", None) or []  # called by name without a click: no row
        return _panel(handlers.open(viewer_of(request), str(row[0]) if row else None, chosen or None, language))

    def on_save(sid: str, p1: float, p2: float, p3: float, p4: float, p5: float, s1: float, s2: float,
                s3: float, s4: float, s5: float, chosen_flags: list[str] | None, text: str, chosen: str,
                request: gr.Request) -> list[Any]:  # fmt: skip
        scores = [p1, p2, p3, p4, p5, s1, s2, s3, s4, s5]  # CRITERION_IDS order
        viewer = viewer_of(request)
        return _panel(handlers.save(viewer, sid, scores, chosen_flags or [], text, language, chosen or None))

    async def on_regrade(sid: str, chosen: str, request: gr.Request) -> list[Any]:
        return _panel(await handlers.regrade(viewer_of(request), sid, language, chosen or None))

    sid, criterion, panel, form = parts["session_id"], parts["criterion"], parts["panel"], parts["form"]
    parts["open"].click(on_open, [sid, criterion], panel, api_name="review_open")
    sid.submit(on_open, [sid, criterion], panel, api_name="review_open_by_id")
    criterion.change(on_open, [sid, criterion], panel, api_name="review_highlight")
    parts["table"].select(on_select, [criterion], panel, api_name="review_select")
    given = [sid, *form["scores"], form["flags"], form["comment"], criterion]
    form["save"].click(on_save, given, panel, api_name="review_save")
    form["regrade"].click(on_regrade, [sid, criterion], panel, api_name="review_regrade")


def _import_export(handlers: ReviewHandlers, viewer_of: ViewerOf, language: Language) -> None:
    t = lambda key: handlers.texts.text(key, language)  # noqa: E731
    with gr.Accordion(t("import_title"), open=False, elem_id="review-import"):
        files = gr.File(label=t("import_files"), file_count="multiple", type="filepath")
        with gr.Row():
            owner = gr.Textbox(label=t("import_owner"), scale=3)
            grade_now = gr.Checkbox(False, label=t("import_grade"), scale=1)
        import_button = gr.Button(t("import_button"))
        import_notice = gr.Textbox(show_label=False, interactive=False, lines=3)
    with gr.Accordion(t("export_title"), open=False, elem_id="review-export"), gr.Row():
        export_jsonl = gr.Button(t("export_jsonl"))
        export_csv = gr.Button(t("export_csv"))
        export_file = gr.File(show_label=False, interactive=False)

    async def on_import(paths: list[str] | None, who: str, now: bool, request: gr.Request,
                        progress: gr.Progress = gr.Progress()) -> str:  # fmt: skip  # noqa: B008
        report = lambda done, total: progress((done, total))  # noqa: E731
        return await handlers.import_files(viewer_of(request), paths or [], who, now, language, report)

    def on_export_jsonl(request: gr.Request) -> str | None:
        return handlers.export(viewer_of(request), "jsonl")

    def on_export_csv(request: gr.Request) -> str | None:
        return handlers.export(viewer_of(request), "csv")

    import_button.click(on_import, [files, owner, grade_now], import_notice, api_name="review_import")
    export_jsonl.click(on_export_jsonl, None, export_file, api_name="review_export_jsonl")
    export_csv.click(on_export_csv, None, export_file, api_name="review_export_csv")


def _analytics(analytics: AnalyticsHandlers, viewer_of: ViewerOf, language: Language) -> None:
    t = lambda key: analytics.texts.text(key, language)  # noqa: E731
    with gr.Accordion(t("analytics_title"), open=False, elem_id="review-analytics"):
        with gr.Row(equal_height=True):
            trainee = gr.Textbox(label=t("analytics_trainee"), scale=3, elem_id="analytics-trainee")
            refresh = gr.Button(t("analytics_refresh"), scale=1, elem_id="analytics-refresh")
        notice = gr.HTML("", elem_id="analytics-notice")
        with gr.Row():
            progress = gr.Plot(show_label=False, visible=False, elem_id="analytics-progress")
            heatmap = gr.Plot(show_label=False, visible=False, elem_id="analytics-heatmap")
        with gr.Row():
            quadrants = gr.Plot(show_label=False, visible=False, elem_id="analytics-quadrants")
            improvement = gr.Plot(show_label=False, visible=False, elem_id="analytics-improvement")

    def on_analytics(who: str, request: gr.Request) -> list[Any]:
        return _charts(analytics.team(viewer_of(request), language, who))

    outputs = [progress, heatmap, quadrants, improvement, notice]
    refresh.click(on_analytics, [trainee], outputs, api_name="review_analytics")


def build_review_tab(
    handlers: ReviewHandlers, viewer_of: ViewerOf, language: Language, *, visible: bool = True
) -> ReviewTab:
    """Lay out and wire the Review tab in the current Blocks (inside a gr.Tabs) context."""
    t = lambda key: handlers.texts.text(key, language)  # noqa: E731
    with gr.Tab(t("tab"), id="review", elem_id="review-tab", visible=visible) as tab:
        filters = _filters(t)
        apply = gr.Button(t("apply"), elem_id="review-apply", variant="primary", size="sm")
        table = gr.Dataframe(interactive=False, wrap=True, elem_id="review-table", show_label=False,
                             max_height=360, column_widths=COLUMN_WIDTHS)  # fmt: skip
        table_notice = gr.HTML("", elem_id="review-table-notice")
        session = _session_panel(t)
        form = _review_form(t)
        _import_export(handlers, viewer_of, language)
        _analytics(AnalyticsHandlers(handlers.review, handlers.texts), viewer_of, language)
    parts = {"tab": tab, "filters": filters, "apply": apply, "table": table, "table_notice": table_notice,
             **session, "form": form}  # fmt: skip
    _wire_table(handlers, viewer_of, language, parts)
    _wire_session(handlers, viewer_of, language, parts)
    return ReviewTab(tab=tab, table=table)
