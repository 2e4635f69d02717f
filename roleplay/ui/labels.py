"""Every label of the practice page, loaded from prompts/ui/labels.yaml (no gradio here)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from roleplay.content import load_model, prompts_dir
from roleplay.domain import Language, LocalText
from roleplay.protocols import EndReason, Mood

LANGUAGE_CHOICES: list[tuple[str, Language]] = [("Español", "es"), ("English", "en")]


class LabelSet(BaseModel):
    """A labels file: one LocalText field per label; a missing or unknown key is an error naming it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str

    def text(self, key: str, language: Language, **values: object) -> str:
        """The label `key` in `language`, with `{placeholders}` filled from `values`."""
        local: LocalText = getattr(self, key)
        template = local.get(language)
        return template.format(**values) if values else template


class UiLabels(LabelSet):
    """prompts/ui/labels.yaml: the practice page."""

    title: LocalText
    tagline: LocalText
    backend_line: LocalText
    backend_offline: LocalText
    backend_model: LocalText
    language: LocalText
    persona: LocalText
    vulnerable: LocalText
    difficulty: LocalText
    mode: LocalText
    mode_training: LocalText
    mode_assessment: LocalText
    start: LocalText
    chat: LocalText
    message: LocalText
    message_placeholder: LocalText
    send: LocalText
    hang_up: LocalText
    retry_reply: LocalText
    reply_failed: LocalText
    tab_practice: LocalText
    trust: LocalText
    mood: LocalText
    mood_hostile: LocalText
    mood_guarded: LocalText
    mood_neutral: LocalText
    mood_open: LocalText
    mood_cooperative: LocalText
    call_ended: LocalText
    end_debtor_hung_up: LocalText
    end_agreement: LocalText
    end_agent_hung_up: LocalText
    restored: LocalText
    no_persona: LocalText
    no_call: LocalText
    empty_message: LocalText
    too_long: LocalText
    call_over: LocalText
    grading_failed: LocalText
    grade_again: LocalText
    scorecard: LocalText
    hard: LocalText
    soft: LocalText
    overall: LocalText
    quadrant: LocalText
    criteria_chart: LocalText
    quadrant_chart: LocalText
    this_call: LocalText
    past_calls: LocalText
    failed_banner: LocalText
    passed: LocalText
    integrity: LocalText
    criteria_details: LocalText
    turn: LocalText
    low_confidence: LocalText
    strengths: LocalText
    improvements: LocalText
    try_saying: LocalText
    download_transcript: LocalText
    download_grade: LocalText
    my_sessions: LocalText
    refresh: LocalText
    col_date: LocalText
    col_persona: LocalText
    col_language: LocalText
    col_mode: LocalText
    col_status: LocalText
    col_turns: LocalText
    col_overall: LocalText
    col_hard: LocalText
    col_soft: LocalText
    col_quadrant: LocalText
    mode_name_training: LocalText
    mode_name_assessment: LocalText
    status_active: LocalText
    status_ended: LocalText
    my_progress: LocalText
    progress_refresh: LocalText

    def mood_word(self, mood: Mood, language: Language) -> str:
        return self.text(f"mood_{mood}", language)

    def end_reason_text(self, reason: EndReason, language: Language) -> str:
        return self.text(f"end_{reason}", language)


def load_labels(path: Path | None = None) -> UiLabels:
    return load_model(path or prompts_dir() / "ui" / "labels.yaml", UiLabels)


@cache
def labels() -> UiLabels:
    """The page labels, loaded once per process."""
    return load_labels()
