"""Settings from the environment (ROLEPLAY_*), grouped so no signature needs many options."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Backend = Literal["offline", "openai"]


def default_db_url() -> str:
    """A SQLite file under $XDG_DATA_HOME/roleplay (default ~/.local/share/roleplay/roleplay.db)."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'roleplay' / 'roleplay.db'}"


class ServeSettings(BaseSettings):
    """How `roleplay serve` runs: ROLEPLAY_HOST, ROLEPLAY_PORT, ROLEPLAY_DB, ROLEPLAY_QUEUE_*."""

    model_config = SettingsConfigDict(env_prefix="ROLEPLAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=0, le=65535)
    db: str = Field(default_factory=default_db_url, description="any SQLAlchemy URL")
    backend: Backend = "offline"
    queue_concurrency: int = Field(default=16, ge=1, description="events of one kind run at once")
    queue_max_size: int = Field(default=64, ge=1, description="waiting events before 'busy'")
