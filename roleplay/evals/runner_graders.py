"""The grader of each repeat index for one suite grader configuration.

Offline: one RuleGrader for every repeat (it needs no cache: it makes no model call). OpenAI: one
LLMGrader per repeat index, each with the response cache scoped to that index, so repeats are real
calls while an unchanged re-run is answered from the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from roleplay.evals.cache import CollectingCache, PendingRequest, ReplyCache, ResponseCache
from roleplay.evals.runner_exec import GraderForRepeat
from roleplay.evals.suite import GraderConfig
from roleplay.protocols import Grader

CacheForRepeat = Callable[[int], ReplyCache | None]


def cache_for_repeat(store: ResponseCache | None) -> CacheForRepeat:
    if store is None:
        return lambda repeat: None
    return store.for_repeat


def collecting_cache(store: ResponseCache, pending: dict[str, PendingRequest]) -> CacheForRepeat:
    """For the first pass of a --batch run: misses are queued in `pending` instead of sent."""
    return lambda repeat: CollectingCache(store, repeat, pending)


def build_graders(config: GraderConfig, caches: CacheForRepeat) -> GraderForRepeat:
    """A function repeat index -> Grader (built once per index and reused)."""
    if config.backend == "offline":
        from roleplay.offline.grader import RuleGrader

        rule = RuleGrader()
        return lambda repeat: rule
    built: dict[int, Grader] = {}

    def grader(repeat: int) -> Grader:
        if repeat not in built:
            built[repeat] = llm_grader(config, caches(repeat))
        return built[repeat]

    return grader


def llm_settings_overrides(config: GraderConfig) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if config.model:
        overrides["grader_model"] = config.model
    if config.temperature is not None:
        overrides["grader_temperature"] = config.temperature
    overrides["grader_samples"] = config.samples
    return overrides


def llm_grader(config: GraderConfig, cache: ReplyCache | None) -> Grader:
    """The LLM grader of `config` (imported here: choosing offline never imports langchain)."""
    from roleplay.llm.grader import LLMGrader
    from roleplay.settings import LLMSettings

    settings = LLMSettings().model_copy(update=llm_settings_overrides(config))
    grader: Grader = LLMGrader(settings, prompt_version=config.prompt_version, cache=cache)
    return grader
