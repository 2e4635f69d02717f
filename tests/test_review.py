"""The review workspace service: filters and sorting (pure), details with the grader-vs-trainer
comparison, saving labels, re-grading, and the role checks (trainees refused, called directly)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from review_setup import ANA, BEA, CALL_EN, CALL_ES, TRAINER, import_calls, make_services, upload

from roleplay.auth import LOCAL
from roleplay.domain import CRITERION_IDS
from roleplay.services.imports import ImportService
from roleplay.services.practice import SessionNotFound
from roleplay.services.review import (
    LabelInput,
    ReviewDenied,
    ReviewRow,
    ReviewService,
    SessionFilters,
    compare,
    filter_and_sort,
)


def row(rid: str, owner: str = "ana", **changes: object) -> ReviewRow:
    fields: dict[str, object] = {
        "id": rid, "owner": owner, "persona_id": "student", "language": "es", "source": "practice",
        "created_at": datetime(2026, 3, 10, 12, tzinfo=UTC), "turns": 4, "grade_status": "done",
        "overall": 3.0, "hard": 3.0, "soft": 3.0, "quadrant": "ineffective",
    }  # fmt: skip
    return ReviewRow.model_validate(fields | changes)


ROWS = [
    row("a1", overall=4.2, quadrant="target", created_at=datetime(2026, 3, 1, tzinfo=UTC)),
    row("a2", language="en", overall=2.0, flags=["abusive_language"], created_at=datetime(2026, 3, 5, tzinfo=UTC)),
    row(
        "b1",
        owner="bea",
        persona_id="elderly_confused",
        overall=3.6,
        quadrant="submissive",
        flags=["grader_manipulation"],
    ),
    row(
        "b2",
        owner="bea",
        grade_status="ungraded",
        overall=None,
        hard=None,
        soft=None,
        quadrant=None,
        created_at=datetime(2026, 3, 12, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SessionFilters(), ["b2", "b1", "a2", "a1"]),
        (SessionFilters(trainee="bea"), ["b2", "b1"]),
        (SessionFilters(persona_id="elderly_confused"), ["b1"]),
        (SessionFilters(language="en"), ["a2"]),
        (SessionFilters(since=date(2026, 3, 5)), ["b2", "b1", "a2"]),
        (SessionFilters(until=date(2026, 3, 5)), ["a2", "a1"]),
        (SessionFilters(since=date(2026, 3, 10), until=date(2026, 3, 10)), ["b1"]),
        (SessionFilters(quadrant="target"), ["a1"]),
        (SessionFilters(flag="any"), ["b1", "a2"]),
        (SessionFilters(flag="none"), ["b2", "a1"]),
        (SessionFilters(flag="grader_manipulation"), ["b1"]),
        (SessionFilters(grade_status="ungraded"), ["b2"]),
        (SessionFilters(sort_by="overall"), ["a1", "b1", "a2", "b2"]),
        (SessionFilters(sort_by="overall", descending=False), ["a2", "b1", "a1", "b2"]),
        (SessionFilters(sort_by="trainee", descending=False), ["a1", "a2", "b1", "b2"]),
    ],
)
def test_filter_and_sort(filters: SessionFilters, expected: list[str]) -> None:
    assert [r.id for r in filter_and_sort(ROWS, filters)] == expected


@pytest.fixture
def services(tmp_path: Path) -> tuple[ReviewService, ImportService, list[str]]:
    _practice, review, imports = make_services(tmp_path)
    ana = import_calls(imports, "ana", upload("ana.txt", CALL_ES))
    bea = import_calls(imports, "bea", upload("bea.txt", CALL_EN))
    return review, imports, ana + bea


def scores(value: int, **changes: int) -> dict[str, int]:
    return {c: changes.get(c, value) for c in CRITERION_IDS}


async def test_detail_compares_grader_and_newest_label(
    services: tuple[ReviewService, ImportService, list[str]],
) -> None:
    review, _imports, (ana_call, _bea_call) = services
    graded = await review.regrade(TRAINER, ana_call)
    assert graded.status == "done" and graded.grade is not None
    review.save_label(TRAINER, ana_call, LabelInput.model_validate({"scores": scores(2)}))
    review.save_label(TRAINER, ana_call, LabelInput.model_validate({"scores": scores(5, S1=1), "comment": " ok "}))
    detail = review.detail(TRAINER, ana_call)
    assert [label.comment for label in detail.labels] == ["", "ok"]
    by_id = {c.id: c for c in detail.comparison}
    assert by_id["S1"].trainer == 1 and by_id["P1"].trainer == 5
    assert by_id["P1"].grader == graded.grade.scores["P1"]
    assert by_id["P1"].difference == 5 - graded.grade.scores["P1"]
    assert detail.source == "imported" and detail.external_id == "ana"


def test_compare_without_grade_or_label() -> None:
    assert all(c.grader is None and c.trainer is None and c.difference is None for c in compare(None, None))


def test_saved_label_records_reviewer_time_and_flags(services: tuple[ReviewService, ImportService, list[str]]) -> None:
    review, _imports, (ana_call, _b) = services
    before = datetime.now(UTC)
    label = review.save_label(
        TRAINER, ana_call, LabelInput.model_validate({"scores": scores(3), "flags": ["abusive_language"]})
    )
    assert label.reviewer == "tere" and label.created_at >= before and label.flags == ["abusive_language"]
    assert review.rows(TRAINER, SessionFilters(trainee="ana"))[0].labels == 1


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"scores": scores(3, P1=6)}, "less than or equal to 5"),
        ({"scores": {"P1": 3}}, "scores lack P2"),
        ({"scores": scores(3), "flags": ["rude"]}, "unknown flags"),
    ],
)
def test_label_input_rejects_bad_reviews(payload: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LabelInput.model_validate(payload)


@pytest.mark.parametrize("viewer", [ANA, BEA])
async def test_trainees_are_refused_every_review_action(
    services: tuple[ReviewService, ImportService, list[str]], viewer: object
) -> None:
    review, imports, (ana_call, _b) = services
    label = LabelInput.model_validate({"scores": scores(3)})
    with pytest.raises(ReviewDenied):
        review.rows(viewer, SessionFilters())  # type: ignore[arg-type]
    with pytest.raises(ReviewDenied):
        review.detail(viewer, ana_call)  # type: ignore[arg-type]
    with pytest.raises(ReviewDenied):
        review.save_label(viewer, ana_call, label)  # type: ignore[arg-type]
    with pytest.raises(ReviewDenied):
        await review.regrade(viewer, ana_call)  # type: ignore[arg-type]
    with pytest.raises(ReviewDenied):
        imports.import_files(viewer, [upload("x.txt", CALL_ES)])  # type: ignore[arg-type]


def test_trainee_sees_only_their_own_sessions(services: tuple[ReviewService, ImportService, list[str]]) -> None:
    review, _imports, (ana_call, bea_call) = services
    assert [s.id for s in review.visible_sessions(ANA)] == [ana_call]
    assert review.labels(ANA, [ana_call, bea_call]) == {}
    with pytest.raises(SessionNotFound):
        review.readable_session(ANA, bea_call)


def test_unknown_session_and_local_user(services: tuple[ReviewService, ImportService, list[str]]) -> None:
    review, _imports, (ana_call, bea_call) = services
    with pytest.raises(SessionNotFound):
        review.detail(TRAINER, "no-such-id")
    assert {r.id for r in review.rows(LOCAL)} == {ana_call, bea_call}


# --------------------------------------------------------------------------- the Review tab's handlers and HTML


@pytest.mark.parametrize(
    ("text", "quotes", "html"),
    [
        ("Hola <b>Rosa</b>, le llamo", ["le  LLAMO"], "Hola &lt;b&gt;Rosa&lt;/b&gt;, <mark>le llamo</mark>"),
        ("pague ya, pague ya", ["pague ya"], "<mark>pague ya</mark>, <mark>pague ya</mark>"),
        ("abc def ghi", ["abc def", "def ghi"], "<mark>abc def ghi</mark>"),
        ("nothing here", ["absent"], "nothing here"),
    ],
)
def test_highlighted_escapes_and_marks_quotes(text: str, quotes: list[str], html: str) -> None:
    from roleplay.ui.review_html import highlighted

    assert highlighted(text, quotes) == html


async def test_open_marks_the_selected_criterion_only(services: tuple[ReviewService, ImportService, list[str]]) -> None:
    from roleplay.ui.review import ReviewHandlers

    review, _imports, (ana_call, _b) = services
    await review.regrade(TRAINER, ana_call)
    handlers = ReviewHandlers(review)
    marked = handlers.open(TRAINER, ana_call, "P1", "es")
    assert "<mark>Le llamo por la deuda de 1.240,50 euros" in marked.transcript and "P1 · " in marked.rationale
    assert "<mark>" not in handlers.open(TRAINER, ana_call, None, "es").transcript
    assert 'id="comparison-table"' in marked.comparison


async def test_handlers_refuse_trainees(
    services: tuple[ReviewService, ImportService, list[str]], tmp_path: Path
) -> None:
    from roleplay.ui.review import ReviewHandlers

    review, _imports, (ana_call, _b) = services
    handlers = ReviewHandlers(review)
    refused = "Solo los formadores pueden usar la revisión."
    table = handlers.table(ANA, "es", {})
    assert table.rows == [] and table.notice == refused
    panel = handlers.open(ANA, ana_call, "P1", "es")
    assert panel.transcript == "" and panel.notice == refused
    assert handlers.save(ANA, ana_call, [3] * 10, [], "", "es").notice == refused
    assert (await handlers.regrade(ANA, ana_call, "es")).notice == refused
    assert handlers.export(ANA, "csv") is None
    file = tmp_path / "x.txt"
    file.write_text(CALL_ES, encoding="utf-8")
    assert await handlers.import_files(ANA, [str(file)], "", False, "es", lambda d, t: None) == refused
    assert review.labels(TRAINER, [ana_call]) == {}


def test_handlers_save_and_filter(services: tuple[ReviewService, ImportService, list[str]]) -> None:
    from roleplay.ui.review import ReviewHandlers

    review, _imports, (ana_call, bea_call) = services
    handlers = ReviewHandlers(review)
    assert [r[0] for r in handlers.table(TRAINER, "en", {"trainee": "bea", "since": ""}).rows] == [bea_call]
    assert handlers.table(TRAINER, "en", {"since": "yesterday"}).notice.startswith("Not a date")
    saved = handlers.save(TRAINER, ana_call, [4, 4, 4, 4, 4, 2, 2, 2, 2, 2], ["abusive_language"], "bien", "en")
    assert saved.notice == "Review saved by tere." and "<td>S1</td><td>—</td><td>2</td>" in saved.comparison
    assert "scores lack" in handlers.save(TRAINER, ana_call, [4] * 9 + [None], [], "", "en").notice


# --------------------------------------------------------------------------- the Review tab through gradio_client

REFUSED_EN = "Only trainers can use the review workspace."
PASSWORD = "a long enough password"
NO_FILTERS = ("", "", "", "", "", "", "", "", "date", True)
REVIEW_CALLS: dict[str, tuple[object, ...]] = {
    "/review_table": NO_FILTERS,
    "/review_tab_opened": NO_FILTERS,
    "/review_open": ("{sid}", "P1"),
    "/review_open_by_id": ("{sid}", "P1"),
    "/review_highlight": ("{sid}", "S1"),
    "/review_save": ("{sid}", *[1] * 10, [], "a trainee's self-review", "P1"),
    "/review_regrade": ("{sid}", "P1"),
    "/review_export_jsonl": (),
    "/review_export_csv": (),
    "/review_analytics": ("",),
}


@pytest.fixture
def served_review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, ReviewService, list[str]]]:
    """The whole page (Practice + Review tabs) with ana, bea (trainees) and tere (trainer) signed up."""
    from argon2 import PasswordHasher
    from served_app import free_port

    import roleplay.auth.secrets_hashing as secrets_hashing
    from roleplay.auth.accounts import Accounts
    from roleplay.settings import ServeSettings
    from roleplay.ui.login import login_check
    from roleplay.ui.page import PAGE_CSS_PATH, build_practice_page

    monkeypatch.setattr(secrets_hashing, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    practice, review, imports = make_services(tmp_path)
    accounts = Accounts.of(practice.store)
    for name, role in (("ana", "trainee"), ("bea", "trainee"), ("tere", "trainer")):
        accounts.add_user(name, role, PASSWORD)
    ids = import_calls(imports, "ana", upload("ana.txt", CALL_ES)) + import_calls(
        imports, "bea", upload("b.txt", CALL_EN)
    )
    demo = build_practice_page(practice, ServeSettings(queue_concurrency=4), viewer_of=accounts.principal_for_name)
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                ssr_mode=False, css_paths=PAGE_CSS_PATH, auth=login_check(accounts))  # fmt: skip
    try:
        yield demo.local_url, review, ids
    finally:
        demo.close()


def client_as(url: str, name: str) -> Any:
    from gradio_client import Client

    return Client(url, auth=(name, PASSWORD), verbose=False)


def stored_state(review: ReviewService, ids: list[str]) -> tuple[int, int]:
    """(labels, grades) stored for the sessions."""
    store = review.practice.store
    return sum(map(len, store.labels(ids).values())), len(store.latest_grades(ids))


@pytest.mark.timeout(120)
def test_gradio_every_review_endpoint_refuses_a_trainee(
    served_review: tuple[str, ReviewService, list[str]], tmp_path: Path
) -> None:
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    url, review, ids = served_review
    ana = client_as(url, "ana")
    endpoints = set(ana.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert set(REVIEW_CALLS) | {"/review_import", "/review_select"} <= endpoints
    before = stored_state(review, ids)
    for sid in ids:  # her own call and bea's: the workspace is for trainers, whoever owns the call
        for endpoint, args in REVIEW_CALLS.items():
            result = ana.predict(*[sid if a == "{sid}" else a for a in args], api_name=endpoint)
            shown = repr(result)
            assert "Banco Sol" not in shown and "Rosa" not in shown and "<mark>" not in shown, endpoint
            if endpoint.startswith("/review_export"):
                assert result is None, endpoint
            else:
                assert REFUSED_EN in shown, endpoint
    with pytest.raises(AppError):  # a row click called by name has no row: a generic error, nothing shown
        ana.predict("P1", api_name="/review_select")
    call_file = tmp_path / "call.txt"
    call_file.write_text(CALL_EN, encoding="utf-8")
    assert REFUSED_EN in ana.predict([handle_file(str(call_file))], "ana", True, api_name="/review_import")
    assert stored_state(review, ids) == before
    assert len(review.rows(TRAINER)) == 2  # nothing imported by the trainee


@pytest.mark.timeout(120)
def test_gradio_a_trainer_filters_opens_highlights_and_saves(
    served_review: tuple[str, ReviewService, list[str]],
) -> None:
    url, review, (ana_call, bea_call) = served_review
    tere = client_as(url, "tere")
    table, notice = tere.predict("bea", "", "", "", "", "", "", "", "date", True, api_name="/review_table")
    assert [row[0] for row in table["data"]] == [bea_call] and not notice
    tere.predict(ana_call, "", api_name="/review_regrade")
    sid, transcript, rationale, *_rest, notice = tere.predict(ana_call, "P1", api_name="/review_open")
    assert sid == ana_call and "<mark>" in transcript and "P1 · " in rationale
    saved = tere.predict(ana_call, *[4] * 5, *[2] * 5, [], "clear on the debt", "P1", api_name="/review_save")
    assert "Review saved by tere." in repr(saved) and "<mark>" in saved[1]  # the highlight stays
    [label] = review.practice.store.labels([ana_call])[ana_call]
    assert label.reviewer == "tere" and label.scores["S1"] == 2 and label.comment == "clear on the debt"
    *plots, analytics_notice = tere.predict("", api_name="/review_analytics")
    assert [plot["value"]["type"] for plot in plots] == ["matplotlib"] * 4 and not analytics_notice
    table, _notice = tere.predict("bea", "", "", "", "", "", "", "", "date", True, "es", api_name="/review_table")
    assert table["headers"] == REVIEW_YAML["table_headers"]["es"].split("|")  # the page's language picker
    *_panel, panel_notice = tere.predict("", "P1", "es", api_name="/review_open")
    assert panel_notice.endswith(f"{REVIEW_YAML['no_session']['es']}</div>")


# --------------------------------------------------------------------------- the Review tab in the page's language

REVIEW_YAML = yaml.safe_load((Path(__file__).parents[1] / "prompts" / "ui" / "review.yaml").read_text("utf-8"))
RELABELLED_KEYS = [
    "tab", "filter_trainee", "filter_persona", "filter_language", "filter_since", "filter_until", "filter_quadrant",
    "filter_flag", "filter_status", "sort_by", "descending", "apply", "session_id", "open", "criterion",
    "review_flags", "comment", "save", "regrade", "import_title", "import_files", "import_owner", "import_grade",
    "import_button", "export_title", "export_jsonl", "export_csv", "analytics_title", "analytics_trainee",
    "analytics_refresh",
]  # fmt: skip


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_language_picker_relabels_every_word_of_the_review_tab(tmp_path: Path, language: str) -> None:
    import gradio as gr

    from roleplay.ui.layout import build_layout
    from roleplay.ui.page import PracticePage

    practice, _review, _imports = make_services(tmp_path)
    page = PracticePage(practice)
    with gr.Blocks(analytics_enabled=False) as demo:
        components = build_layout(page, "en")
    updates = components.review.relabel(language)  # type: ignore[arg-type]
    assert [update.get("label", update.get("value")) for update in updates] == [
        REVIEW_YAML[key][language] for key in RELABELLED_KEYS
    ]
    relabel = next(fn for fn in demo.fns.values() if fn.api_name == "review_relabel")
    assert [block._id for block in relabel.inputs] == [components.language._id]  # it follows the page's picker
    assert [block._id for block in relabel.outputs] == [block._id for block, _key in components.review.marked]
    chained = {fn.api_name for fn in demo.fns.values() if fn.trigger_after == relabel._id}
    assert chained == {"review_table_language", "review_panel_language", "review_analytics_language"}


@pytest.mark.parametrize("language", ["es", "en"])
async def test_review_handlers_write_the_table_panel_notices_and_charts_in_the_language(
    services: tuple[ReviewService, ImportService, list[str]], language: Any
) -> None:
    from roleplay.ui.analytics_view import AnalyticsHandlers
    from roleplay.ui.review import ReviewHandlers

    review, _imports, (ana_call, bea_call) = services
    words = {key: text[language] for key, text in REVIEW_YAML.items() if key != "version"}
    handlers = ReviewHandlers(review)
    table = handlers.table(TRAINER, language, {})
    assert table.headers == words["table_headers"].split("|") and len(table.headers) == len(table.rows[0])
    assert handlers.table(TRAINER, language, {"since": "yesterday"}).notice == words["bad_date"]
    assert handlers.table(ANA, language, {}).notice == words["trainers_only"]
    assert f"{words['agent']}" in handlers.open(TRAINER, ana_call, None, language).transcript
    assert handlers.open(TRAINER, None, None, language).notice == words["no_session"]
    for sid in (ana_call, bea_call):
        await review.regrade(TRAINER, sid)
    team = AnalyticsHandlers(review).team(TRAINER, language)
    assert team.heatmap is not None and team.heatmap.axes[0].get_title() == words["heatmap_title"]


# --------------------------------------------------------------------------- analytics charts (UI)


def scored(owner: str, day: int, score: int, **changes: int) -> Any:
    from roleplay.scoring import summarise
    from roleplay.services.analytics import ScoredCall

    given = {c: changes.get(c, score) for c in CRITERION_IDS}
    return ScoredCall(owner=owner, created_at=datetime(2026, 3, day, tzinfo=UTC), scores=given,
                      **summarise(given).model_dump())  # fmt: skip


TEAM = [scored("ana", 1, 2), scored("ana", 3, 4, S1=1), scored("ana", 5, 3), scored("bea", 2, 5)]


@pytest.mark.parametrize(("calls", "panels", "ticks"), [(TEAM, ["ana", "bea"], [1, 2, 3]), (TEAM[3:], ["bea"], [1])])
def test_progress_chart_has_a_panel_per_trainee_and_a_tick_per_call(
    calls: list[Any], panels: list[str], ticks: list[int]
) -> None:
    from roleplay.services.analytics import progress
    from roleplay.ui.analytics_charts import progress_chart
    from roleplay.ui.analytics_view import words_of
    from roleplay.ui.review_labels import review_texts

    figure = progress_chart(progress(calls), words_of(review_texts(), "en"))
    assert [axes.get_title(loc="left") for axes in figure.axes] == panels
    assert [int(t) for t in figure.axes[-1].get_xticks()] == ticks
    overall = figure.axes[0].lines[0]
    assert overall.get_label() == "Overall" and len(overall.get_ydata()) == len(ticks)


def test_heatmap_and_improvement_charts_show_the_figures() -> None:
    from roleplay.services.analytics import criterion_heatmap, first_vs_best
    from roleplay.ui.analytics_charts import heatmap_chart, improvement_chart
    from roleplay.ui.analytics_view import words_of
    from roleplay.ui.review_labels import review_texts

    words = words_of(review_texts(), "es")
    heat = heatmap_chart(criterion_heatmap(TEAM), words).axes[0]
    assert [t.get_text() for t in heat.get_yticklabels()] == ["ana", "bea"]
    assert {t.get_text() for t in heat.texts} == {"2.0", "3.0", "5.0"}  # ana's S1 (2, 1, 3), P1 (2, 4, 3), bea's 5
    assert heat.get_title() == "Media por criterio (equipo)"
    bars = improvement_chart(first_vs_best(TEAM), words).axes[0]
    assert bars.get_yticklabels()[0].get_text() == "ana (+1.7)"  # first 2.0, best 3.7


@pytest.mark.parametrize(("viewer", "team_notice", "mine_calls"), [(TRAINER, "", 0), (ANA, REFUSED_EN, 1)])
async def test_analytics_view_team_for_trainers_own_progress_for_everyone(
    services: tuple[ReviewService, ImportService, list[str]], viewer: Any, team_notice: str, mine_calls: int
) -> None:
    from roleplay.ui.analytics_view import AnalyticsHandlers

    review, _imports, (ana_call, bea_call) = services
    for sid in (ana_call, bea_call):
        await review.regrade(TRAINER, sid)
    analytics = AnalyticsHandlers(review)
    team = analytics.team(viewer, "en")
    assert team.notice == team_notice
    assert (team.heatmap is None) == bool(team_notice) and team.calls == (0 if team_notice else 2)
    mine = analytics.mine(viewer, "en")
    assert mine.calls == mine_calls and (mine.progress is None) == (mine_calls == 0)
    assert mine.heatmap is None  # a trainee's own view never shows the team
    if mine.progress is not None:
        assert [axes.get_title(loc="left") for axes in mine.progress.axes] == [viewer.name]
