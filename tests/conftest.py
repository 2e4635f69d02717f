"""Shared fixtures. The autouse `isolated_environment` keeps every test off the real home, database
and network-facing telemetry."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["fake_openai"]  # the `fake_openai` fixture: a fake OpenAI-compatible server


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary home: SQLite DB via ROLEPLAY_DB, XDG dirs, no analytics or telemetry, no API keys."""
    home = tmp_path_factory.mktemp("home")
    for variable in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(variable, str(home / variable.lower()))
    monkeypatch.setenv("ROLEPLAY_DB", f"sqlite:///{home / 'roleplay.db'}")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "ROLEPLAY_BACKEND", "ROLEPLAY_PROMPTS_DIR"):
        monkeypatch.delenv(variable, raising=False)
    return home
