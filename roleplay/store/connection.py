"""Engine creation and start-up migrations. The SQLite pragmas are the only dialect-specific SQL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from roleplay import settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 5000


def default_db_url() -> str:
    """$ROLEPLAY_DB, else a SQLite file at $XDG_DATA_HOME/roleplay/roleplay.db."""
    return os.environ.get("ROLEPLAY_DB") or settings.default_db_url()


def _is_memory(database: str | None) -> bool:
    return not database or database == ":memory:" or database.startswith("file::memory:")


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if _is_memory(database):
        return create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    Path(database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a commit is durable at the next checkpoint
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite gets WAL (synchronous=NORMAL), a busy timeout and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = _sqlite_engine(url, parsed.database)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def apply_migrations(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (the first revision creates it)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
