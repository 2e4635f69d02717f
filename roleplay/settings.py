"""Settings from the environment, grouped so no signature needs many options.

`ServeSettings` (ROLEPLAY_HOST, ROLEPLAY_PORT, ROLEPLAY_DB, ROLEPLAY_BACKEND, ROLEPLAY_QUEUE_*),
`LimitSettings` (ROLEPLAY_RATE_LIMIT_PER_MINUTE, ROLEPLAY_SESSION_TOKEN_BUDGET) and
`LLMSettings` (the standard OPENAI_API_KEY / OPENAI_BASE_URL plus ROLEPLAY_* model settings).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

Backend = Literal["offline", "openai"]


def default_db_url() -> str:
    """A SQLite file under $XDG_DATA_HOME/roleplay (default ~/.local/share/roleplay/roleplay.db)."""
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'roleplay' / 'roleplay.db'}"


def default_backend() -> Backend:
    """ROLEPLAY_BACKEND if set; else `openai` when OPENAI_API_KEY or OPENAI_BASE_URL is set; else `offline`."""
    chosen = os.environ.get("ROLEPLAY_BACKEND", "").strip().lower()
    if chosen in ("offline", "openai"):
        return chosen  # type: ignore[return-value]
    if os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"):
        return "openai"
    return "offline"


class ServeSettings(BaseSettings):
    """How `roleplay serve` runs."""

    model_config = SettingsConfigDict(env_prefix="ROLEPLAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=0, le=65535)
    db: str = Field(default_factory=default_db_url, description="any SQLAlchemy URL")
    backend: Backend = Field(default_factory=default_backend)
    queue_concurrency: int = Field(default=16, ge=1, description="events of one kind run at once")
    queue_max_size: int = Field(default=64, ge=1, description="waiting events before 'busy'")
    max_upload_mb: int = Field(default=5, ge=1, description="largest file the page accepts (transcript imports)")


class LimitSettings(BaseSettings):
    """Abuse limits of the served app, per user and per call (0 switches a limit off)."""

    model_config = SettingsConfigDict(env_prefix="ROLEPLAY_", extra="ignore")

    rate_limit_per_minute: int = Field(default=30, ge=0, description="agent messages per user per minute")
    session_token_budget: int = Field(default=250_000, ge=0, description="model tokens one call may use")


class LLMSettings(BaseSettings):
    """The `openai` backend: any OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama, LiteLLM)."""

    model_config = SettingsConfigDict(env_prefix="ROLEPLAY_", extra="ignore")

    api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("OPENAI_API_KEY"))
    base_url: str | None = Field(default=None, validation_alias=AliasChoices("OPENAI_BASE_URL"))
    debtor_model: str = "gpt-4.1-mini"
    grader_model: str = "gpt-4.1"
    debtor_temperature: float = Field(default=0.8, ge=0, le=2)
    grader_temperature: float = Field(default=0.0, ge=0, le=2)
    connect_timeout: float = Field(default=5.0, gt=0, description="seconds")
    debtor_read_timeout: float = Field(default=30.0, gt=0, description="seconds")
    grader_read_timeout: float = Field(default=120.0, gt=0, description="seconds")
    max_retries: int = Field(default=2, ge=0, le=10)
    grader_samples: int = Field(default=1, ge=1, le=15)
    debtor_context_tokens: int = Field(default=3000, ge=500, description="budget for the conversation history")
