"""Labels of the Review tab, loaded from prompts/ui/review.yaml (no gradio here)."""

from __future__ import annotations

from functools import cache

from roleplay.content import load_model, prompts_dir
from roleplay.domain import LocalText
from roleplay.ui.labels import LabelSet


class ReviewTexts(LabelSet):
    """prompts/ui/review.yaml: the Review tab."""

    tab: LocalText
    trainers_only: LocalText
    filter_trainee: LocalText
    filter_persona: LocalText
    filter_language: LocalText
    filter_since: LocalText
    filter_until: LocalText
    filter_quadrant: LocalText
    filter_flag: LocalText
    filter_status: LocalText
    sort_by: LocalText
    descending: LocalText
    apply: LocalText
    table_headers: LocalText
    session_id: LocalText
    open: LocalText
    criterion: LocalText
    agent: LocalText
    debtor: LocalText
    no_flags: LocalText
    compare_headers: LocalText
    review_flags: LocalText
    comment: LocalText
    save: LocalText
    saved: LocalText
    regrade: LocalText
    regraded: LocalText
    no_session: LocalText
    bad_date: LocalText
    import_title: LocalText
    import_files: LocalText
    import_owner: LocalText
    import_grade: LocalText
    import_button: LocalText
    imported: LocalText
    export_title: LocalText
    export_jsonl: LocalText
    export_csv: LocalText
    analytics_title: LocalText
    analytics_refresh: LocalText
    analytics_trainee: LocalText
    analytics_empty: LocalText
    progress_title: LocalText
    heatmap_title: LocalText
    quadrants_title: LocalText
    improvement_title: LocalText
    call_number: LocalText
    chart_overall: LocalText
    chart_hard: LocalText
    chart_soft: LocalText
    chart_first: LocalText
    chart_best: LocalText


@cache
def review_texts() -> ReviewTexts:
    return load_model(prompts_dir() / "ui" / "review.yaml", ReviewTexts)
