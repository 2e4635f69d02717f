"""Assembling the practice service from settings (used by `roleplay serve`, `roleplay chat`, the app)."""

from __future__ import annotations

from roleplay.services.practice import PracticeService
from roleplay.settings import LimitSettings


def build_practice_service(db_url: str, backend: str, limits: LimitSettings | None = None) -> PracticeService:
    """Open the store (migrations applied) and build the engines of `backend`.

    `limits` (message rate per user, token budget per call) default to LimitSettings() from the environment.
    """
    from roleplay.backends import build_debtor, build_grader
    from roleplay.store import open_store

    debtor = build_debtor(backend)
    store = open_store(db_url)
    grader = build_grader(backend)
    return PracticeService(store, debtor, grader, backend=backend, model=debtor.model, limits=limits or LimitSettings())
