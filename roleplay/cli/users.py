"""`roleplay users add|list|remove|token`: accounts for trainees and trainers.

With no user the app runs in local single-user mode (loopback only); once any user exists the page
asks for a sign-in and the REST API for `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from roleplay.cli.app import app, fail

if TYPE_CHECKING:
    from roleplay.auth.accounts import Accounts

users_app = typer.Typer(
    name="users",
    help="Manage user accounts (trainees and trainers) and their API tokens.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(users_app)

DbOption = Annotated[str | None, typer.Option(help="SQLAlchemy URL [default: ROLEPLAY_DB or a SQLite file]")]
NameArgument = Annotated[str, typer.Argument(metavar="NAME", help="login name, e.g. ana.lopez")]


class RoleChoice(StrEnum):
    trainee = "trainee"
    trainer = "trainer"


@contextmanager
def _accounts(db: str | None) -> Iterator[Accounts]:
    """The accounts in the database; store and account errors end the command with one line."""
    from roleplay.auth.accounts import AccountError, Accounts
    from roleplay.settings import ServeSettings
    from roleplay.store import StoreError, open_store

    try:
        store = open_store(db or ServeSettings().db)
    except StoreError as exc:
        fail(str(exc))
    try:
        yield Accounts.of(store)
    except (AccountError, StoreError) as exc:
        fail(str(exc))
    finally:
        store.close()


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    """Asked twice (hidden) on a terminal; else the first line of stdin."""
    if stdin_is_terminal():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    line = sys.stdin.readline()
    if not line:
        fail("no password on stdin; pipe it in, e.g. printf '%s\\n' \"$PASSWORD\" | roleplay users add ...")
    return line.rstrip("\r\n")


@users_app.command("add")
def add_user(
    name: NameArgument,
    role: Annotated[RoleChoice, typer.Option(help="trainee: own sessions only; trainer: reviews everyone's")],
    db: DbOption = None,
) -> None:
    """Add a user. The password is asked for (twice) on a terminal, or read from stdin when piped.

    Example: roleplay users add ana --role trainee
    Example: printf '%s\\n' "$PASSWORD" | roleplay users add maria --role trainer
    """
    with _accounts(db) as accounts:
        from roleplay.auth.accounts import check_name

        check_name(name)  # a bad name fails before the password is asked for
        added = accounts.add_user(name, role.value, _read_password())
    typer.echo(
        f"Added {added.role} '{added.name}'. Sign in at the practice page; API token: roleplay users token {name}"
    )


@users_app.command("list")
def list_users(db: DbOption = None) -> None:
    """List the users and their roles (no users: local single-user mode).

    Example: roleplay users list
    """
    with _accounts(db) as accounts:
        users = accounts.users()
    if not users:
        typer.echo("No users: the app runs in local single-user mode (loopback only).")
        return
    width = max(len(user.name) for user in users)
    for user in users:
        typer.echo(f"{user.name:<{width}}  {user.role:<7}  since {user.created_at:%Y-%m-%d}")


@users_app.command("remove")
def remove_user(name: NameArgument, db: DbOption = None) -> None:
    """Remove a user and their API tokens; their sessions are kept.

    Example: roleplay users remove ana
    """
    with _accounts(db) as accounts:
        accounts.remove_user(name)
    typer.echo(f"Removed '{name}' and their API tokens; their sessions are kept.")


@users_app.command("token")
def issue_token(name: NameArgument, db: DbOption = None) -> None:
    """Make a new API token for a user. It is shown once (only its hash is stored); earlier tokens stay valid.

    Example: roleplay users token ana
    Then: curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:7860/api/sessions
    """
    with _accounts(db) as accounts:
        token = accounts.issue_token(name)
    typer.echo(token)
    typer.echo("Shown once: keep it safe. Send it as 'Authorization: Bearer <token>'.", err=True)
