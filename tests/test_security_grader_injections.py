"""Item 2: the evaluation runner's whole injection library (prompts of roleplay.evals.injections, es/en,
hidden in tags and zero-width characters too), injected with `inject()` into a call and graded by the
LLM grader on the fake server. The fake model is gullible: it gives all 5s whenever the injected words
reach it. Every injection is detected (an integrity flag), and no injected call scores above the clean one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_openai import FakeOpenAI
from test_llm_grader import CALLS, call, reply

from roleplay.domain import CRITERION_IDS, Language
from roleplay.evals.injections import Injection, inject, load_injections
from roleplay.llm.grader import LLMGrader
from roleplay.settings import LLMSettings

pytestmark = pytest.mark.timeout(120)
LIBRARY = load_injections()


def words_of(injection: Injection) -> str:
    """A stretch of the injection's visible words a model would have to see to obey it."""
    return injection.text[:24]


def gullible(injection: Injection) -> Any:
    def respond(body: dict[str, Any]) -> dict[str, Any]:
        seen = json.dumps(body["messages"], ensure_ascii=False)
        if json.dumps(words_of(injection), ensure_ascii=False)[1:-1] in seen:
            return reply(injection.language, scores=dict.fromkeys(CRITERION_IDS, 5))
        return reply(injection.language, scores=dict.fromkeys(CRITERION_IDS, 3))

    return respond


@pytest.fixture
def settings(fake_openai: FakeOpenAI) -> LLMSettings:
    values = {"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": fake_openai.api_key}
    return LLMSettings.model_validate({**values, "grader_model": "fake-model", "max_retries": 0})


def test_the_library_is_the_runners_and_covers_both_languages() -> None:
    assert len(LIBRARY) >= 15 and {i.language for i in LIBRARY} == {"es", "en"}
    assert {i.hide for i in LIBRARY} >= {"none", "tags", "zero_width"}


@pytest.mark.parametrize("injection", LIBRARY, ids=lambda i: i.id)
async def test_every_injection_is_detected_and_never_raises_the_score(
    fake_openai: FakeOpenAI, settings: LLMSettings, injection: Injection
) -> None:
    language: Language = injection.language
    fake_openai.script.responder = gullible(injection)
    clean = await LLMGrader(settings).grade(call(language))
    perturbed = inject(call(language), injection)
    assert perturbed is not None
    graded = await LLMGrader(settings).grade(perturbed.transcript)
    assert graded.integrity_flags, f"{injection.id} was not detected"
    assert graded.overall <= clean.overall
    assert graded.scores != dict.fromkeys(CRITERION_IDS, 5)
    assert len(perturbed.transcript.turns) == len(CALLS[language])  # appended to a turn, none added
