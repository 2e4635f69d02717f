"""Who calls the REST API: `Authorization: Bearer <token>` → Principal (roleplay.auth).

When no user exists (local single-user mode) a request without a token acts as `LOCAL`; once any
user exists every route answers 401 {"detail": ...} without a valid token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Header, HTTPException

from roleplay.auth import Principal
from roleplay.auth.accounts import Accounts, NotAuthenticated

BEARER = "bearer"


def _token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, None without a header."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        raise NotAuthenticated("Malformed Authorization header: send 'Authorization: Bearer <token>'.")
    return token.strip()


def unauthorised(reason: str) -> HTTPException:
    return HTTPException(status_code=401, detail=reason, headers={"WWW-Authenticate": "Bearer"})


def bearer_viewer(accounts: Accounts) -> Callable[..., Principal]:
    """A FastAPI dependency that resolves the caller's Principal or answers 401."""

    def current_viewer(authorization: Annotated[str | None, Header()] = None) -> Principal:
        try:
            return accounts.principal_for_token(_token(authorization))
        except NotAuthenticated as exc:
            raise unauthorised(str(exc)) from exc

    return current_viewer
