"""Assembling the practice service from settings (used by `roleplay serve`, `roleplay chat`, the app)."""

from __future__ import annotations

from roleplay.services.practice import PracticeService


def build_practice_service(db_url: str, backend: str) -> PracticeService:
    """Open the store (migrations applied) and build the engines of `backend`."""
    from roleplay.backends import build_debtor, build_grader
    from roleplay.store import open_store

    debtor = build_debtor(backend)
    return PracticeService(open_store(db_url), debtor, build_grader(backend), backend=backend, model=debtor.model)
