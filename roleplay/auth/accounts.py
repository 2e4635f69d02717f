"""The accounts service: add, list and remove users, issue API tokens, and turn a login name, a
password or a bearer token into a `Principal`.

When no user exists the app runs in local single-user mode and every request acts as `LOCAL`.
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel

from roleplay.auth.principal import LOCAL, ROLES, Principal, Role
from roleplay.auth.secrets_hashing import (
    hash_password,
    new_api_token,
    password_matches,
    spend_password_time,
    token_digest,
)
from roleplay.store import RecordNotFound, Store
from roleplay.store.accounts import AccountStore, StoredUser, UserExists

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
RESERVED_NAMES = frozenset({LOCAL.name})
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024


class AccountError(Exception):
    """A user mistake about accounts; `str(exc)` is a clear one-line message."""


class NotAuthenticated(AccountError):
    """No (valid) credentials while users exist."""


class UserInfo(BaseModel):
    """What `roleplay users list` shows (never the hash)."""

    name: str
    role: Role
    created_at: datetime


def _role(value: str) -> Role:
    for role in ROLES:
        if value == role:
            return role
    raise AccountError(f"Unknown role '{value}'; use one of: {', '.join(ROLES)}.")


def check_name(name: str) -> str:
    """The name if it is a valid login name, else AccountError."""
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(
            f"Invalid user name '{name}': 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit."
        )
    if name in RESERVED_NAMES:
        raise AccountError(f"The name '{name}' is reserved for local single-user mode; choose another.")
    return name


def check_password(password: str) -> str:
    """The password if it is acceptable, else AccountError."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"The password is too short: use at least {MIN_PASSWORD_CHARS} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"The password is too long: at most {MAX_PASSWORD_CHARS} characters.")
    return password


def _principal(user: StoredUser) -> Principal:
    return Principal(user.name, _role(user.role))


class Accounts:
    """Users and tokens over an `AccountStore`; see the module docs."""

    def __init__(self, store: AccountStore) -> None:
        self._store = store

    @classmethod
    def of(cls, store: Store) -> Accounts:
        """The accounts in the same database as the practice store."""
        return cls(AccountStore.of(store))

    # ------------------------------------------------------------------ managing users

    def add_user(self, name: str, role: str, password: str) -> Principal:
        chosen = _role(role)
        hashed = hash_password(check_password(password))
        try:
            return _principal(self._store.add_user(check_name(name), chosen, hashed))
        except UserExists as exc:
            raise AccountError(str(exc)) from exc

    def users(self) -> list[UserInfo]:
        return [UserInfo(name=u.name, role=_role(u.role), created_at=u.created_at) for u in self._store.users()]

    def remove_user(self, name: str) -> None:
        """Remove the user and their tokens; their sessions are kept."""
        try:
            self._store.remove_user(name)
        except RecordNotFound as exc:
            raise AccountError(str(exc)) from exc

    def issue_token(self, name: str) -> str:
        """A new API token for `name` (shown once; only its sha256 is stored)."""
        if self._store.get_user(name) is None:
            raise AccountError(f"No user named '{name}'.")
        token = new_api_token()
        self._store.add_token(name, token_digest(token))
        return token

    # ------------------------------------------------------------------ who is asking

    def local_mode(self) -> bool:
        """True when no user exists: single-user mode, everyone is `LOCAL` (loopback only)."""
        return not self._store.any_users()

    def password_ok(self, name: str, password: str) -> bool:
        """The login check (Gradio's `auth` callable); an unknown name costs the same time."""
        user = self._store.get_user(name)
        if user is None:
            spend_password_time(password)
            return False
        return password_matches(user.password_hash, password)

    def principal_for_name(self, name: str | None) -> Principal:
        """The principal of a logged-in name; `LOCAL` for no name in local mode."""
        if name is None:
            if self.local_mode():
                return LOCAL
            raise NotAuthenticated("Sign in first.")
        user = self._store.get_user(name)
        if user is None:
            raise NotAuthenticated("Your account no longer exists; sign in again.")
        return _principal(user)

    def principal_for_token(self, token: str | None) -> Principal:
        """The principal of a bearer token; `LOCAL` for no token in local mode."""
        if not token:
            if self.local_mode():
                return LOCAL
            raise NotAuthenticated("Missing API token: send 'Authorization: Bearer <token>'.")
        user = self._store.user_for_token(token_digest(token))
        if user is None:
            raise NotAuthenticated("Invalid API token.")
        return _principal(user)
