"""The LLM grader's messages: pure functions over prompts/llm/grader.<language>.yaml and the rubric.

The system message is static per language (rubric, flags, rules), so providers' prompt caching
applies; the transcript comes last, in a delimited data block with numbered turns, after it has been
neutralised by roleplay.integrity (text aimed at the evaluator removed, delimiters escaped).
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from roleplay.content import ContentError, load_model, prompts_dir
from roleplay.domain import Language, Role, Rubric, Transcript
from roleplay.integrity import integrity_rules, neutralise

Message = dict[str, str]
VERSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

TEMPLATE_FIELDS: dict[str, frozenset[str]] = {
    "system": frozenset({"criteria", "flags", "placeholder"}),
    "criterion": frozenset({"id", "title", "description", "anchor_1", "anchor_3", "anchor_5"}),
    "flag": frozenset({"id", "title", "description"}),
    "turn": frozenset({"index", "role", "text"}),
    "data": frozenset({"turns"}),
    "repair": frozenset({"error"}),
}


def template_fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


class GraderPrompt(BaseModel):
    """prompts/llm/grader.<language>.yaml; every template must use exactly its fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    language: Language
    system: str
    criterion: str
    flag: str
    roles: dict[Role, str]
    turn: str
    data: str
    repair: str

    @model_validator(mode="after")
    def _fields(self) -> GraderPrompt:
        for key, expected in TEMPLATE_FIELDS.items():
            found = template_fields(getattr(self, key))
            if found != expected:
                raise ValueError(f"template '{key}' must use the fields {sorted(expected)}, it uses {sorted(found)}")
        if set(self.roles) != {"agent", "debtor"}:
            raise ValueError("roles must name 'agent' and 'debtor'")
        return self


def grader_prompt_path(language: Language, version: str | None = None) -> Path:
    """prompts/llm/grader.<language>.yaml (the current prompt) or grader.<language>.<version>.yaml."""
    if version and not VERSION_NAME.fullmatch(version):
        raise ContentError(f"'{version}' is not a prompt version (letters, digits, '.', '_', '-')")
    suffix = f".{version}" if version else ""
    return prompts_dir() / "llm" / f"grader.{language}{suffix}.yaml"


@cache
def grader_prompt(language: Language, version: str | None = None) -> GraderPrompt:
    """The current prompt of `language`, or the one of `version` (the current file when it has that
    version, else grader.<language>.<version>.yaml). ContentError when there is none."""
    current = _load_prompt(grader_prompt_path(language), language)
    if version is None or current.version == version:
        return current
    path = grader_prompt_path(language, version)
    if not path.is_file():
        raise ContentError(f"no grader prompt version '{version}' for '{language}' (looked for {path})")
    chosen = _load_prompt(path, language)
    if chosen.version != version:
        raise ContentError(f"{path}: key 'version': '{chosen.version}' must be '{version}'")
    return chosen


def _load_prompt(path: Path, language: Language) -> GraderPrompt:
    prompt = load_model(path, GraderPrompt)
    if prompt.language != language:
        raise ContentError(f"{path}: key 'language': '{prompt.language}' must be '{language}'")
    return prompt


def render_criteria(rubric: Rubric, prompt: GraderPrompt) -> str:
    lang = prompt.language
    return "\n".join(
        prompt.criterion.format(
            id=c.id,
            title=c.title.get(lang),
            description=c.description.get(lang),
            anchor_1=c.anchors.one.get(lang),
            anchor_3=c.anchors.three.get(lang),
            anchor_5=c.anchors.five.get(lang),
        )
        for c in rubric.criteria
    )


def render_flags(rubric: Rubric, prompt: GraderPrompt) -> str:
    lang = prompt.language
    return "\n".join(
        prompt.flag.format(id=f.id, title=f.title.get(lang), description=f.description.get(lang)) for f in rubric.flags
    )


def system_text(rubric: Rubric, language: Language, version: str | None = None) -> str:
    """The static instructions: the same text for every call in `language`."""
    prompt = grader_prompt(language, version)
    placeholder = integrity_rules().placeholder.get(language)
    return prompt.system.format(
        criteria=render_criteria(rubric, prompt), flags=render_flags(rubric, prompt), placeholder=placeholder
    ).strip()


def data_text(seen: Transcript, language: Language, version: str | None = None) -> str:
    """The data block; `seen` is a neutralised transcript (one escaped line per turn)."""
    prompt = grader_prompt(language, version)
    lines = [
        prompt.turn.format(index=i, role=prompt.roles[turn.role], text=turn.text) for i, turn in enumerate(seen.turns)
    ]
    return prompt.data.format(turns="\n".join(lines))


def build_grader_messages(
    transcript: Transcript, rubric: Rubric, language: Language, version: str | None = None
) -> list[Message]:
    """System instructions first, then the neutralised transcript (roleplay.integrity) in its data block."""
    seen = neutralise(transcript).seen
    return [
        {"role": "system", "content": system_text(rubric, language, version)},
        {"role": "user", "content": data_text(seen, language, version)},
    ]


def repair_messages(
    messages: list[Message], raw_reply: str, error: str, language: Language, version: str | None = None
) -> list[Message]:
    """The conversation again, with the unusable reply and a request for valid output."""
    repair = grader_prompt(language, version).repair.format(error=error)
    return [*messages, {"role": "assistant", "content": raw_reply}, {"role": "user", "content": repair}]


def prompt_version(language: Language, version: str | None = None) -> str:
    return grader_prompt(language, version).version
