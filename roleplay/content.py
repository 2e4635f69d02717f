"""One loader for every content file under prompts/ (rubric, personas, phrase banks, lexicons).

A broken file is a `ContentError` naming the file and the key, never a bare traceback.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ValidationError

from roleplay.domain import Persona, Rubric

M = TypeVar("M", bound=BaseModel)


class ContentError(Exception):
    """A content file is missing, unreadable or does not match its schema."""


def check_regex(pattern: str) -> str:
    """A pattern in a content file must compile; the validation error names the pattern."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc
    return pattern


Regex = Annotated[str, AfterValidator(check_regex)]
"""A regular expression read from a content file (checked when the file is loaded)."""


def prompts_dir() -> Path:
    """The prompts/ folder: $ROLEPLAY_PROMPTS_DIR, else the one beside the package."""
    override = os.environ.get("ROLEPLAY_PROMPTS_DIR")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "prompts"


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: invalid YAML: {_yaml_problem(exc)}") from exc


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """One line: the problem and where (PyYAML's own text spans several lines with a caret)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else str(problem)


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"key '{key}': {err['msg']}")
    return "; ".join(parts)


def load_model(path: Path, model: type[M]) -> M:
    """Read a YAML file and validate it against `model`, naming file and key on failure."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ContentError(f"{path}: expected a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContentError(f"{path}: {_describe(exc)}") from exc


@cache
def load_rubric(path: Path | None = None) -> Rubric:
    return load_model(path or prompts_dir() / "rubric.yaml", Rubric)


def load_personas(folder: Path | None = None) -> dict[str, Persona]:
    """Every persona under prompts/personas/, keyed by id, in file-name order."""
    folder = folder or prompts_dir() / "personas"
    personas: dict[str, Persona] = {}
    for path in sorted(folder.glob("*.yaml")):
        persona = load_model(path, Persona)
        if persona.id != path.stem:
            raise ContentError(f"{path}: key 'id': '{persona.id}' must match the file name '{path.stem}'")
        _check_acts(path, persona)
        personas[persona.id] = persona
    if not personas:
        raise ContentError(f"{folder}: no persona files (*.yaml)")
    return personas


def _check_acts(path: Path, persona: Persona) -> None:
    from roleplay.acts import AGENT_ACTS

    known = {a.value for a in AGENT_ACTS}
    for i, fact in enumerate(persona.hidden_facts):
        for act in fact.earned_by:
            if act not in known:
                raise ContentError(f"{path}: key 'hidden_facts.{i}.earned_by': unknown act '{act}'")
    for act in persona.closed_by:
        if act not in known:
            raise ContentError(f"{path}: key 'closed_by': unknown act '{act}'")


@cache
def personas() -> dict[str, Persona]:
    """The persona library, loaded once per process."""
    return load_personas()


def get_persona(persona_id: str) -> Persona:
    library = personas()
    if persona_id not in library:
        raise KeyError(f"unknown persona '{persona_id}'; known: {', '.join(library)}")
    return library[persona_id]
