"""The practice page's handlers, called directly (no browser, no server).

A deterministic fake debtor and a fixed grader keep these tests about the page: what it shows,
what it keeps when input is refused, and how it escapes text from the call.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from html import escape
from pathlib import Path

import pytest

from roleplay.auth import LOCAL
from roleplay.content import ContentError, load_rubric
from roleplay.domain import (
    CRITERION_IDS,
    CriterionScore,
    Evidence,
    Feedback,
    FeedbackItem,
    FlagFinding,
    Grade,
    Transcript,
    Turn,
)
from roleplay.protocols import CallSetup, CallState, EndpointUnavailable, GradingFailed
from roleplay.scoring import summarise
from roleplay.services.practice import MAX_MESSAGE_CHARS, PracticeService
from roleplay.store import open_store
from roleplay.ui.chat import trust_indicator_html
from roleplay.ui.handlers import CallHandlers
from roleplay.ui.labels import labels, load_labels
from roleplay.ui.persona_picker import difficulty_stars
from roleplay.ui.scorecard_handler import ScorecardHandler
from roleplay.ui.views import CallView

INJECTION = '<img src="http://example.invalid/x.png" onerror="alert(1)"><script>alert(2)</script>'


class FakeDebtor:
    """Replies 'I hear you (n)'; 'deal' closes an agreement, 'bye' makes the debtor hang up,
    'inject' makes the reply carry HTML."""

    name = "fake"
    model = "fake-model"

    def opening_line(self, setup: CallSetup) -> str | None:
        return "¿Diga?" if setup.language == "es" else "Hello? Who is this?"

    def _reply(self, history: Sequence[Turn]) -> str:
        last = history[-1].text
        agent_turns = sum(t.role == "agent" for t in history)
        return f"I hear you ({agent_turns}) {INJECTION}" if "inject" in last else f"I hear you ({agent_turns}) now"

    async def stream_reply(self, setup: CallSetup, history: Sequence[Turn]) -> AsyncIterator[str]:
        words = self._reply(history).split(" ")
        for index, word in enumerate(words):
            yield word if index == len(words) - 1 else word + " "

    def call_state(self, setup: CallSetup, history: Sequence[Turn]) -> CallState:
        agent = [t.text for t in history if t.role == "agent"]
        trust = min(1.0, 0.2 + 0.1 * len(agent))
        last = agent[-1] if agent else ""
        reason = "agreement" if "deal" in last else "debtor_hung_up" if "bye" in last else None
        return CallState(trust=trust, mood="guarded", stage="talk", ended=reason is not None, end_reason=reason)


class FixedGrader:
    """Every criterion 4 except S1 = 2; 'jail' in the call raises a compliance flag."""

    name = "fixed"
    version = "1"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail

    async def grade(self, transcript: Transcript) -> Grade:
        if self.fail:
            raise GradingFailed("the grader reply was not JSON")
        scores = {c: (2 if c == "S1" else 4) for c in CRITERION_IDS}
        summary = summarise(scores)
        flagged = [i for i, t in enumerate(transcript.turns) if "jail" in t.text]
        flags = [FlagFinding(id="threat_of_illegal_or_unintended_action", evidence=[Evidence(turn=i, quote="jail")])
                 for i in flagged]  # fmt: skip
        criteria = [CriterionScore(id=c, score=s, rationale=f"why {c} <b>", evidence=[Evidence(turn=1, quote="q")])
                    for c, s in scores.items()]  # fmt: skip
        feedback = Feedback(improvements=[FeedbackItem(criterion="S1", text="Acknowledge.", example="I understand.")])
        return Grade(id=transcript.id, scores=scores, **summary.model_dump(), flags=flags, criteria=criteria,
                     feedback=feedback, passed=not flags, language=transcript.language, grader="fixed",
                     grader_version="1", rubric_version=load_rubric().version)  # fmt: skip


def make_service(tmp_path: Path, grader: FixedGrader | None = None) -> PracticeService:
    store = open_store(f"sqlite:///{tmp_path / 'ui.db'}")
    return PracticeService(store, FakeDebtor(), grader or FixedGrader(), backend="offline", model="fake-model")


@pytest.fixture
def service(tmp_path: Path) -> PracticeService:
    return make_service(tmp_path)


@pytest.fixture
def calls(service: PracticeService) -> CallHandlers:
    return CallHandlers(service)


async def collect(calls: CallHandlers, session_id: str | None, text: str, language: str = "en") -> list[CallView]:
    return [view async for view in calls.send(LOCAL, session_id, text, language)]  # type: ignore[arg-type]


def persona_id(service: PracticeService) -> str:
    return service.personas("en")[0].id


# --------------------------------------------------------------------------- labels and picker


def test_labels_file_has_every_key_in_both_languages() -> None:
    loaded = labels()
    for key in type(loaded).model_fields:
        if key != "version":
            assert loaded.text(key, "es") and loaded.text(key, "en")


def test_labels_file_with_an_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    source = (Path(__file__).parent.parent / "prompts" / "ui" / "labels.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "labels.yaml"
    broken.write_text(source + 'stray_key: {es: "x", en: "y"}\n', encoding="utf-8")
    with pytest.raises(ContentError, match="stray_key"):
        load_labels(broken)


@pytest.mark.parametrize(("difficulty", "stars"), [(1, "★☆☆"), (2, "★★☆"), (3, "★★★")])
def test_difficulty_is_shown_as_stars(difficulty: int, stars: str) -> None:
    assert difficulty_stars(difficulty) == stars


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "Backend: offline (scripted debtor, rule grader)"),
        ("es", "Motor: offline (deudor guionizado, evaluador por reglas)"),
    ],
)
def test_header_names_the_backend(calls: CallHandlers, language: str, line: str) -> None:
    assert calls.backend_line(language) == line  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["es", "en"])
def test_picker_lists_every_persona_in_the_language(calls: CallHandlers, service: PracticeService,
                                                     language: str) -> None:  # fmt: skip
    cards = service.personas(language)
    picker = calls.picker(language, cards[1].id)  # type: ignore[arg-type]
    assert [value for _, value in picker.choices] == [card.id for card in cards]
    assert picker.selected == cards[1].id
    assert "rp-selected" in picker.cards_html and cards[0].summary.split()[0] in picker.cards_html
    vulnerable = [label for (label, value), card in zip(picker.choices, cards, strict=True) if card.vulnerable]
    assert vulnerable and all("vulnerable" in label for label in vulnerable)


def test_picker_forgets_an_unknown_selection(calls: CallHandlers) -> None:
    assert calls.picker("en", "nobody").selected is None


# --------------------------------------------------------------------------- the call


@pytest.mark.parametrize(("mode", "training"), [("training", True), ("assessment", False)])
def test_start_call_shows_the_opening_and_opens_the_input(calls: CallHandlers, service: PracticeService, mode: str,
                                                          training: bool) -> None:  # fmt: skip
    view = calls.start_call(LOCAL, persona_id(service), "en", mode)
    assert view.session_id and view.input_open and not view.ended
    assert view.chat == [{"role": "assistant", "content": "Hello? Who is this?"}]
    assert view.training is training


@pytest.mark.parametrize(("language", "notice"), [("en", "Pick a debtor first."), ("es", "Elija primero un deudor.")])
def test_start_call_without_a_persona_says_so(calls: CallHandlers, language: str, notice: str) -> None:
    view = calls.start_call(LOCAL, None, language, "training")  # type: ignore[arg-type]
    assert view.session_id is None and view.notice == notice


async def test_send_shows_the_message_then_streams_the_reply(calls: CallHandlers, service: PracticeService) -> None:
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    views = await collect(calls, start.session_id, "Hello, I am Ana from Banco Sol.")
    assert views[0].chat[-1] == {"role": "user", "content": "Hello, I am Ana from Banco Sol."}
    assert views[0].message == ""
    assert not any(v.input_open for v in views[:-1]), "no second message while the debtor speaks"
    partial = [v.chat[-1]["content"] for v in views[1:-1]]
    assert len(partial) >= 3 and partial == sorted(partial, key=len)
    assert views[-1].chat[-1] == {"role": "assistant", "content": "I hear you (1) now"}
    assert "30%" in views[-1].indicator and views[-1].input_open


@pytest.mark.parametrize(
    ("text", "notice"),
    [
        ("", "The message is empty: type what you want to say."),
        ("   \n\t ", "The message is empty: type what you want to say."),
        ("\x00\x07\u200b", "The message is empty: type what you want to say."),
        ("x" * (MAX_MESSAGE_CHARS + 1), f"The message is too long ({MAX_MESSAGE_CHARS + 1} characters; the limit is"),
    ],
)
async def test_bad_input_is_refused_and_kept(calls: CallHandlers, service: PracticeService, text: str,
                                             notice: str) -> None:  # fmt: skip
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    [view] = await collect(calls, start.session_id, text)
    assert view.notice.startswith(notice)
    assert view.message == text and view.input_open
    assert len(service.get_session(LOCAL, start.session_id or "").turns) == 1


async def test_control_characters_are_stripped_from_an_accepted_message(calls: CallHandlers,
                                                                        service: PracticeService) -> None:  # fmt: skip
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    views = await collect(calls, start.session_id, "Hel\x00lo\u200b there")
    assert views[-1].chat[-2]["content"] == "Hello there"


async def test_send_without_a_call_says_so_and_keeps_the_text(calls: CallHandlers) -> None:
    [view] = await collect(calls, None, "Hello", "es")
    assert view.notice == "No hay ninguna llamada en curso: empiece una." and view.message == "Hello"


async def test_send_after_hang_up_says_the_call_is_over(calls: CallHandlers, service: PracticeService) -> None:
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    calls.hang_up(LOCAL, start.session_id, "en")
    [view] = await collect(calls, start.session_id, "Are you there?")
    assert view.notice == "The call is over: start a new one."
    assert view.message == "Are you there?" and not view.input_open


@pytest.mark.parametrize(("text", "notice"), [("It's a deal then", "The call has ended: agreement closed."),
                                              ("bye", "The call has ended: the debtor hung up.")])  # fmt: skip
async def test_the_debtor_can_end_the_call(calls: CallHandlers, service: PracticeService, text: str,
                                           notice: str) -> None:  # fmt: skip
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    views = await collect(calls, start.session_id, text)
    assert views[-1].ended and not views[-1].input_open and views[-1].notice == notice


async def test_text_from_the_call_is_escaped_never_rendered(calls: CallHandlers, service: PracticeService) -> None:
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    views = await collect(calls, start.session_id, f"inject {INJECTION}")
    shown = views[-1].chat[-2]["content"] + views[-1].chat[-1]["content"]
    assert "<img" not in shown and "<script" not in shown
    assert "&lt;img src=&quot;http://example.invalid/x.png&quot;" in shown


def test_trust_indicator_shows_percentage_and_mood_word() -> None:
    state = CallState(trust=0.46, mood="cooperative", stage="talk")
    html = trust_indicator_html(state, labels(), "es")
    assert "46%" in html and "colaborador" in html and "width:46%" in html


# --------------------------------------------------------------------------- scorecard, history, reload


async def test_hang_up_then_scorecard(calls: CallHandlers, service: PracticeService) -> None:
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    await collect(calls, start.session_id, "Hello, I am Ana.")
    ended = calls.hang_up(LOCAL, start.session_id, "en")
    assert ended.ended and not ended.input_open and ended.notice == "The call has ended: you hung up."
    card = await ScorecardHandler(service).scorecard(LOCAL, start.session_id, "en")
    assert card is not None and card.visible and not card.retry
    assert "✔ No compliance flags" in card.summary and "3.80" in card.summary
    assert "why S1 &lt;b&gt;" in card.details and card.details.count('class="rp-criterion"') == 10
    assert "Try saying: «I understand.»" in card.feedback
    bars = card.criteria_chart.axes[0].patches  # type: ignore[union-attr]
    assert [round(bar.get_width()) for bar in bars] == [4, 4, 4, 4, 4, 2, 4, 4, 4, 4]
    assert json.loads(Path(card.grade_file or "").read_text())["scores"]["S1"] == 2
    assert json.loads(Path(card.transcript_file or "").read_text())["turns"][1]["text"] == "Hello, I am Ana."


async def test_a_compliance_flag_fails_the_session_whatever_the_score(calls: CallHandlers,
                                                                      service: PracticeService) -> None:  # fmt: skip
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    await collect(calls, start.session_id, "Pay or you go to jail.")
    calls.hang_up(LOCAL, start.session_id, "en")
    card = await ScorecardHandler(service).scorecard(LOCAL, start.session_id, "es")
    assert card is not None and 'class="rp-banner rp-fail"' in card.summary
    assert "SUSPENDIDA por cumplimiento normativo" in card.summary and "Amenaza ilegal o no prevista" in card.summary


async def test_no_scorecard_while_the_call_goes_on(calls: CallHandlers, service: PracticeService) -> None:
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    assert await ScorecardHandler(service).scorecard(LOCAL, start.session_id, "en") is None
    assert await ScorecardHandler(service).scorecard(LOCAL, None, "en") is None


async def test_failed_grading_offers_a_retry_and_keeps_the_call(tmp_path: Path) -> None:
    failing = make_service(tmp_path, FixedGrader(fail=True))
    calls = CallHandlers(failing)
    start = calls.start_call(LOCAL, persona_id(failing), "en", "training")
    await collect(calls, start.session_id, "Hello")
    calls.hang_up(LOCAL, start.session_id, "en")
    card = await ScorecardHandler(failing).scorecard(LOCAL, start.session_id, "en")
    assert card is not None and card.retry and not card.visible
    assert card.notice == "The call could not be graded (failed): the grader reply was not JSON"
    working = make_service(tmp_path)
    again = await ScorecardHandler(working).scorecard(LOCAL, start.session_id, "en")
    assert again is not None and again.visible


async def test_past_calls_are_drawn_faded_behind_the_current_one(calls: CallHandlers,
                                                                  service: PracticeService) -> None:  # fmt: skip
    handler = ScorecardHandler(service)
    for _ in range(2):
        start = calls.start_call(LOCAL, persona_id(service), "en", "training")
        await collect(calls, start.session_id, "Hello")
        calls.hang_up(LOCAL, start.session_id, "en")
        card = await handler.scorecard(LOCAL, start.session_id, "en")
    assert card is not None
    past, current = card.quadrant_chart.axes[0].collections  # type: ignore[union-attr]
    assert len(past.get_offsets()) == 1 and past.get_alpha() < 0.5 and current.get_alpha() is None
    stances = {text.get_text() for text in card.quadrant_chart.axes[0].texts}  # type: ignore[union-attr]
    assert "Hard on the problem, soft on people" in stances and "Ineffective" in stances


@pytest.mark.parametrize(
    ("language", "columns", "ended", "active"),
    [
        (
            "es",
            ("Fecha", "Global", "Estado", "Turnos", "Modo"),
            ("terminada", "entrenamiento"),
            ("en curso", "evaluación"),
        ),
        ("en", ("Date", "Overall", "Status", "Turns", "Mode"), ("ended", "training"), ("in progress", "assessment")),
    ],
)
async def test_my_sessions_lists_calls_with_scores_in_the_page_language(
    calls: CallHandlers, service: PracticeService, language: str, columns: tuple[str, ...],
    ended: tuple[str, str], active: tuple[str, str],
) -> None:  # fmt: skip
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    await collect(calls, start.session_id, "Hello")
    calls.hang_up(LOCAL, start.session_id, "en")
    await ScorecardHandler(service).scorecard(LOCAL, start.session_id, "en")
    calls.start_call(LOCAL, persona_id(service), "en", "assessment")
    table = calls.my_sessions(LOCAL, language)  # type: ignore[arg-type]
    date, overall, status, turns, mode = columns
    assert table.headers[0] == date and len(table.rows) == 2
    rows = {row[table.headers.index(status)]: dict(zip(table.headers, row, strict=True)) for row in table.rows}
    assert set(rows) == {ended[0], active[0]}  # never the raw "ended"/"active" in Spanish
    assert rows[ended[0]][overall] == 3.8 and rows[ended[0]][turns] == 3 and rows[ended[0]][mode] == ended[1]
    assert rows[active[0]][mode] == active[1] and rows[active[0]][overall] == ""


def test_an_unfinished_call_is_restored_after_a_reload(calls: CallHandlers, service: PracticeService) -> None:
    assert calls.restore(LOCAL) is None
    start = calls.start_call(LOCAL, service.personas("es")[0].id, "es", "assessment")
    restored = CallHandlers(service).restore(LOCAL)
    assert restored is not None and restored.call.session_id == start.session_id
    assert (restored.language, restored.mode) == ("es", "assessment") and restored.call.input_open
    calls.hang_up(LOCAL, start.session_id, "es")
    assert calls.restore(LOCAL) is None


@pytest.mark.parametrize(
    ("text", "shown"),
    [("I understand.", "«I understand.»"), ("«Le entiendo.»", "«Le entiendo.»"), ('"Sure."', '"Sure."')],
)
def test_example_rewrites_are_quoted_once(text: str, shown: str) -> None:
    from roleplay.ui.scorecard import quoted

    assert quoted(text) == shown


# --------------------------------------------------------------------------- the model fails: retry the reply


class FlakyDebtor(FakeDebtor):
    """Fails (EndpointUnavailable) the next `failures` replies, after streaming `partial` words, then works."""

    def __init__(self, failures: int = 1, partial: str = "") -> None:
        self.failures = failures
        self.partial = partial
        self.asked = 0

    async def stream_reply(self, setup: CallSetup, history: Sequence[Turn]) -> AsyncIterator[str]:
        self.asked += 1
        if self.failures:
            self.failures -= 1
            if self.partial:
                yield self.partial
            raise EndpointUnavailable("The debtor model timed out after 3 tries.")
        async for chunk in super().stream_reply(setup, history):
            yield chunk


def flaky_service(tmp_path: Path, debtor: FlakyDebtor) -> PracticeService:
    store = open_store(f"sqlite:///{tmp_path / 'flaky.db'}")
    return PracticeService(store, debtor, FixedGrader(), backend="openai", model="fake-model")


def stored_roles(service: PracticeService, session_id: str) -> list[tuple[str, str]]:
    return [(t.role, t.status) for t in service.get_session(LOCAL, session_id).turns]


@pytest.mark.parametrize(
    ("language", "partial", "notice"),
    [
        ("en", "", "The debtor could not reply (the model did not answer): The debtor model timed out"),
        ("es", "Mire, yo", "El deudor no ha podido responder (el modelo no contesta): The debtor model timed out"),
    ],
)
async def test_a_failed_reply_offers_retry_and_the_retry_stores_no_second_agent_turn(
    tmp_path: Path, language: str, partial: str, notice: str
) -> None:
    debtor = FlakyDebtor(failures=1, partial=partial)
    service = flaky_service(tmp_path, debtor)
    calls = CallHandlers(service)
    start = calls.start_call(LOCAL, persona_id(service), language, "training")  # type: ignore[arg-type]
    failed = (await collect(calls, start.session_id, "Hello, is that Elena?", language))[-1]
    assert failed.notice.startswith(notice) and failed.retry and failed.input_open
    kept = [("debtor", "complete"), ("agent", "complete")] + ([("debtor", "incomplete")] if partial else [])
    assert stored_roles(service, start.session_id) == kept  # type: ignore[arg-type]
    retried = [view async for view in calls.retry(LOCAL, start.session_id, language)]  # type: ignore[arg-type]
    done = retried[-1]
    assert not done.retry and done.input_open and not done.notice
    assert done.chat[-1] == {"role": "assistant", "content": "I hear you (1) now"}
    turns = stored_roles(service, start.session_id)  # type: ignore[arg-type]
    assert [role for role, _ in turns].count("agent") == 1 and turns[-1] == ("debtor", "complete")
    assert debtor.asked == 2


async def test_retry_without_a_failed_reply_says_there_is_nothing_to_retry(tmp_path: Path) -> None:
    service = flaky_service(tmp_path, FlakyDebtor(failures=0))
    calls = CallHandlers(service)
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    await collect(calls, start.session_id, "Hello")
    [*_, view] = [v async for v in calls.retry(LOCAL, start.session_id, "en")]
    assert "nothing to retry" in view.notice and not view.retry
    assert [v async for v in calls.retry(LOCAL, None, "en")][-1].notice == labels().text("no_call", "en")


async def test_a_reload_after_a_failed_reply_still_offers_the_retry(tmp_path: Path) -> None:
    service = flaky_service(tmp_path, FlakyDebtor(failures=1))
    calls = CallHandlers(service)
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    await collect(calls, start.session_id, "Hello")
    restored = calls.restore(LOCAL)
    assert restored is not None and restored.call.retry


@pytest.mark.parametrize(("language", "trust", "mood"), [("es", "Confianza del deudor", "a la defensiva"),
                                                         ("en", "Debtor's trust", "guarded")])  # fmt: skip
async def test_switching_language_redraws_the_indicator_and_the_notice(
    calls: CallHandlers, service: PracticeService, language: str, trust: str, mood: str
) -> None:
    start = calls.start_call(LOCAL, persona_id(service), "en", "training")
    await collect(calls, start.session_id, "deal")  # the debtor closes an agreement: an end notice
    view = calls.redraw(LOCAL, start.session_id, language)  # type: ignore[arg-type]
    assert escape(trust) in view.indicator and mood in view.indicator and view.training
    reason = labels().text("end_agreement", language)  # type: ignore[arg-type]
    assert view.notice == labels().text("call_ended", language, reason=reason)  # type: ignore[arg-type]
    assert calls.redraw(LOCAL, None, "es").indicator == ""


@pytest.mark.timeout(60)
def test_retry_reply_through_gradio_client_stores_one_agent_turn(tmp_path: Path) -> None:
    from gradio_client import Client
    from served_app import free_port

    from roleplay.settings import ServeSettings
    from roleplay.ui.page import PAGE_CSS_PATH, build_practice_page

    service = flaky_service(tmp_path, FlakyDebtor(failures=1, partial="Look, I"))
    demo = build_practice_page(service, ServeSettings(queue_concurrency=2))
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=free_port(), quiet=True,
                ssr_mode=False, css_paths=PAGE_CSS_PATH)  # fmt: skip
    try:
        client = Client(demo.local_url, verbose=False)
        assert "/retry_reply" in client.view_api(return_format="dict", print_info=False)["named_endpoints"]
        client.predict(persona_id(service), "en", "training", api_name="/start_call")
        _chat, _message, _indicator, notice = client.predict("Hello, is that Elena?", "en", api_name="/send")
        assert "The debtor could not reply" in notice and "Retry reply" in notice
        chat, message, _indicator, notice = client.predict("en", api_name="/retry_reply")
        assert chat[-1]["content"][0]["text"] == "I hear you (1) now" and notice == ""
        assert message["interactive"] is True
    finally:
        demo.close()
    [session] = service.list_sessions(LOCAL)
    turns = stored_roles(service, session.id)
    assert turns == [("debtor", "complete"), ("agent", "complete"), ("debtor", "incomplete"), ("debtor", "complete")]
