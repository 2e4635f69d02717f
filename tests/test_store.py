"""The store: schema from migrations, SQLite pragmas, turn sequencing under concurrency, records."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from roleplay.store import GradeOutcome, NewSession, RecordNotFound, Store, StoreError, default_db_url, open_store
from roleplay.store import repository as repository_module


def new_session(owner: str = "ana", **changes: object) -> NewSession:
    fields: dict[str, object] = {
        "owner": owner,
        "persona_id": "test_debtor",
        "language": "es",
        "mode": "training",
        "backend": "offline",
        "model": "fake-debtor-1",
        "rubric_version": "rubric-1.0",
        "prompt_version": "persona-test-1",
    }
    return NewSession.model_validate(fields | changes)


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "roleplay.db"


@pytest.fixture
def store(db_file: Path) -> Store:
    opened = open_store(f"sqlite:///{db_file}")
    yield opened
    opened.close()


def scalar(store: Store, sql: str) -> object:
    with store.engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


# --------------------------------------------------------------------------- opening


def _head_revision() -> str:
    """The single newest migration (there must be exactly one head)."""
    from alembic.script import ScriptDirectory

    from roleplay.store.connection import MIGRATIONS_DIR

    heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    assert len(heads) == 1, f"migrations must have one head, got {heads}"
    return heads[0]


def test_open_store_creates_the_directory_and_the_schema(store: Store, db_file: Path) -> None:
    assert db_file.is_file()
    tables = set(inspect(store.engine).get_table_names())
    assert {"sessions", "turns", "grades", "alembic_version"} <= tables
    assert scalar(store, "SELECT version_num FROM alembic_version") == _head_revision()


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("journal_mode", "wal"), ("busy_timeout", 5000), ("foreign_keys", 1)],
)
def test_sqlite_connections_get_the_pragmas(store: Store, pragma: str, expected: object) -> None:
    assert scalar(store, f"PRAGMA {pragma}") == expected


def test_turn_seq_is_unique_per_session_in_the_schema(store: Store) -> None:
    constraints = inspect(store.engine).get_unique_constraints("turns")
    assert {"column_names": ["session_id", "seq"], "name": "uq_turns_session_seq"}.items() <= constraints[0].items()


def test_reopening_keeps_the_data_and_does_not_migrate_twice(store: Store, db_file: Path) -> None:
    session = store.create_session(new_session())
    store.add_turn(session.id, "agent", "Buenos días")
    again = open_store(f"sqlite:///{db_file}")
    assert [t.text for t in again.turns(session.id)] == ["Buenos días"]
    assert scalar(again, "SELECT count(*) FROM alembic_version") == 1
    again.close()


def test_in_memory_database_is_shared_across_threads() -> None:
    memory = open_store("sqlite://")
    session = memory.create_session(new_session())
    worker = threading.Thread(target=memory.add_turn, args=(session.id, "agent", "hola"))
    worker.start()
    worker.join()
    assert [t.text for t in memory.turns(session.id)] == ["hola"]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ROLEPLAY_DB": "postgresql://db/roleplay"}, "postgresql://db/roleplay"),
        ({"XDG_DATA_HOME": "/data"}, "sqlite:////data/roleplay/roleplay.db"),
    ],
)
def test_default_db_url(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    monkeypatch.delenv("ROLEPLAY_DB")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert default_db_url() == expected


def test_default_db_url_falls_back_to_the_home_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ROLEPLAY_DB")
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_db_url() == f"sqlite:///{tmp_path}/.local/share/roleplay/roleplay.db"


# --------------------------------------------------------------------------- sessions


def test_records_are_pydantic_with_utc_times(store: Store) -> None:
    session = store.create_session(new_session())
    turn = store.add_turn(session.id, "agent", "hola")
    for record in (session, turn, store.get_session(session.id)):
        assert isinstance(record, BaseModel)
        assert record.created_at.utcoffset() is not None


def test_new_session_is_active_with_its_setup(store: Store) -> None:
    session = store.create_session(new_session(seed=7))
    loaded = store.get_session(session.id)
    assert loaded == session
    assert (loaded.status, loaded.seed, loaded.end_reason, loaded.ended_at) == ("active", 7, None, None)


def test_unknown_session_is_none(store: Store) -> None:
    assert store.get_session("no-such-id") is None


def test_end_session_keeps_the_first_reason(store: Store) -> None:
    session = store.create_session(new_session())
    ended = store.end_session(session.id, "debtor_hung_up")
    again = store.end_session(session.id, "agent_hung_up")
    assert (ended.status, ended.end_reason) == ("ended", "debtor_hung_up")
    assert again == ended
    assert ended.ended_at is not None


def test_end_unknown_session_raises(store: Store) -> None:
    with pytest.raises(RecordNotFound):
        store.end_session("no-such-id", "agent_hung_up")


def test_list_sessions_is_newest_first_and_per_owner(store: Store) -> None:
    first = store.create_session(new_session())
    store.create_session(new_session(owner="luis"))
    second = store.create_session(new_session())
    assert [s.id for s in store.list_sessions("ana")] == [second.id, first.id]
    assert store.list_sessions("nobody") == []


def test_latest_active_session_skips_ended_ones(store: Store) -> None:
    older = store.create_session(new_session())
    newer = store.create_session(new_session())
    assert store.latest_active_session("ana") == newer
    store.end_session(newer.id, "agent_hung_up")
    assert store.latest_active_session("ana") == older
    store.end_session(older.id, "agent_hung_up")
    assert store.latest_active_session("ana") is None


# --------------------------------------------------------------------------- turns


def test_turns_get_consecutive_seq_from_zero(store: Store) -> None:
    session = store.create_session(new_session())
    turns = [store.add_turn(session.id, role, f"t{i}") for i, role in enumerate(["debtor", "agent", "debtor"])]
    assert [t.seq for t in turns] == [0, 1, 2]
    assert store.turns(session.id) == turns


@pytest.mark.parametrize(("status", "completed"), [("complete", True), ("incomplete", False)])
def test_turn_status_and_completion_time(store: Store, status: str, completed: bool) -> None:
    session = store.create_session(new_session())
    turn = store.add_turn(session.id, "debtor", "Mire, yo", status=status)  # type: ignore[arg-type]
    assert turn.status == status
    assert (turn.completed_at is not None) is completed


def test_adding_a_turn_touches_the_session(store: Store) -> None:
    session = store.create_session(new_session())
    store.add_turn(session.id, "agent", "hola")
    assert store.get_session(session.id).updated_at > session.updated_at


def test_turn_for_unknown_session_raises(store: Store) -> None:
    with pytest.raises(RecordNotFound):
        store.add_turn("no-such-id", "agent", "hola")


def test_concurrent_writers_never_collide(db_file: Path) -> None:
    """Two processes' worth of engines on one file, many threads appending to the same session."""
    stores = [open_store(f"sqlite:///{db_file}") for _ in range(2)]
    session = stores[0].create_session(new_session())
    errors: list[BaseException] = []

    def append(writer: int) -> None:
        try:
            for i in range(10):
                stores[writer % 2].add_turn(session.id, "agent", f"w{writer}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    turns = stores[1].turns(session.id)
    assert errors == []
    assert [t.seq for t in turns] == list(range(60))
    assert len({t.text for t in turns}) == 60
    for opened in stores:
        opened.close()


def test_seq_collision_is_retried(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    session = store.create_session(new_session())
    real_insert = Store._insert_turn
    calls: list[int] = []

    def collide_once(self: Store, *args: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real_insert(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "_insert_turn", collide_once)
    assert store.add_turn(session.id, "agent", "hola").seq == 0
    assert len(calls) == 2


def test_endless_collisions_give_up_with_a_store_error(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    session = store.create_session(new_session())

    def always_collide(self: Store, *args: object) -> object:
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(Store, "_insert_turn", always_collide)
    with pytest.raises(StoreError, match=f"after {repository_module.SEQ_RETRIES} attempts"):
        store.add_turn(session.id, "agent", "hola")


def test_turn_counts_include_sessions_without_turns(store: Store) -> None:
    talked = store.create_session(new_session())
    silent = store.create_session(new_session())
    store.add_turn(talked.id, "agent", "hola")
    store.add_turn(talked.id, "debtor", "¿sí?")
    assert store.turn_counts([talked.id, silent.id]) == {talked.id: 2, silent.id: 0}


# --------------------------------------------------------------------------- grades


def test_grade_goes_from_pending_to_its_outcome(store: Store) -> None:
    session = store.create_session(new_session())
    pending = store.start_grade(session.id, "rule", "1")
    done = store.finish_grade(pending.id, GradeOutcome(status="done", grade_json='{"id": "x"}', raw_reply="raw"))
    assert pending.status == "pending"
    assert (done.status, done.grade_json, done.raw_reply, done.error) == ("done", '{"id": "x"}', "raw", None)
    assert done.updated_at >= pending.updated_at


def test_regrading_adds_a_record_and_the_latest_wins(store: Store) -> None:
    session = store.create_session(new_session())
    first = store.finish_grade(store.start_grade(session.id, "rule", "1").id, GradeOutcome(status="failed", error="x"))
    second = store.start_grade(session.id, "rule", "1")
    assert [g.id for g in store.grades(session.id)] == [first.id, second.id]
    assert store.latest_grade(session.id) == second
    assert store.latest_grades([session.id, "other"]) == {session.id: second}


@pytest.mark.parametrize("action", ["start", "finish"])
def test_grade_for_unknown_rows_raises(store: Store, action: str) -> None:
    with pytest.raises(RecordNotFound):
        if action == "start":
            store.start_grade("no-such-session", "rule", "1")
        else:
            store.finish_grade("no-such-grade", GradeOutcome(status="done"))


def test_grades_and_turns_leave_the_session_untouched(store: Store) -> None:
    session = store.create_session(new_session())
    store.add_turn(session.id, "agent", "hola")
    store.finish_grade(store.start_grade(session.id, "rule", "1").id, GradeOutcome(status="failed", error="boom"))
    assert [t.text for t in store.turns(session.id)] == ["hola"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "Cannot open the database 'not a url': Could not parse SQLAlchemy URL"),
        ("nosuchdb://host/db", "Cannot open the database nosuchdb://host/db: Can't load plugin"),
        (
            "postgresql+nosuchdriver://u:secret@host/db",
            "Cannot open the database postgresql+nosuchdriver://u:***@host/db",
        ),
    ],
)
def test_bad_database_urls_are_one_line_store_errors(url: str, message: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value) and "secret" not in str(caught.value)


def test_unopenable_sqlite_file_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where a directory should be")
    with pytest.raises(StoreError, match="Cannot open the database"):
        open_store(f"sqlite:///{tmp_path / 'taken' / 'roleplay.db'}")
