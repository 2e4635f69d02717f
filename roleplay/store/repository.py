"""The store: sessions, their turns and their grades. Every method is one short transaction and
returns pydantic records (roleplay.store.records), never ORM objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from roleplay.domain import TokenUsage
from roleplay.store.connection import apply_migrations, create_store_engine
from roleplay.store.records import (
    GradeOutcome,
    NewLabel,
    NewSession,
    StoredGrade,
    StoredLabel,
    StoredRole,
    StoredSession,
    StoredTurn,
    StoredTurnStatus,
    StoredUsage,
    UsagePurpose,
)
from roleplay.store.tables import GradeRow, LabelRow, SessionRow, TurnRow, UsageRow, new_id, utc_now

SEQ_RETRIES = 20


class StoreError(Exception):
    """A store operation could not be done."""


class RecordNotFound(StoreError, LookupError):
    """No row with that id."""


def _completed_at(status: StoredTurnStatus, now: datetime) -> datetime | None:
    return now if status == "complete" else None


class Store:
    """Built by `open_store(url)`; thread-safe (one short session per call)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ sessions

    def create_session(self, new: NewSession) -> StoredSession:
        with self._sessions.begin() as db:
            row = SessionRow(**new.model_dump(), status="active")
            db.add(row)
            db.flush()
            return StoredSession.model_validate(row)

    def get_session(self, session_id: str) -> StoredSession | None:
        with self._sessions() as db:
            row = db.get(SessionRow, session_id)
            return None if row is None else StoredSession.model_validate(row)

    def end_session(self, session_id: str, reason: str | None) -> StoredSession:
        """Mark a session ended (a no-op on an ended one: the first end reason stands)."""
        now = utc_now()
        ending = (
            update(SessionRow)
            .where(SessionRow.id == session_id, SessionRow.status == "active")
            .values(status="ended", end_reason=reason, ended_at=now, updated_at=now)
        )
        with self._sessions.begin() as db:
            db.execute(ending)
            return StoredSession.model_validate(self._session_row(db, session_id))

    def list_sessions(self, owner: str) -> list[StoredSession]:
        """The owner's sessions, newest first."""
        query = select(SessionRow).where(SessionRow.owner == owner).order_by(SessionRow.created_at.desc())
        with self._sessions() as db:
            return [StoredSession.model_validate(row) for row in db.scalars(query)]

    def all_sessions(self, since: datetime | None = None) -> list[StoredSession]:
        """Every owner's sessions (created at or after `since`), newest first (for trainers)."""
        query = select(SessionRow).order_by(SessionRow.created_at.desc())
        if since is not None:
            query = query.where(SessionRow.created_at >= since)
        with self._sessions() as db:
            return [StoredSession.model_validate(row) for row in db.scalars(query)]

    def import_session(self, new: NewSession, turns: Sequence[tuple[StoredRole, str]]) -> StoredSession:
        """Store a finished call (e.g. an imported real call) and all its turns in one transaction."""
        now = utc_now()
        with self._sessions.begin() as db:
            row = SessionRow(
                **new.model_dump(), status="ended", end_reason="imported", created_at=now, updated_at=now, ended_at=now
            )
            db.add(row)
            db.flush()
            for seq, (role, text) in enumerate(turns):
                db.add(TurnRow(session_id=row.id, seq=seq, role=role, text=text, status="complete", completed_at=now))
            return StoredSession.model_validate(row)

    def latest_active_session(self, owner: str) -> StoredSession | None:
        query = (
            select(SessionRow)
            .where(SessionRow.owner == owner, SessionRow.status == "active")
            .order_by(SessionRow.created_at.desc())
            .limit(1)
        )
        with self._sessions() as db:
            row = db.scalars(query).first()
            return None if row is None else StoredSession.model_validate(row)

    # ------------------------------------------------------------------ turns

    def add_turn(
        self, session_id: str, role: StoredRole, text: str, status: StoredTurnStatus = "complete"
    ) -> StoredTurn:
        """Append a turn; its seq (0, 1, ...) is assigned inside the insert, retried on a collision."""
        for _attempt in range(SEQ_RETRIES):
            try:
                return self._insert_turn(session_id, role, text, status)
            except IntegrityError as exc:
                if self.get_session(session_id) is None:
                    raise RecordNotFound(f"no session {session_id}") from exc
        raise StoreError(f"could not append a turn to session {session_id} after {SEQ_RETRIES} attempts")

    def _insert_turn(self, session_id: str, role: StoredRole, text: str, status: StoredTurnStatus) -> StoredTurn:
        now, turn_id = utc_now(), new_id()
        next_seq = (
            select(func.coalesce(func.max(TurnRow.seq), -1) + 1)
            .where(TurnRow.session_id == session_id)
            .scalar_subquery()
        )
        values = {"id": turn_id, "session_id": session_id, "seq": next_seq, "role": role, "text": text}
        stamps = {"status": status, "created_at": now, "completed_at": _completed_at(status, now)}
        adding = insert(TurnRow).values(**values, **stamps)
        touching = update(SessionRow).where(SessionRow.id == session_id).values(updated_at=now)
        with self._sessions.begin() as db:  # two statements: the insert returns the row it wrote
            row = db.execute(adding.returning(*TurnRow.__table__.columns)).one()
            db.execute(touching)
            return StoredTurn.model_validate(row._mapping)

    def turns(self, session_id: str) -> list[StoredTurn]:
        query = select(TurnRow).where(TurnRow.session_id == session_id).order_by(TurnRow.seq)
        with self._sessions() as db:
            return [StoredTurn.model_validate(row) for row in db.scalars(query)]

    def turn_counts(self, session_ids: Iterable[str]) -> dict[str, int]:
        ids = list(session_ids)
        query = select(TurnRow.session_id, func.count()).where(TurnRow.session_id.in_(ids)).group_by(TurnRow.session_id)
        with self._sessions() as db:
            counts: dict[str, int] = {sid: 0 for sid in ids}
            counts.update({sid: count for sid, count in db.execute(query)})
            return counts

    # ------------------------------------------------------------------ grades

    def start_grade(self, session_id: str, grader: str, grader_version: str) -> StoredGrade:
        """A new grade record in status "pending" (re-grading always makes a new record)."""
        row = GradeRow(session_id=session_id, grader=grader, grader_version=grader_version, status="pending")
        try:
            with self._sessions.begin() as db:
                db.add(row)
                db.flush()
                return StoredGrade.model_validate(row)
        except IntegrityError as exc:
            raise RecordNotFound(f"no session {session_id}") from exc

    def finish_grade(self, grade_id: str, outcome: GradeOutcome) -> StoredGrade:
        with self._sessions.begin() as db:
            row = db.get(GradeRow, grade_id)
            if row is None:
                raise RecordNotFound(f"no grade {grade_id}")
            for key, value in outcome.model_dump().items():
                setattr(row, key, value)
            row.updated_at = utc_now()
            return StoredGrade.model_validate(row)

    def grades(self, session_id: str) -> list[StoredGrade]:
        """Every grade record of a session, oldest first."""
        query = select(GradeRow).where(GradeRow.session_id == session_id).order_by(GradeRow.created_at)
        with self._sessions() as db:
            return [StoredGrade.model_validate(row) for row in db.scalars(query)]

    def latest_grades(self, session_ids: Iterable[str]) -> dict[str, StoredGrade]:
        """The newest grade record of each session that has one."""
        query = select(GradeRow).where(GradeRow.session_id.in_(list(session_ids))).order_by(GradeRow.created_at)
        with self._sessions() as db:
            return {row.session_id: StoredGrade.model_validate(row) for row in db.scalars(query)}

    def latest_grade(self, session_id: str) -> StoredGrade | None:
        return self.latest_grades([session_id]).get(session_id)

    # ------------------------------------------------------------------ token usage

    def add_usage(self, session_id: str, purpose: UsagePurpose, usage: TokenUsage) -> None:
        """Record the tokens of one model call (or several, summed) for a session."""
        row = UsageRow(session_id=session_id, purpose=purpose, **usage.model_dump())
        try:
            with self._sessions.begin() as db:
                db.add(row)
        except IntegrityError as exc:
            raise RecordNotFound(f"no session {session_id}") from exc

    def usage(self, session_id: str) -> list[StoredUsage]:
        """The session's tokens per purpose and model, summed (debtor first, then grader)."""
        totals = (func.sum(UsageRow.prompt_tokens), func.sum(UsageRow.completion_tokens), func.sum(UsageRow.calls))
        query = (
            select(UsageRow.purpose, UsageRow.model, *totals)
            .where(UsageRow.session_id == session_id)
            .group_by(UsageRow.purpose, UsageRow.model)
            .order_by(UsageRow.purpose, UsageRow.model)
        )
        with self._sessions() as db:
            rows = db.execute(query).all()
        keys = ("purpose", "model", "prompt_tokens", "completion_tokens", "calls")
        return [StoredUsage.model_validate(dict(zip(keys, row, strict=True))) for row in rows]

    # ------------------------------------------------------------------ trainer labels

    def add_label(self, new: NewLabel) -> StoredLabel:
        """Store a trainer's scores of a session (every review is a new label; the newest counts)."""
        scores = {key.lower(): value for key, value in new.scores.items()}
        row = LabelRow(
            session_id=new.session_id, reviewer=new.reviewer, flags=",".join(new.flags), comment=new.comment, **scores
        )
        try:
            with self._sessions.begin() as db:
                db.add(row)
                db.flush()
                return _stored_label(row)
        except IntegrityError as exc:
            raise RecordNotFound(f"no session {new.session_id}") from exc

    def labels(self, session_ids: Iterable[str]) -> dict[str, list[StoredLabel]]:
        """The labels of each session that has any, oldest first."""
        query = select(LabelRow).where(LabelRow.session_id.in_(list(session_ids))).order_by(LabelRow.created_at)
        found: dict[str, list[StoredLabel]] = {}
        with self._sessions() as db:
            for row in db.scalars(query):
                found.setdefault(row.session_id, []).append(_stored_label(row))
        return found

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _session_row(db: Session, session_id: str) -> SessionRow:
        row = db.get(SessionRow, session_id)
        if row is None:
            raise RecordNotFound(f"no session {session_id}")
        return row


_SCORE_COLUMNS = ("P1", "P2", "P3", "P4", "P5", "S1", "S2", "S3", "S4", "S5")


def _stored_label(row: LabelRow) -> StoredLabel:
    return StoredLabel(
        id=row.id,
        session_id=row.session_id,
        reviewer=row.reviewer,
        scores={key: getattr(row, key.lower()) for key in _SCORE_COLUMNS},
        flags=[flag for flag in row.flags.split(",") if flag],
        comment=row.comment,
        created_at=row.created_at,
    )


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


def open_store(url: str) -> Store:
    """Connect to `url` (any SQLAlchemy URL) and bring the schema up to date.

    A bad URL, a missing driver or an unreachable database is a StoreError with a one-line reason.
    """
    try:
        engine = create_store_engine(url)
        apply_migrations(engine)
    except (ArgumentError, ImportError, OSError, DBAPIError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise StoreError(f"Cannot open the database {_shown(url)}: {reason}") from exc
    return Store(engine)
