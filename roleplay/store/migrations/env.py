"""Alembic environment: run by `roleplay.store.connection.apply_migrations` on the store's own
connection (passed in `config.attributes["connection"]`), so no alembic.ini is needed."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from roleplay.store.tables import Base


def run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("roleplay migrations run through roleplay.store.open_store(url)")
    run_migrations(connection)


run()
