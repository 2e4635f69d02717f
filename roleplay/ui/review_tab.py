# mypy: disable-error-code="no-untyped-call"
# (gradio's generated event listeners and layout blocks carry no annotations)
"""The trainers' Review tab: build it inside the page's Blocks with `build_review_tab(...)`.

The page mounts it hidden and shows it to trainers on load; hiding is not the protection. Every
event resolves its viewer from the request (the same lookup as the practice page) and the handlers
check it, so calling the endpoints through gradio_client gives a trainee only the one-line
"trainers only" notice. Events: review_table (also when the tab is opened: review_tab_opened),
review_open, review_highlight, review_select, review_save, review_regrade, review_import,
review_export_jsonl, review_export_csv, review_analytics. Every event also reads the page's language
picker (its last input; it defaults to the page's language), and when the picker changes the tab
follows it: review_relabel (headers, filter labels, buttons), then review_table_language (the table,
its headers and notice), review_panel_language (the open session, if any) and review_analytics_language
(the charts, if drawn).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any, TypeVar

import gradio as gr

from roleplay.auth import Principal
from roleplay.domain import CRITERION_IDS, FLAG_IDS, LANGUAGES, Language
from roleplay.services.review import SORT_KEYS
from roleplay.ui.analytics_view import AnalyticsHandlers, AnalyticsView
from roleplay.ui.review import ReviewHandlers, ReviewPanel, ReviewTable
from roleplay.ui.review_labels import ReviewTexts

ViewerOf = Callable[[gr.Request | None], Principal]
Block = TypeVar("Block")
FILTER_NAMES = ["trainee", "persona_id", "language", "since", "until", "quadrant", "flag", "grade_status", "sort_by",
                "descending"]  # fmt: skip
QUADRANT_CHOICES = ["", "target", "submissive", "adversarial", "ineffective"]
STATUS_CHOICES = ["", "ungraded", "pending", "done", "failed", "needs_review"]
HIGHLIGHT_CHOICES = [("—", ""), *[(name, name) for name in (*CRITERION_IDS, *FLAG_IDS, "grader_manipulation")]]
COLUMN_WIDTHS: list[str | int] = ["250px", "80px", "130px", "55px", "90px", "140px", "60px", "90px", "70px",
                                  "60px", "60px", "110px", "150px", "65px"]  # fmt: skip


def _language(value: str | None, default: Language) -> Language:
    return next((language for language in LANGUAGES if language == value), default)


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


def _text_field(block: object) -> str:
    """Which argument carries a block's words: a button's value, every other block's label."""
    return "value" if isinstance(block, gr.Button) else "label"


class Labeller:
    """Makes the tab's labelled blocks in the build language and remembers each one's text key, so the
    page's language picker can relabel them (`relabel`)."""

    def __init__(self, texts: ReviewTexts, language: Language) -> None:
        self.texts, self.language = texts, language
        self.marked: list[tuple[Any, str]] = []

    def __call__(self, key: str) -> str:
        return self.texts.text(key, self.language)

    def make(self, factory: Callable[..., Block], key: str, **options: Any) -> Block:
        """`factory(label=<key's text>, **options)` (a button: value=...), remembered for relabelling."""
        field = "value" if isinstance(factory, type) and issubclass(factory, gr.Button) else "label"
        block = factory(**{field: self(key)}, **options)
        self.marked.append((block, key))
        return block


def relabel(texts: ReviewTexts, marked: list[tuple[Any, str]], language: Language) -> list[Any]:
    """One update per marked block (in order), its words in `language`."""
    words: list[tuple[Any, str]] = [(block, texts.text(key, language)) for block, key in marked]
    return [gr.update(value=text) if _text_field(block) == "value" else gr.update(label=text) for block, text in words]


@dataclass
class ReviewTab:
    """The tab and the components the page touches (the rest is wired inside)."""

    tab: gr.Tab
    table: gr.Dataframe
    texts: ReviewTexts
    marked: list[tuple[Any, str]]

    def relabel(self, language: Language) -> list[Any]:
        """Updates for the tab's labelled blocks (outputs of review_relabel), in `language`."""
        return relabel(self.texts, self.marked, language)


def _filters(lab: Labeller) -> list[gr.components.Component]:
    with gr.Row(elem_classes="rp-review-filters"):
        trainee = lab.make(gr.Textbox, "filter_trainee", elem_id="review-trainee", min_width=140)
        persona = lab.make(gr.Textbox, "filter_persona", elem_id="review-persona", min_width=140)
        lang = lab.make(gr.Dropdown, "filter_language", choices=["", "es", "en"], value="", min_width=90)
        since = lab.make(gr.Textbox, "filter_since", elem_id="review-since", min_width=130)
        until = lab.make(gr.Textbox, "filter_until", elem_id="review-until", min_width=130)
    with gr.Row(elem_classes="rp-review-filters"):
        quadrant = lab.make(gr.Dropdown, "filter_quadrant", choices=QUADRANT_CHOICES, value="",
                            elem_id="review-quadrant")  # fmt: skip
        flag = lab.make(gr.Textbox, "filter_flag", elem_id="review-flag")
        status = lab.make(gr.Dropdown, "filter_status", choices=STATUS_CHOICES, value="", elem_id="review-status")
        sort_by = lab.make(gr.Dropdown, "sort_by", choices=list(SORT_KEYS), value="date", elem_id="review-sort")
        descending = lab.make(gr.Checkbox, "descending", value=True, elem_id="review-descending")
    return [trainee, persona, lang, since, until, quadrant, flag, status, sort_by, descending]


def _session_panel(lab: Labeller) -> dict[str, Any]:
    with gr.Row(equal_height=True):
        session_id = lab.make(gr.Textbox, "session_id", elem_id="review-session-id", scale=4)
        open_button = lab.make(gr.Button, "open", elem_id="review-open", scale=1, variant="secondary")
    criterion = lab.make(gr.Radio, "criterion", choices=HIGHLIGHT_CHOICES, value="", elem_id="review-criterion")
    with gr.Row(equal_height=False):
        transcript = gr.HTML("", elem_id="review-transcript", min_height=80)
        with gr.Column():
            outputs = [gr.HTML("", elem_id=f"review-{name}") for name in ("rationale", "flags", "usage", "comparison")]
    notice = gr.HTML("", elem_id="review-notice")
    return {"session_id": session_id, "open": open_button, "criterion": criterion,
            "panel": [session_id, transcript, *outputs, notice]}  # fmt: skip


def _review_form(lab: Labeller) -> dict[str, Any]:
    with gr.Group(elem_id="review-form"), gr.Row(elem_classes="rp-review-scores"):
        scores = [gr.Slider(1, 5, value=3, step=1, label=cid, elem_id=f"review-score-{cid}", min_width=110)
                  for cid in CRITERION_IDS]  # fmt: skip
    flags = lab.make(gr.CheckboxGroup, "review_flags", choices=list(FLAG_IDS), elem_id="review-flags-given")
    comment = lab.make(gr.Textbox, "comment", lines=2, elem_id="review-comment")
    with gr.Row():
        save = lab.make(gr.Button, "save", variant="primary", elem_id="review-save")
        regrade = lab.make(gr.Button, "regrade", elem_id="review-regrade")
    return {"scores": scores, "flags": flags, "comment": comment, "save": save, "regrade": regrade}


def _wire_table(handlers: ReviewHandlers, viewer_of: ViewerOf, language: Language, parts: dict[str, Any]) -> None:
    # gradio injects gr.Request only into a named positional parameter, never after *args
    def on_table(trainee: str, persona: str, lang: str, since: str, until: str, quadrant: str, flag: str,
                 status: str, sort_by: str, descending: bool, page_language: str,
                 request: gr.Request) -> list[Any]:  # fmt: skip
        values = [trainee, persona, lang, since, until, quadrant, flag, status, sort_by, descending]
        chosen = _language(page_language, language)
        return _table(handlers.table(viewer_of(request), chosen, dict(zip(FILTER_NAMES, values, strict=True))))

    given, outputs = [*parts["filters"], parts["page_language"]], [parts["table"], parts["table_notice"]]
    parts["apply"].click(on_table, given, outputs, api_name="review_table")
    parts["tab"].select(on_table, given, outputs, api_name="review_tab_opened")
    parts["relabelled"].then(on_table, given, outputs, api_name="review_table_language")


def _wire_session(handlers: ReviewHandlers, viewer_of: ViewerOf, language: Language, parts: dict[str, Any]) -> None:
    in_page = lambda value: _language(value, language)  # noqa: E731

    def on_open(sid: str, chosen: str, page_language: str, request: gr.Request) -> list[Any]:
        return _panel(handlers.open(viewer_of(request), sid, chosen or None, in_page(page_language)))

    def on_reopen(sid: str, chosen: str, page_language: str, request: gr.Request) -> list[Any]:
        """The open session again in the page's new language (nothing when none is open)."""
        return on_open(sid, chosen, page_language, request) if sid else [gr.skip()] * 7

    def on_select(event: gr.SelectData, chosen: str, page_language: str, request: gr.Request) -> list[Any]:
        row = getattr(event, "row_value", None) or []  # called by name without a click: no row
        sid = str(row[0]) if row else None
        return _panel(handlers.open(viewer_of(request), sid, chosen or None, in_page(page_language)))

    def on_save(sid: str, p1: float, p2: float, p3: float, p4: float, p5: float, s1: float, s2: float,
                s3: float, s4: float, s5: float, chosen_flags: list[str] | None, text: str, chosen: str,
                page_language: str, request: gr.Request) -> list[Any]:  # fmt: skip
        scores = [p1, p2, p3, p4, p5, s1, s2, s3, s4, s5]  # CRITERION_IDS order
        viewer, lang = viewer_of(request), in_page(page_language)
        return _panel(handlers.save(viewer, sid, scores, chosen_flags or [], text, lang, chosen or None))

    async def on_regrade(sid: str, chosen: str, page_language: str, request: gr.Request) -> list[Any]:
        return _panel(await handlers.regrade(viewer_of(request), sid, in_page(page_language), chosen or None))

    sid, criterion, panel, form = parts["session_id"], parts["criterion"], parts["panel"], parts["form"]
    opened = [sid, criterion, parts["page_language"]]
    parts["open"].click(on_open, opened, panel, api_name="review_open")
    sid.submit(on_open, opened, panel, api_name="review_open_by_id")
    criterion.change(on_open, opened, panel, api_name="review_highlight")
    parts["table"].select(on_select, [criterion, parts["page_language"]], panel, api_name="review_select")
    given = [sid, *form["scores"], form["flags"], form["comment"], criterion, parts["page_language"]]
    form["save"].click(on_save, given, panel, api_name="review_save")
    form["regrade"].click(on_regrade, opened, panel, api_name="review_regrade")
    parts["relabelled"].then(on_reopen, opened, panel, api_name="review_panel_language")


def _import_export(handlers: ReviewHandlers, viewer_of: ViewerOf, lab: Labeller, page_language: Any) -> None:
    with lab.make(gr.Accordion, "import_title", open=False, elem_id="review-import"):
        files = lab.make(gr.File, "import_files", file_count="multiple", type="filepath")
        with gr.Row():
            owner = lab.make(gr.Textbox, "import_owner", scale=3)
            grade_now = lab.make(gr.Checkbox, "import_grade", value=False, scale=1)
        import_button = lab.make(gr.Button, "import_button")
        import_notice = gr.Textbox(show_label=False, interactive=False, lines=3)
    with lab.make(gr.Accordion, "export_title", open=False, elem_id="review-export"), gr.Row():
        export_jsonl = lab.make(gr.Button, "export_jsonl")
        export_csv = lab.make(gr.Button, "export_csv")
        export_file = gr.File(show_label=False, interactive=False)

    async def on_import(paths: list[str] | None, who: str, now: bool, page_language: str, request: gr.Request,
                        progress: gr.Progress = gr.Progress()) -> str:  # fmt: skip  # noqa: B008
        report = lambda done, total: progress((done, total))  # noqa: E731
        chosen = _language(page_language, lab.language)
        return await handlers.import_files(viewer_of(request), paths or [], who, now, chosen, report)

    def on_export_jsonl(request: gr.Request) -> str | None:
        return handlers.export(viewer_of(request), "jsonl")

    def on_export_csv(request: gr.Request) -> str | None:
        return handlers.export(viewer_of(request), "csv")

    given = [files, owner, grade_now, page_language]
    import_button.click(on_import, given, import_notice, api_name="review_import")
    export_jsonl.click(on_export_jsonl, None, export_file, api_name="review_export_jsonl")
    export_csv.click(on_export_csv, None, export_file, api_name="review_export_csv")


def _analytics(
    analytics: AnalyticsHandlers, viewer_of: ViewerOf, lab: Labeller, page_language: Any
) -> Callable[[Any], Any]:
    """Lay out and wire the team's charts; returns how to redraw them after the language changed."""
    with lab.make(gr.Accordion, "analytics_title", open=False, elem_id="review-analytics"):
        with gr.Row(equal_height=True):
            trainee = lab.make(gr.Textbox, "analytics_trainee", scale=3, elem_id="analytics-trainee")
            refresh = lab.make(gr.Button, "analytics_refresh", scale=1, elem_id="analytics-refresh")
        notice = gr.HTML("", elem_id="analytics-notice")
        with gr.Row():
            progress = gr.Plot(show_label=False, visible=False, elem_id="analytics-progress")
            heatmap = gr.Plot(show_label=False, visible=False, elem_id="analytics-heatmap")
        with gr.Row():
            quadrants = gr.Plot(show_label=False, visible=False, elem_id="analytics-quadrants")
            improvement = gr.Plot(show_label=False, visible=False, elem_id="analytics-improvement")
    drawn = gr.State(False)  # the charts follow the page's language once they have been drawn

    def on_analytics(who: str, page_language: str, request: gr.Request) -> list[Any]:
        chosen = _language(page_language, lab.language)
        return [*_charts(analytics.team(viewer_of(request), chosen, who)), True]

    def on_redraw(who: str, page_language: str, shown: bool, request: gr.Request) -> list[Any]:
        return on_analytics(who, page_language, request) if shown else [gr.skip()] * 6

    outputs = [progress, heatmap, quadrants, improvement, notice, drawn]
    refresh.click(on_analytics, [trainee, page_language], outputs, api_name="review_analytics")
    given = [trainee, page_language, drawn]
    return lambda relabelled: relabelled.then(on_redraw, given, outputs, api_name="review_analytics_language")


def _wire_language(tab: ReviewTab, viewer_of: ViewerOf, language: Language, page_language: Any) -> Any:
    """review_relabel: the tab's words follow the page's language picker (the returned event is chained)."""

    def on_relabel(page_language: str, request: gr.Request) -> list[Any]:
        viewer_of(request)
        return tab.relabel(_language(page_language, language))

    blocks = [block for block, _key in tab.marked]
    return page_language.change(on_relabel, page_language, blocks, api_name="review_relabel")


def build_review_tab(
    handlers: ReviewHandlers,
    viewer_of: ViewerOf,
    language: Language,
    *,
    page_language: gr.components.Component | None = None,
    visible: bool = True,
) -> ReviewTab:
    """Lay out and wire the Review tab in the current Blocks (inside a gr.Tabs) context, its words in
    `language` until `page_language` (the page's language picker; none: the tab keeps `language`) changes."""
    lab = Labeller(handlers.texts, language)
    with lab.make(gr.Tab, "tab", id="review", elem_id="review-tab", visible=visible) as tab:
        chosen = page_language if page_language is not None else gr.State(language)
        filters = _filters(lab)
        apply = lab.make(gr.Button, "apply", elem_id="review-apply", variant="primary", size="sm")
        table = gr.Dataframe(interactive=False, wrap=True, elem_id="review-table", show_label=False,
                             max_height=360, column_widths=COLUMN_WIDTHS)  # fmt: skip
        table_notice = gr.HTML("", elem_id="review-table-notice")
        session = _session_panel(lab)
        form = _review_form(lab)
        _import_export(handlers, viewer_of, lab, chosen)
        redraw_charts = _analytics(AnalyticsHandlers(handlers.review, handlers.texts), viewer_of, lab, chosen)
    review = ReviewTab(tab=tab, table=table, texts=handlers.texts, marked=lab.marked)
    relabelled = _wire_language(review, viewer_of, language, chosen)
    redraw_charts(relabelled)
    parts = {"tab": tab, "filters": filters, "apply": apply, "table": table, "table_notice": table_notice,
             "page_language": chosen, "relabelled": relabelled, **session, "form": form}  # fmt: skip
    _wire_table(handlers, viewer_of, language, parts)
    _wire_session(handlers, viewer_of, language, parts)
    return review
