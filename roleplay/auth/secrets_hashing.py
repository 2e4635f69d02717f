"""Password hashing (argon2id through argon2-cffi) and API tokens (random, shown once, stored as sha256)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_BYTES = 32
TOKEN_PREFIX = "rp_"
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("a password nobody has")


def hash_password(password: str) -> str:
    """An argon2id hash string (salted; the same password hashes differently each time)."""
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """True when `password` is the one `password_hash` was made from."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def spend_password_time(password: str) -> None:
    """Verify against a dummy hash, so an unknown name takes as long as a wrong password."""
    password_matches(_DUMMY_HASH, password)


def new_api_token() -> str:
    """A new token: 'rp_' + 32 random bytes, urlsafe base64. Shown to the user once, never stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the store keeps of a token: its sha256, hex (a 32-byte random token needs no slow hash)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
