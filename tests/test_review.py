"""The review workspace service: filters and sorting (pure), details with the grader-vs-trainer
comparison, saving labels, re-grading, and the role checks (trainees refused, called directly)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
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
