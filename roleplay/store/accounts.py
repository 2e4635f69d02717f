"""Accounts in the store: users (name, role, password hash) and their API tokens (stored hashed).

The store keeps hashes only; hashing and checking passwords and tokens is roleplay.auth's job.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import DateTime, Engine, ForeignKey, String, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from roleplay.store.records import as_utc
from roleplay.store.repository import RecordNotFound, Store, StoreError
from roleplay.store.tables import Base, new_id, utc_now


class UserRow(Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class StoredUser(BaseModel):
    model_config = ConfigDict(frozen=True, from_attributes=True)

    name: str
    role: str
    password_hash: str
    created_at: datetime

    _utc = field_validator("created_at")(as_utc)


class UserExists(StoreError):
    """A user with that name is already stored."""


class AccountStore:
    """Users and API tokens; one short transaction per call, like `Store`."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def of(cls, store: Store) -> AccountStore:
        """The accounts kept in the same database as `store`."""
        return cls(store.engine)

    def add_user(self, name: str, role: str, password_hash: str) -> StoredUser:
        row = UserRow(name=name, role=role, password_hash=password_hash)
        try:
            with self._sessions.begin() as db:
                db.add(row)
                db.flush()
                return StoredUser.model_validate(row)
        except IntegrityError as exc:
            raise UserExists(f"A user named '{name}' already exists.") from exc

    def get_user(self, name: str) -> StoredUser | None:
        with self._sessions() as db:
            row = db.get(UserRow, name)
            return None if row is None else StoredUser.model_validate(row)

    def users(self) -> list[StoredUser]:
        """Every user, by name."""
        with self._sessions() as db:
            return [StoredUser.model_validate(row) for row in db.scalars(select(UserRow).order_by(UserRow.name))]

    def any_users(self) -> bool:
        with self._sessions() as db:
            return bool(db.scalar(select(func.count()).select_from(UserRow)))

    def remove_user(self, name: str) -> None:
        """Delete the user and their API tokens (their sessions stay)."""
        with self._sessions.begin() as db:
            if db.get(UserRow, name) is None:
                raise RecordNotFound(f"No user named '{name}'.")
            db.execute(delete(ApiTokenRow).where(ApiTokenRow.user_name == name))
            db.execute(delete(UserRow).where(UserRow.name == name))

    def add_token(self, name: str, token_hash: str) -> None:
        try:
            with self._sessions.begin() as db:
                db.add(ApiTokenRow(user_name=name, token_hash=token_hash))
        except IntegrityError as exc:
            raise RecordNotFound(f"No user named '{name}'.") from exc

    def user_for_token(self, token_hash: str) -> StoredUser | None:
        query = select(UserRow).join(ApiTokenRow, ApiTokenRow.user_name == UserRow.name)
        with self._sessions() as db:
            row = db.scalars(query.where(ApiTokenRow.token_hash == token_hash)).first()
            return None if row is None else StoredUser.model_validate(row)

    def token_hashes(self, name: str) -> list[str]:
        """The stored hashes of the user's tokens (for audits and tests)."""
        query = select(ApiTokenRow.token_hash).where(ApiTokenRow.user_name == name)
        with self._sessions() as db:
            return list(db.scalars(query))
