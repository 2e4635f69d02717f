"""Build the debtor engine and the grader of a backend by name ("offline" or "openai").

Engines are imported inside the factories, so choosing one backend never imports the other's
libraries (and importing this module needs no key and no network).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roleplay.protocols import DebtorEngine, Grader
from roleplay.services.practice import BackendUnavailable

if TYPE_CHECKING:
    from roleplay.settings import LLMSettings

BACKENDS: tuple[str, ...] = ("offline", "openai")


class BackendNotImplemented(BackendUnavailable, NotImplementedError):
    """The backend is known but cannot be built yet."""


class UnknownBackend(BackendUnavailable, ValueError):
    """No backend of that name."""


class BackendMisconfigured(BackendUnavailable, ValueError):
    """The backend's settings cannot work (e.g. no OPENAI_API_KEY for the official endpoint)."""


def _check(backend: str) -> None:
    if backend not in BACKENDS:
        raise UnknownBackend(f"Unknown backend '{backend}'; use one of: {', '.join(BACKENDS)}.")


def _llm_settings(settings: LLMSettings | None) -> LLMSettings:
    from roleplay.settings import LLMSettings

    return settings or LLMSettings()


def build_debtor(backend: str, settings: LLMSettings | None = None) -> DebtorEngine:
    """The debtor engine of `backend`: "offline" is the ScriptedDebtor, "openai" the LLMDebtor
    (on `settings`, default: from the environment)."""
    _check(backend)
    if backend == "openai":
        from roleplay.llm.client import LLMConfigError, api_key
        from roleplay.llm.debtor import LLMDebtor

        chosen = _llm_settings(settings)
        try:
            api_key(chosen)
        except LLMConfigError as exc:
            raise BackendMisconfigured(str(exc)) from exc
        return LLMDebtor(chosen)
    from roleplay.offline.debtor import ScriptedDebtor

    return ScriptedDebtor()


def build_grader(backend: str, settings: LLMSettings | None = None) -> Grader:
    """The grader of `backend`: "offline" is the RuleGrader, "openai" the LLMGrader."""
    _check(backend)
    if backend == "openai":
        from roleplay.llm.client import LLMConfigError
        from roleplay.llm.grader import LLMGrader

        try:
            return LLMGrader(_llm_settings(settings))
        except LLMConfigError as exc:
            raise BackendMisconfigured(str(exc)) from exc
    from roleplay.offline.grader import RuleGrader

    return RuleGrader()


def describe(backend: str, settings: LLMSettings | None = None) -> str:
    """One line naming the backend and its models, for `roleplay serve` (never the key)."""
    _check(backend)
    if backend == "offline":
        return "offline (scripted debtor, rule grader; no network)"
    from roleplay.llm.client import describe_backend

    chosen = _llm_settings(settings)
    return f"{describe_backend(chosen, 'debtor')}; grader {chosen.grader_model}"
