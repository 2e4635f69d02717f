"""Build the debtor engine and the grader of a backend by name ("offline" or "openai").

Engines are imported inside the factories, so choosing one backend never imports the other's
libraries (and importing this module needs no key and no network).
"""

from __future__ import annotations

from roleplay.protocols import DebtorEngine, Grader
from roleplay.services.practice import BackendUnavailable

BACKENDS: tuple[str, ...] = ("offline", "openai")


class BackendNotImplemented(BackendUnavailable, NotImplementedError):
    """The backend is known but cannot be built yet."""


class UnknownBackend(BackendUnavailable, ValueError):
    """No backend of that name."""


def _check(backend: str) -> None:
    if backend not in BACKENDS:
        raise UnknownBackend(f"Unknown backend '{backend}'; use one of: {', '.join(BACKENDS)}.")
    if backend == "openai":
        raise BackendNotImplemented("The 'openai' backend is not available yet; use the 'offline' backend.")


def build_debtor(backend: str) -> DebtorEngine:
    """The debtor engine of `backend`: "offline" is the ScriptedDebtor."""
    _check(backend)
    from roleplay.offline.debtor import ScriptedDebtor

    return ScriptedDebtor()


def build_grader(backend: str) -> Grader:
    """The grader of `backend`: "offline" is the RuleGrader."""
    _check(backend)
    from roleplay.offline.grader import RuleGrader

    return RuleGrader()
