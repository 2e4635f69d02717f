"""The practice service against a fake debtor and grader (plus one call on the real offline backend)."""

from __future__ import annotations

import pytest
from practice_fakes import HANG_UP_MARK, FakeDebtor, FakeGrader, grading_failed, library, make_persona

from roleplay.auth import Principal
from roleplay.backends import BackendMisconfigured, UnknownBackend, build_debtor, build_grader
from roleplay.services.practice import (
    MAX_MESSAGE_CHARS,
    BackendUnavailable,
    InvalidChoice,
    InvalidMessage,
    NothingToGrade,
    PracticeService,
    ReplyChunk,
    ReplyDone,
    SessionEnded,
    SessionNotFound,
    UnknownPersona,
    clean_message,
)
from roleplay.store import Store, open_store

ANA = Principal("ana", "trainee")
LUIS = Principal("luis", "trainee")


@pytest.fixture
def store() -> Store:
    opened = open_store("sqlite://")
    yield opened
    opened.close()


@pytest.fixture
def debtor() -> FakeDebtor:
    return FakeDebtor(replies=["Sí, soy yo. ¿Qué quiere?", "Bueno, puedo pagar algo."])


@pytest.fixture
def grader() -> FakeGrader:
    return FakeGrader()


@pytest.fixture
def service(store: Store, debtor: FakeDebtor, grader: FakeGrader) -> PracticeService:
    personas = library(make_persona(), make_persona("hard_case", difficulty=3, amount=80))
    return PracticeService(store, debtor, grader, "fake", "fake-debtor-1", persona_library=lambda: personas)


async def collect(service: PracticeService, text: str, owner: Principal = ANA, session_id: str = "") -> list[object]:
    return [event async for event in service.send(owner, session_id, text)]


def start(service: PracticeService, owner: Principal = ANA) -> str:
    return service.start_session(owner, "test_debtor", "es", "training").id


# --------------------------------------------------------------------------- clean_message


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  Buenos días  ", "Buenos días"),
        ("Buenos\u200b días", "Buenos días"),
        ("\u202eHola\u202c", "Hola"),
        ("\ufeffHola\u2060", "Hola"),
        ("Hola\x00\x07\x1b", "Hola"),
        ("línea 1\r\nlínea 2\tfin", "línea 1\nlínea 2\tfin"),
        ("x" * MAX_MESSAGE_CHARS, "x" * MAX_MESSAGE_CHARS),
    ],
)
def test_clean_message_strips_invisible_characters(raw: str, cleaned: str) -> None:
    assert clean_message(raw) == cleaned


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "The message is empty."),
        ("   \n\t ", "The message is empty."),
        ("\u200b\u200d\ufeff", "The message is empty."),
        (
            "x" * (MAX_MESSAGE_CHARS + 1),
            f"too long: {MAX_MESSAGE_CHARS + 1} characters (the limit is {MAX_MESSAGE_CHARS})",
        ),
    ],
)
def test_clean_message_rejects_with_a_one_line_reason(raw: str, message: str) -> None:
    with pytest.raises(InvalidMessage, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        clean_message(raw)
    assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------- personas and start


def test_persona_cards_easiest_first_in_the_language(service: PracticeService) -> None:
    cards = service.personas("en")
    assert [c.id for c in cards] == ["test_debtor", "hard_case"]
    assert cards[0].summary == "A test debtor."
    assert cards[0].debt.startswith("€1,240.50 · Banco Sol")
    assert service.personas("es")[0].debt.startswith("1.240,50 € · Banco Sol")


def test_start_session_stores_the_opening_line(service: PracticeService, store: Store) -> None:
    view = service.start_session(ANA, "test_debtor", "es", "training")
    assert (view.owner, view.status, view.backend, view.model) == ("ana", "active", "fake", "fake-debtor-1")
    assert [(t.seq, t.role, t.text) for t in view.turns] == [(0, "debtor", "¿Diga?")]
    assert view.state is not None and view.state.trust == 0
    stored = store.get_session(view.id)
    assert (stored.rubric_version, stored.prompt_version) == ("rubric-1.0", "persona-test-1")


def test_start_session_without_opening(service: PracticeService, debtor: FakeDebtor) -> None:
    debtor.opening = None
    assert service.start_session(ANA, "test_debtor", "en", "assessment").turns == []


@pytest.mark.parametrize(
    ("persona_id", "language", "mode", "error", "message"),
    [
        ("nobody", "es", "training", UnknownPersona, "Unknown persona 'nobody'; known: test_debtor, hard_case."),
        ("test_debtor", "fr", "training", InvalidChoice, "Unknown language 'fr'; use one of: es, en."),
        ("test_debtor", "es", "exam", InvalidChoice, "Unknown mode 'exam'; use one of: training, assessment."),
    ],
)
def test_start_session_rejects_bad_choices(
    service: PracticeService, store: Store, persona_id: str, language: str, mode: str, error: type, message: str
) -> None:
    with pytest.raises(error) as caught:
        service.start_session(ANA, persona_id, language, mode)
    assert str(caught.value) == message
    assert store.list_sessions("ana") == []


# --------------------------------------------------------------------------- send


async def test_send_streams_the_reply_and_stores_both_turns(service: PracticeService, debtor: FakeDebtor) -> None:
    session_id = start(service)
    events = await collect(service, "  Buenos días, ¿hablo con Rosa?\u200b ", session_id=session_id)
    chunks, done = events[:-1], events[-1]
    assert all(isinstance(e, ReplyChunk) for e in chunks)
    assert "".join(e.text for e in chunks) == "Sí, soy yo. ¿Qué quiere?"
    assert isinstance(done, ReplyDone)
    assert (done.turn.seq, done.turn.role, done.turn.text, done.ended) == (
        2,
        "debtor",
        "Sí, soy yo. ¿Qué quiere?",
        False,
    )
    assert done.state.trust == pytest.approx(0.1)
    assert [t.text for t in debtor.histories[0]] == ["¿Diga?", "Buenos días, ¿hablo con Rosa?"]
    turns = service.get_session(ANA, session_id).turns
    assert [(t.role, t.status) for t in turns] == [
        ("debtor", "complete"),
        ("agent", "complete"),
        ("debtor", "complete"),
    ]


async def test_agent_turn_is_committed_before_the_debtor_replies(service: PracticeService) -> None:
    session_id = start(service)
    stream = service.send(ANA, session_id, "Hola")
    await anext(stream)
    assert [t.role for t in service.get_session(ANA, session_id).turns] == ["debtor", "agent"]
    await stream.aclose()


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "x" * (MAX_MESSAGE_CHARS + 1)])
async def test_rejected_message_stores_nothing_and_calls_no_model(
    service: PracticeService, debtor: FakeDebtor, text: str
) -> None:
    session_id = start(service)
    with pytest.raises(InvalidMessage):
        await collect(service, text, session_id=session_id)
    assert len(service.get_session(ANA, session_id).turns) == 1
    assert debtor.histories == []


@pytest.mark.parametrize(("owner", "session_id"), [(ANA, "no-such-id"), (LUIS, None)])
async def test_send_to_unknown_or_foreign_session(
    service: PracticeService, debtor: FakeDebtor, owner: Principal, session_id: str | None
) -> None:
    own = start(service)
    with pytest.raises(SessionNotFound, match="No session"):
        await collect(service, "Hola", owner=owner, session_id=session_id or own)
    assert len(service.get_session(ANA, own).turns) == 1
    assert debtor.histories == []


async def test_send_to_ended_session(service: PracticeService, debtor: FakeDebtor) -> None:
    session_id = start(service)
    service.hang_up(ANA, session_id)
    with pytest.raises(SessionEnded, match="has ended"):
        await collect(service, "Hola", session_id=session_id)
    assert len(service.get_session(ANA, session_id).turns) == 1
    assert debtor.histories == []


@pytest.mark.parametrize(("fail_after", "stored"), [(0, []), (2, [("debtor", "Sí, soy ", "incomplete")])])
async def test_broken_stream_keeps_the_agent_turn_and_the_partial_reply(
    service: PracticeService, debtor: FakeDebtor, fail_after: int, stored: list[tuple[str, str, str]]
) -> None:
    session_id = start(service)
    debtor.fail_after_chunks = fail_after
    with pytest.raises(BackendUnavailable, match=r"failed mid-reply.*endpoint down.*your message was kept"):
        await collect(service, "Hola", session_id=session_id)
    turns = service.get_session(ANA, session_id).turns
    assert [(t.role, t.text, t.status) for t in turns[1:]] == [("agent", "Hola", "complete"), *stored]


async def test_incomplete_turns_are_left_out_of_the_next_history(service: PracticeService, debtor: FakeDebtor) -> None:
    session_id = start(service)
    debtor.fail_after_chunks = 2
    with pytest.raises(BackendUnavailable):
        await collect(service, "Hola", session_id=session_id)
    debtor.fail_after_chunks = None
    await collect(service, "¿Me oye?", session_id=session_id)
    assert [t.text for t in debtor.histories[1]] == ["¿Diga?", "Hola", "¿Me oye?"]
    assert [t.text for t in service.transcript(ANA, session_id).turns][-1] == "Bueno, puedo pagar algo."


async def test_closing_the_stream_early_keeps_what_was_said(service: PracticeService) -> None:
    session_id = start(service)
    stream = service.send(ANA, session_id, "Hola")
    await anext(stream)
    await stream.aclose()
    last = service.get_session(ANA, session_id).turns[-1]
    assert (last.role, last.text, last.status) == ("debtor", "Sí, ", "incomplete")


async def test_debtor_hanging_up_ends_the_session(service: PracticeService, debtor: FakeDebtor) -> None:
    debtor.replies.appendleft(f"No me llame más. {HANG_UP_MARK}")
    session_id = start(service)
    done = (await collect(service, "Pague ya", session_id=session_id))[-1]
    assert isinstance(done, ReplyDone) and done.ended and done.state.end_reason == "debtor_hung_up"
    view = service.get_session(ANA, session_id)
    assert view.status == "ended" and view.ended_at is not None
    with pytest.raises(SessionEnded):
        await collect(service, "Espere", session_id=session_id)


def test_hang_up_is_recorded_and_idempotent(service: PracticeService, store: Store) -> None:
    session_id = start(service)
    first = service.hang_up(ANA, session_id)
    assert service.hang_up(ANA, session_id) == first
    assert first.status == "ended"
    assert store.get_session(session_id).end_reason == "agent_hung_up"


# --------------------------------------------------------------------------- grading


async def talked(service: PracticeService) -> str:
    session_id = start(service)
    await collect(service, "Hola, soy Ana de Banco Sol.", session_id=session_id)
    return session_id


async def test_grade_is_stored_and_shown_on_the_session(service: PracticeService, grader: FakeGrader) -> None:
    session_id = await talked(service)
    view = await service.grade(ANA, session_id)
    assert (view.status, view.grader, view.grader_version, view.error) == ("done", "fake-grader", "1", None)
    assert view.grade is not None and view.grade.overall == 4.0
    assert service.get_session(ANA, session_id).grade == view
    sent = grader.transcripts[0]
    assert (sent.id, sent.language, sent.persona_id) == (session_id, "es", "test_debtor")
    assert [t.role for t in sent.turns] == ["debtor", "agent", "debtor"]


@pytest.mark.parametrize("status", ["failed", "needs_review"])
async def test_failed_grading_is_recorded_and_the_call_is_untouched(
    store: Store, debtor: FakeDebtor, status: str
) -> None:
    grader = FakeGrader(grading_failed("no JSON in the reply", status=status, raw="<garbage>"))
    service = PracticeService(store, debtor, grader, "fake", "m", persona_library=library)
    session_id = await talked(service)
    before = service.get_session(ANA, session_id).turns
    view = await service.grade(ANA, session_id)
    assert (view.status, view.error, view.grade) == (status, "no JSON in the reply", None)
    assert store.latest_grade(session_id).raw_reply == "<garbage>"
    assert service.get_session(ANA, session_id).turns == before


async def test_regrading_makes_a_new_record(store: Store, debtor: FakeDebtor) -> None:
    grader = FakeGrader(grading_failed("timeout"), 3)
    service = PracticeService(store, debtor, grader, "fake", "m", persona_library=library)
    session_id = await talked(service)
    assert (await service.grade(ANA, session_id)).status == "failed"
    assert (await service.grade(ANA, session_id)).status == "done"
    assert [g.status for g in store.grades(session_id)] == ["failed", "done"]
    assert service.get_session(ANA, session_id).grade.grade.overall == 3.0


async def test_grader_crash_is_backend_unavailable_and_recorded(store: Store, debtor: FakeDebtor) -> None:
    service = PracticeService(
        store, debtor, FakeGrader(TimeoutError("read timeout")), "fake", "m", persona_library=library
    )
    session_id = await talked(service)
    with pytest.raises(BackendUnavailable, match="grader is unavailable"):
        await service.grade(ANA, session_id)
    assert [(g.status, g.error) for g in store.grades(session_id)] == [
        ("failed", "grader error: TimeoutError('read timeout')")
    ]


async def test_nothing_to_grade_without_agent_turns(service: PracticeService, store: Store) -> None:
    session_id = start(service)
    with pytest.raises(NothingToGrade):
        await service.grade(ANA, session_id)
    assert store.grades(session_id) == []


async def test_grading_a_foreign_session_is_not_found(service: PracticeService) -> None:
    session_id = await talked(service)
    with pytest.raises(SessionNotFound):
        await service.grade(LUIS, session_id)


# --------------------------------------------------------------------------- reading


async def test_list_sessions_newest_first_with_scores(service: PracticeService) -> None:
    graded = await talked(service)
    await service.grade(ANA, graded)
    fresh = start(service)
    start(service, owner=LUIS)
    lines = service.list_sessions(ANA)
    assert [s.id for s in lines] == [fresh, graded]
    assert (lines[0].turns, lines[0].overall, lines[0].grade_status) == (1, None, None)
    assert (lines[1].turns, lines[1].overall, lines[1].quadrant, lines[1].grade_status) == (3, 4.0, "target", "done")


def test_active_session_is_the_newest_active_one(service: PracticeService) -> None:
    assert service.active_session(ANA) is None
    older, newer = start(service), start(service)
    assert service.active_session(ANA).id == newer
    service.hang_up(ANA, newer)
    assert service.active_session(ANA).id == older
    assert service.active_session(LUIS) is None


async def test_transcript_is_the_interchange_format(service: PracticeService) -> None:
    session_id = await talked(service)
    transcript = service.transcript(ANA, session_id)
    assert transcript.model_dump() == {
        "id": session_id,
        "language": "es",
        "persona_id": "test_debtor",
        "turns": [
            {"role": "debtor", "text": "¿Diga?"},
            {"role": "agent", "text": "Hola, soy Ana de Banco Sol."},
            {"role": "debtor", "text": "Sí, soy yo. ¿Qué quiere?"},
        ],
    }


@pytest.mark.parametrize("method", ["get_session", "hang_up", "transcript"])
def test_foreign_sessions_are_not_found(service: PracticeService, method: str) -> None:
    session_id = start(service)
    with pytest.raises(SessionNotFound):
        getattr(service, method)(LUIS, session_id)


# --------------------------------------------------------------------------- backends


@pytest.mark.parametrize(
    ("backend", "error", "message"),
    [
        ("openai", BackendMisconfigured, "OPENAI_API_KEY is not set"),
        ("gpt", UnknownBackend, "Unknown backend 'gpt'; use one of: offline, openai."),
    ],
)
@pytest.mark.parametrize("build", [build_debtor, build_grader])
def test_unavailable_backends_say_so(build: object, backend: str, error: type, message: str) -> None:
    with pytest.raises(error, match=message) as caught:
        build(backend)  # type: ignore[operator]
    assert isinstance(caught.value, BackendUnavailable)


async def test_a_whole_call_on_the_offline_backend(store: Store) -> None:
    service = PracticeService(store, build_debtor("offline"), build_grader("offline"), "offline", "scripted")
    card = service.personas("en")[0]
    view = service.start_session(ANA, card.id, "en", "training")
    for text in (
        "Good morning, this is Ana from Banco Sol. Am I speaking with the account holder?",
        "I'm calling about the overdue balance on your account. How are things going for you at the moment?",
        "I understand, that sounds hard. Could we agree a small monthly payment that works for you?",
    ):
        events = [event async for event in service.send(ANA, view.id, text)]
        assert isinstance(events[-1], ReplyDone)
        assert "".join(e.text for e in events[:-1] if isinstance(e, ReplyChunk)) == events[-1].turn.text
        if events[-1].ended:
            break
    service.hang_up(ANA, view.id)
    graded = await service.grade(ANA, view.id)
    assert graded.status == "done" and graded.grade is not None
    assert (graded.grader, graded.grade.id, len(graded.grade.scores)) == ("rule", view.id, 10)
    assert service.list_sessions(ANA)[0].overall == graded.grade.overall


def test_a_session_outlives_its_persona(store: Store, debtor: FakeDebtor, grader: FakeGrader) -> None:
    personas = library()
    service = PracticeService(store, debtor, grader, "fake", "m", persona_library=lambda: personas)
    session_id = start(service)
    personas.clear()
    view = service.get_session(ANA, session_id)
    assert (view.state, [t.text for t in view.turns]) == (None, ["¿Diga?"])
