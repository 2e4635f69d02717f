"""Accounts: argon2 password hashes, API tokens stored as sha256 only, principals, and the
`roleplay users` commands (piped and typed passwords, one-line errors)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

import roleplay.auth.secrets_hashing as secrets_hashing
from roleplay.auth import LOCAL, Principal
from roleplay.auth.accounts import AccountError, Accounts, NotAuthenticated
from roleplay.auth.local_mode import is_loopback
from roleplay.auth.secrets_hashing import hash_password, new_api_token, password_matches, token_digest
from roleplay.cli.app import app
from roleplay.store import Store, open_store
from roleplay.store.accounts import AccountStore

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: the same algorithm, a fraction of the time."""
    monkeypatch.setattr(secrets_hashing, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "accounts.db"


@pytest.fixture
def store(db_path: Path) -> Store:
    return open_store(f"sqlite:///{db_path}")


@pytest.fixture
def accounts(store: Store) -> Accounts:
    return Accounts.of(store)


# --------------------------------------------------------------------------- hashing and tokens


def test_password_hashes_are_salted_argon2id_and_verify() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second and PASSWORD not in first
    assert password_matches(first, PASSWORD) and password_matches(second, PASSWORD)


@pytest.mark.parametrize("attempt", ["", "correct horse battery ", "Correct horse battery", "x"])
def test_a_wrong_password_does_not_match(attempt: str) -> None:
    assert not password_matches(hash_password(PASSWORD), attempt)


def test_a_corrupt_hash_never_matches() -> None:
    assert not password_matches("not-a-hash", PASSWORD)


def test_tokens_are_random_urlsafe_and_digested_with_sha256() -> None:
    tokens = {new_api_token() for _ in range(50)}
    assert len(tokens) == 50
    token = tokens.pop()
    assert token.startswith("rp_") and len(token) >= 43 and token.replace("-", "").replace("_", "").isalnum()
    assert token_digest(token) == hashlib.sha256(token.encode()).hexdigest()


def test_tokens_and_passwords_are_stored_hashed_only(accounts: Accounts, store: Store, db_path: Path) -> None:
    accounts.add_user("ana", "trainee", PASSWORD)
    token = accounts.issue_token("ana")
    assert AccountStore.of(store).token_hashes("ana") == [token_digest(token)]
    with sqlite3.connect(db_path) as raw:
        dumped = "\n".join(raw.iterdump())
    assert token not in dumped and PASSWORD not in dumped
    assert token_digest(token) in dumped and "$argon2id$" in dumped


# --------------------------------------------------------------------------- principals


@pytest.mark.parametrize(
    ("principal", "owner", "read", "change", "review"),
    [
        (Principal("ana", "trainee"), "ana", True, True, False),
        (Principal("ana", "trainee"), "luis", False, False, False),
        (Principal("maria", "trainer"), "ana", True, False, True),
        (Principal("maria", "trainer"), "maria", True, True, True),
        (LOCAL, "local", True, True, True),
    ],
)
def test_principal_rules(principal: Principal, owner: str, read: bool, change: bool, review: bool) -> None:
    assert (principal.can_read(owner), principal.can_change(owner), principal.can_review(owner)) == (
        read,
        change,
        review,
    )


def test_without_users_everyone_is_local(accounts: Accounts) -> None:
    assert accounts.local_mode()
    assert accounts.principal_for_name(None) == LOCAL
    assert accounts.principal_for_token(None) == LOCAL


def test_with_users_names_and_tokens_resolve_and_nothing_else_does(accounts: Accounts) -> None:
    accounts.add_user("maria", "trainer", PASSWORD)
    token = accounts.issue_token("maria")
    assert accounts.principal_for_name("maria") == Principal("maria", "trainer")
    assert accounts.principal_for_token(token) == Principal("maria", "trainer")
    for bad_call in (
        lambda: accounts.principal_for_name(None),
        lambda: accounts.principal_for_name("ghost"),
        lambda: accounts.principal_for_token(None),
        lambda: accounts.principal_for_token(token + "x"),
    ):
        with pytest.raises(NotAuthenticated):
            bad_call()


def test_removing_a_user_revokes_their_tokens_and_login(accounts: Accounts) -> None:
    accounts.add_user("ana", "trainee", PASSWORD)
    accounts.add_user("maria", "trainer", PASSWORD)
    token = accounts.issue_token("ana")
    accounts.remove_user("ana")
    assert not accounts.password_ok("ana", PASSWORD)
    with pytest.raises(NotAuthenticated):
        accounts.principal_for_token(token)
    with pytest.raises(NotAuthenticated):
        accounts.principal_for_name("ana")


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("bad name", "trainee", PASSWORD, "Invalid user name 'bad name'"),
        ("-dash", "trainee", PASSWORD, "Invalid user name"),
        ("x" * 65, "trainee", PASSWORD, "Invalid user name"),
        ("local", "trainer", PASSWORD, "reserved for local single-user mode"),
        ("ana", "boss", PASSWORD, "Unknown role 'boss'; use one of: trainee, trainer."),
        ("ana", "trainee", "short", "too short: use at least 8"),
        ("taken", "trainee", PASSWORD, "A user named 'taken' already exists."),
    ],
)
def test_bad_accounts_are_one_line_errors(
    accounts: Accounts, name: str, role: str, password: str, message: str
) -> None:
    accounts.add_user("taken", "trainee", PASSWORD)
    with pytest.raises(AccountError, match=message.replace("(", r"\(").replace(".", r"\.")) as caught:
        accounts.add_user(name, role, password)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# --------------------------------------------------------------------------- the CLI


def run(db_path: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    from roleplay.cli.app import _register

    _register()
    result = CliRunner().invoke(app, [*args, "--db", f"sqlite:///{db_path}"], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_users_add_list_token_remove(db_path: Path, store: Store) -> None:
    assert run(db_path, "users", "add", "ana", "--role", "trainee", stdin=PASSWORD + "\n")[0] == 0
    assert run(db_path, "users", "add", "maria", "--role", "trainer", stdin=PASSWORD + "\r\n")[0] == 0
    code, listed, _ = run(db_path, "users", "list")
    assert code == 0 and [line.split()[:2] for line in listed.splitlines()] == [
        ["ana", "trainee"],
        ["maria", "trainer"],
    ]
    accounts = Accounts.of(store)
    assert accounts.password_ok("ana", PASSWORD) and accounts.password_ok("maria", PASSWORD)
    code, token, note = run(db_path, "users", "token", "ana")
    assert code == 0 and "Shown once" in note
    assert accounts.principal_for_token(token.strip()) == Principal("ana", "trainee")
    code, out, _ = run(db_path, "users", "remove", "ana")
    assert code == 0 and "sessions are kept" in out
    assert [user.name for user in accounts.users()] == ["maria"]


def test_users_add_asks_twice_on_a_terminal(db_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("roleplay.cli.users.stdin_is_terminal", lambda: True)
    code, _, _ = run(db_path, "users", "add", "ana", "--role", "trainee", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0 and Accounts.of(store).password_ok("ana", PASSWORD)


def test_users_list_without_users_explains_local_mode(db_path: Path) -> None:
    assert "local single-user mode" in run(db_path, "users", "list")[1]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("users", "add", "bad name", "--role", "trainee"), PASSWORD, "Invalid user name 'bad name'"),
        (("users", "add", "ana", "--role", "trainee"), "", "no password on stdin"),
        (("users", "add", "ana", "--role", "trainee"), "short\n", "The password is too short"),
        (("users", "add", "taken", "--role", "trainer"), PASSWORD, "A user named 'taken' already exists."),
        (("users", "token", "ghost"), None, "No user named 'ghost'."),
        (("users", "remove", "ghost"), None, "No user named 'ghost'."),
    ],
)
def test_user_mistakes_are_one_line_errors(
    db_path: Path, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    run(db_path, "users", "add", "taken", "--role", "trainee", stdin=PASSWORD)
    code, _, err = run(db_path, *args, stdin=stdin)
    assert code == 2
    assert err.startswith("roleplay: ") and message in err and err.count("\n") == 1
    assert "Traceback" not in err
