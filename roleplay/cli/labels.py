"""Labels of the terminal texts (prompts/cli/labels.yaml)."""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict

from roleplay.content import load_model, prompts_dir
from roleplay.domain import Language, LocalText


class LabelFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    labels: dict[str, LocalText]


@cache
def _labels() -> LabelFile:
    return load_model(prompts_dir() / "cli" / "labels.yaml", LabelFile)


def label(key: str, language: Language, **values: str) -> str:
    text = _labels().labels[key].get(language)
    return text.format(**values) if values else text
