"""The REST API: FastAPI routes over the practice service (never the store, never gradio)."""

from roleplay.api.routes import create_api

__all__ = ["create_api"]
