"""Storage that never loses a turn: sessions, turns and grades behind SQLAlchemy.

Only this package imports SQLAlchemy and Alembic.
"""

from roleplay.store.connection import default_db_url
from roleplay.store.records import (
    GradeOutcome,
    NewLabel,
    NewSession,
    StoredGrade,
    StoredLabel,
    StoredSession,
    StoredTurn,
    StoredUsage,
)
from roleplay.store.repository import RecordNotFound, Store, StoreError, open_store

__all__ = [
    "GradeOutcome",
    "NewLabel",
    "NewSession",
    "RecordNotFound",
    "Store",
    "StoreError",
    "StoredGrade",
    "StoredLabel",
    "StoredSession",
    "StoredTurn",
    "StoredUsage",
    "default_db_url",
    "open_store",
]
