"""LLMGrader: grades a call through any OpenAI-compatible endpoint (chat completions, strict
json_schema structured output), then lets code decide (roleplay.llm.grader_verdict).

Per sample one model call and a pure parse; an unusable reply (not JSON, wrong shape, out-of-range
score, refused, cut off) gets ONE repair call that sends the error back, then the grading fails as
`needs_review` with the raw reply, never a default score (roleplay.llm.grader_call). Endpoint
failures (after the SDK's own retries of 429/5xx/timeouts) fail as `failed` with a clear reason, so
the grading can be retried. Text aimed at the evaluator is removed before the model sees it and
flagged as `grader_manipulation` (roleplay.integrity).
"""

from __future__ import annotations

from roleplay.content import load_rubric
from roleplay.domain import LANGUAGES, Grade, Rubric, Transcript
from roleplay.integrity import manipulation_flags, neutralise
from roleplay.llm.client import api_key
from roleplay.llm.grader_call import CallPlan, GradingRun, ReplyCache
from roleplay.llm.grader_prompt import build_grader_messages, grader_prompt
from roleplay.llm.grader_verdict import GradeLabels, Sources, build_grade, combine, judge_reply
from roleplay.protocols import GradingFailed
from roleplay.settings import LLMSettings

GRADER_NAME = "llm"
GRADER_VERSION = "llm-1"
MIN_SAMPLES, MAX_SAMPLES = 1, 15


class LLMGrader:
    """Implements roleplay.protocols.Grader on an OpenAI-compatible endpoint.

    `settings.grader_samples` gradings are combined by the per-criterion low median;
    `prompt_version` picks a grader prompt (None: the current one); `cache` answers repeated requests.
    """

    name = GRADER_NAME

    def __init__(
        self,
        settings: LLMSettings,
        *,
        prompt_version: str | None = None,
        cache: ReplyCache | None = None,
        rubric: Rubric | None = None,
    ) -> None:
        """Raises LLMConfigError (no key for the official endpoint) or ContentError (no such prompt)."""
        api_key(settings)
        for language in LANGUAGES:
            grader_prompt(language, prompt_version)
        self.settings = settings
        self.prompt_version = prompt_version
        self.cache = cache
        self.rubric = rubric or load_rubric()
        self.version = f"{GRADER_VERSION}:{settings.grader_model}"

    @property
    def samples(self) -> int:
        return self.settings.grader_samples

    async def grade(self, transcript: Transcript) -> Grade:
        """Grade `transcript` or raise GradingFailed ("failed": endpoint; "needs_review": unusable reply)."""
        if not transcript.agent_turn_indices():
            raise GradingFailed(f"transcript {transcript.id}: no agent turn")
        language = transcript.language
        neutralised = neutralise(transcript)
        messages = build_grader_messages(transcript, self.rubric, language, self.prompt_version)
        run = GradingRun(CallPlan(self.settings, language, self.prompt_version, self.cache), messages)
        sources = Sources(original=transcript, seen=neutralised.seen)
        seeds = [None] if self.samples == 1 else list(range(self.samples))
        verdicts = [judge_reply(await run.sample(seed), sources) for seed in seeds]
        labels = GradeLabels(
            self.name, self.version, self.rubric.version, grader_prompt(language, self.prompt_version).version
        )
        integrity = manipulation_flags(transcript, neutralised.evidence)
        return build_grade(transcript, combine(verdicts), integrity, labels, run.meter.usage())


def build_llm_grader(settings: LLMSettings | None = None, samples: int | None = None) -> LLMGrader:
    """The grader of the `openai` backend from the environment; `samples` overrides ROLEPLAY_GRADER_SAMPLES."""
    chosen = settings or LLMSettings()
    if samples is not None:
        if not MIN_SAMPLES <= samples <= MAX_SAMPLES:
            raise ValueError(f"samples must be between {MIN_SAMPLES} and {MAX_SAMPLES}, not {samples}")
        chosen = chosen.model_copy(update={"grader_samples": samples})
    return LLMGrader(chosen)
