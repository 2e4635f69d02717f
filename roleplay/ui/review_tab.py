# mypy: disable-error-code="no-untyped-call"
# (gradio's generated event listeners and layout blocks carry no annotations)
"""The trainers' Review tab: build it inside the page's Blocks with `build_review_tab(...)`.

Every event resolves its viewer from the request (the same lookup as the practice page) and the
handlers check it, so calling the endpoints through gradio_client gives a trainee nothing.
Events: review_table, review_open, review_save, review_regrade, review_import, review_export_jsonl,
review_export_csv.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import gradio as gr

from roleplay.auth import Principal
from roleplay.domain import CRITERION_IDS, FLAG_IDS, Language
from roleplay.services.review import SORT_KEYS
from roleplay.ui.review import ReviewHandlers, ReviewPanel, ReviewTable

ViewerOf = Callable[[gr.Request | None], Principal]


def _notice(text: str) -> str:
    return f'<div class="rp-notice" role="status">{escape(text)}</div>' if text else ""


def _table(table: ReviewTable) -> list[Any]:
    return [{"headers": table.headers, "data": table.rows}, _notice(table.notice)]


def _panel(panel: ReviewPanel) -> list[Any]:
    return [panel.session_id or gr.skip(), panel.transcript, panel.rationale, panel.flags, panel.usage,
            panel.comparison, _notice(panel.notice)]  # fmt: skip


def build_review_tab(handlers: ReviewHandlers, viewer_of: ViewerOf, language: Language) -> gr.Tab:
    """Lay out and wire the Review tab in the current Blocks context."""
    t = lambda key: handlers.texts.text(key, language)  # noqa: E731
    with gr.Tab(t("tab"), elem_id="review-tab") as tab:
        with gr.Row():
            trainee = gr.Textbox(label=t("filter_trainee"), elem_id="review-trainee")
            persona = gr.Textbox(label=t("filter_persona"), elem_id="review-persona")
            lang = gr.Dropdown(["", "es", "en"], value="", label=t("filter_language"))
            since = gr.Textbox(label=t("filter_since"))
            until = gr.Textbox(label=t("filter_until"))
        with gr.Row():
            quadrant = gr.Dropdown(["", "target", "submissive", "adversarial", "ineffective"], value="",
                                   label=t("filter_quadrant"))  # fmt: skip
            flag = gr.Textbox(label=t("filter_flag"))
            status = gr.Dropdown(["", "ungraded", "pending", "done", "failed", "needs_review"], value="",
                                 label=t("filter_status"))  # fmt: skip
            sort_by = gr.Dropdown(list(SORT_KEYS), value="date", label=t("sort_by"))
            descending = gr.Checkbox(True, label=t("descending"))
        apply = gr.Button(t("apply"), elem_id="review-apply")
        table = gr.Dataframe(interactive=False, wrap=True, elem_id="review-table", show_label=False)
        table_notice = gr.HTML("")
        with gr.Row():
            session_id = gr.Textbox(label=t("session_id"), elem_id="review-session-id", scale=4)
            open_button = gr.Button(t("open"), elem_id="review-open", scale=1)
        criterion = gr.Radio(["", *CRITERION_IDS, *FLAG_IDS, "grader_manipulation"], value="", label=t("criterion"),
                             elem_id="review-criterion")  # fmt: skip
        with gr.Row():
            transcript = gr.HTML("", elem_id="review-transcript")
            with gr.Column():
                rationale = gr.HTML("", elem_id="review-rationale")
                flags = gr.HTML("", elem_id="review-flags")
                usage = gr.HTML("", elem_id="review-usage")
                comparison = gr.HTML("", elem_id="review-comparison")
        with gr.Row():
            scores = [
                gr.Slider(1, 5, value=3, step=1, label=cid, elem_id=f"review-score-{cid}") for cid in CRITERION_IDS
            ]
        review_flags = gr.CheckboxGroup(list(FLAG_IDS), label=t("review_flags"))
        comment = gr.Textbox(label=t("comment"), lines=2, elem_id="review-comment")
        with gr.Row():
            save = gr.Button(t("save"), variant="primary", elem_id="review-save")
            regrade = gr.Button(t("regrade"), elem_id="review-regrade")
        notice = gr.HTML("", elem_id="review-notice")
        with gr.Accordion(t("import_title"), open=False):
            files = gr.File(label=t("import_files"), file_count="multiple", type="filepath")
            owner = gr.Textbox(label=t("import_owner"))
            grade_now = gr.Checkbox(False, label=t("import_grade"))
            import_button = gr.Button(t("import_button"))
            import_notice = gr.Textbox(show_label=False, interactive=False, lines=3)
        with gr.Accordion(t("export_title"), open=False), gr.Row():
            export_jsonl = gr.Button(t("export_jsonl"))
            export_csv = gr.Button(t("export_csv"))
            export_file = gr.File(show_label=False, interactive=False)

    filters = [trainee, persona, lang, since, until, quadrant, flag, status, sort_by, descending]
    names = ["trainee", "persona_id", "language", "since", "until", "quadrant", "flag", "grade_status", "sort_by",
             "descending"]  # fmt: skip
    panel_out = [session_id, transcript, rationale, flags, usage, comparison, notice]

    def on_table(*values: Any, request: gr.Request) -> list[Any]:
        return _table(handlers.table(viewer_of(request), language, dict(zip(names, values, strict=True))))

    def on_open(sid: str, chosen: str, request: gr.Request) -> list[Any]:
        return _panel(handlers.open(viewer_of(request), sid, chosen or None, language))

    def on_select(event: gr.SelectData, chosen: str, request: gr.Request) -> list[Any]:
        row = event.row_value or []
        return _panel(handlers.open(viewer_of(request), str(row[0]) if row else None, chosen or None, language))

    def on_save(sid: str, *rest: Any, request: gr.Request) -> list[Any]:
        *values, chosen_flags, text = rest
        return _panel(handlers.save(viewer_of(request), sid, values, chosen_flags or [], text, language))

    async def on_regrade(sid: str, request: gr.Request) -> list[Any]:
        return _panel(await handlers.regrade(viewer_of(request), sid, language))

    async def on_import(paths: list[str] | None, who: str, now: bool, request: gr.Request,
                        progress: gr.Progress = gr.Progress()) -> str:  # fmt: skip  # noqa: B008
        report = lambda done, total: progress((done, total))  # noqa: E731
        return await handlers.import_files(viewer_of(request), paths or [], who, now, language, report)

    def on_export_jsonl(request: gr.Request) -> str | None:
        return handlers.export(viewer_of(request), "jsonl")

    def on_export_csv(request: gr.Request) -> str | None:
        return handlers.export(viewer_of(request), "csv")

    apply.click(on_table, filters, [table, table_notice], api_name="review_table")
    open_button.click(on_open, [session_id, criterion], panel_out, api_name="review_open")
    criterion.change(on_open, [session_id, criterion], panel_out, api_name="review_highlight")
    table.select(on_select, [criterion], panel_out, api_name="review_select")
    save.click(on_save, [session_id, *scores, review_flags, comment], panel_out, api_name="review_save")
    regrade.click(on_regrade, [session_id], panel_out, api_name="review_regrade")
    import_button.click(on_import, [files, owner, grade_now], import_notice, api_name="review_import")
    export_jsonl.click(on_export_jsonl, None, export_file, api_name="review_export_jsonl")
    export_csv.click(on_export_csv, None, export_file, api_name="review_export_csv")
    return tab  # type: ignore[no-any-return]
