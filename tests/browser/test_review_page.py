"""The trainers' Review tab in Chromium: a trainer signs in, opens the tab, filters the table, opens a
session by clicking its row, highlights a criterion's evidence (a <mark> around the quote), saves a
review (it is stored with the reviewer) and draws the team's analytics; a screenshot goes to
artifacts/. A trainee who signs in sees no Review tab (but her own progress charts), and its
endpoints refuse her by name.

The calls are imported and graded with the offline grader before the app starts (same database).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from browser_steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
REVIEW_LABELS = yaml.safe_load((ROOT / "prompts" / "ui" / "review.yaml").read_text(encoding="utf-8"))
PASSWORD = "a long enough password"
CALL_ES = (
    "Agente: Buenos días, ¿hablo con Rosa Pérez? Soy Ana, de Banco Sol.\n"
    "Deudor: Sí, soy yo. ¿Qué quiere?\n"
    "Agente: Le llamo por la deuda de 1.240,50 euros de su tarjeta, con 75 días de retraso. "
    "Entiendo que no es un buen momento. ¿Podría pagar 100 euros al mes a partir del día 5?\n"
    "Deudor: Bueno, 100 euros al mes sí podría.\n"
    "Agente: Perfecto, le envío hoy la confirmación por escrito. Gracias por su tiempo.\n"
)
CALL_EN = (
    "Agent: Good morning, am I speaking with Rosa Perez? This is Bea from Banco Sol.\n"
    "Debtor: Yes. What is it?\n"
    "Agent: You owe 1,240.50 euros on your card, 75 days overdue. Pay it today or else.\n"
    "Debtor: I could do that.\n"
)


@dataclass(frozen=True)
class ReviewApp:
    url: str
    db: str
    ana_call: str
    bea_call: str


def _seed(db: str) -> tuple[str, str]:
    """Users ana, bea (trainees) and tere (trainer); one imported, graded call each for ana and bea."""
    from roleplay.auth import Principal
    from roleplay.auth.accounts import Accounts
    from roleplay.services.factory import build_practice_service
    from roleplay.services.imports import ImportService, UploadedFile
    from roleplay.services.review import ReviewService

    service = build_practice_service(db, "offline")
    accounts = Accounts.of(service.store)
    for name, role in (("ana", "trainee"), ("bea", "trainee"), ("tere", "trainer")):
        accounts.add_user(name, role, PASSWORD)
    trainer = Principal("tere", "trainer")
    imports = ImportService(ReviewService(service))
    ids = []
    for owner, text in (("ana", CALL_ES), ("bea", CALL_EN)):
        report = imports.import_files(trainer, [UploadedFile(f"{owner}.txt", text.encode())], owner=owner)
        assert not report.problems, report.problems
        ids += report.session_ids
    grading = imports.grade_sessions(trainer, ids, lambda done, total: None)
    with ThreadPoolExecutor(1) as worker:  # Playwright's sync API already runs a loop in this thread
        worker.submit(asyncio.run, grading).result()
    return ids[0], ids[1]


@pytest.fixture(scope="module")
def review_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewApp]:
    from served_app import served_roleplay

    db = f"sqlite:///{tmp_path_factory.mktemp('review') / 'review.db'}"
    ana_call, bea_call = _seed(db)
    with served_roleplay(db=db) as url:
        yield ReviewApp(f"{url}/", db, ana_call, bea_call)


def table_shows(page: Any, session_id: str) -> bool:
    return bool(page.locator("#review-table span", has_text=session_id).count())


def test_a_trainer_filters_opens_highlights_and_saves_a_review(browser: Any, review_app: ReviewApp) -> None:
    from roleplay.store import open_store

    page = sign_in(browser, review_app.url, "tere", PASSWORD, viewport=(1360, 1000))
    page.get_by_role("tab", name=REVIEW_LABELS["tab"]["en"]).click()
    page.locator("#review-table span", has_text=review_app.bea_call).first.wait_for()  # opening the tab fills it
    assert table_shows(page, review_app.ana_call)

    page.locator("#review-trainee input, #review-trainee textarea").first.fill("ana")
    page.locator("#review-apply").click()
    page.locator("#review-table span", has_text=review_app.bea_call).first.wait_for(state="detached")
    assert table_shows(page, review_app.ana_call) and not table_shows(page, review_app.bea_call)

    page.locator("#review-table span", has_text=review_app.ana_call).first.click()  # a row click opens the session
    page.locator("#review-transcript .rp-turn").first.wait_for()
    assert page.locator("#review-transcript mark").count() == 0
    page.locator("#review-criterion label", has_text="P1").first.click()
    mark = page.locator("#review-transcript mark").first
    mark.wait_for()
    assert mark.inner_text() in CALL_ES and page.locator("#review-rationale").inner_text().startswith("P1 ·")
    assert "rp-usage" in page.locator("#review-usage").inner_html() or page.locator("#review-flags").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#review-transcript").screenshot(path=str(ARTIFACTS / "review-highlight.png"))

    page.locator("#review-comment textarea").fill("Clear on the debt; acknowledge the feelings first.")
    page.locator("#review-save").click()
    page.locator("#review-notice", has_text="Review saved by tere.").wait_for()
    assert page.locator("#review-transcript mark").count() >= 1  # the highlight stays after saving
    page.locator("#review-analytics").get_by_text(REVIEW_LABELS["analytics_title"]["en"]).click()
    page.locator("#analytics-refresh").click()
    page.locator("#analytics-heatmap img").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "review-tab-trainer.png"), full_page=True)
    page.get_by_role("tab", name="Practice").first.click()  # the picker sits in the Practice tab
    page.locator("#language label", has_text="Español").click()  # the page's picker relabels the Review tab too
    page.get_by_role("tab", name=REVIEW_LABELS["tab"]["es"]).click()
    page.locator("#review-apply", has_text=REVIEW_LABELS["apply"]["es"]).wait_for()
    page.locator("#review-table th", has_text=REVIEW_LABELS["table_headers"]["es"].split("|")[1]).first.wait_for()
    assert page.get_by_role("tab", name=REVIEW_LABELS["tab"]["es"]).is_visible()
    page.screenshot(path=str(ARTIFACTS / "review-tab-trainer-es.png"), full_page=True)
    page.context.close()

    [label] = open_store(review_app.db).labels([review_app.ana_call])[review_app.ana_call]
    assert label.reviewer == "tere" and label.comment.startswith("Clear on the debt")
    assert set(label.scores.values()) == {3}  # the form's default, one slider per criterion


def test_a_trainee_sees_no_review_workspace_and_its_endpoints_refuse_her(browser: Any, review_app: ReviewApp) -> None:
    from gradio_client import Client

    page = sign_in(browser, review_app.url, "ana", PASSWORD, viewport=(1360, 1000))
    page.locator("#my-sessions").wait_for()
    page.wait_for_timeout(1000)  # the load events (restore, show_review) have run
    tab = page.get_by_role("tab", name=REVIEW_LABELS["tab"]["en"])
    assert tab.count() == 0 or not tab.first.is_visible()
    assert not page.locator("#review-table").is_visible()
    page.locator("#my-progress").get_by_text("My progress").click()  # her own progress, under "my sessions"
    page.locator("#my-progress-refresh").click()
    page.locator("#my-progress-chart img").wait_for()
    page.locator("#my-quadrants-chart img").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-tab-trainee.png"), full_page=True)
    page.context.close()

    ana = Client(review_app.url, auth=("ana", PASSWORD), verbose=False)
    table, notice = ana.predict("", "", "", "", "", "", "", "", "date", True, api_name="/review_table")
    assert table["data"] in ([], [[]]) or not any(review_app.bea_call in map(str, row) for row in table["data"])
    assert REVIEW_LABELS["trainers_only"]["en"] in notice
    *_panel, panel_notice = ana.predict(review_app.bea_call, "P1", api_name="/review_open")
    assert REVIEW_LABELS["trainers_only"]["en"] in panel_notice and "Banco Sol" not in repr(_panel)
