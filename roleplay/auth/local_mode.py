"""Local single-user mode (no user accounts) is for one person on one machine: it listens on a
loopback address only, because everyone who can reach it acts as the trainer `LOCAL`."""

from __future__ import annotations

import ipaddress

from roleplay.auth.accounts import AccountError, Accounts

LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost"})


class LocalModeExposed(AccountError):
    """Local mode asked to listen on a non-loopback address."""


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'; False for 0.0.0.0, '' and any other name."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refuse_exposed_local_mode(accounts: Accounts, host: str) -> None:
    """Raise LocalModeExposed when no user exists and `host` is not a loopback address."""
    if is_loopback(host) or not accounts.local_mode():
        return
    raise LocalModeExposed(
        f"No user accounts exist, so the app runs in local single-user mode (no sign-in) and listens on "
        f"127.0.0.1 only, not on '{host}'. Add users first, e.g. 'roleplay users add ana --role trainer', "
        f"then serve on {host}."
    )
