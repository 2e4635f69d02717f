"""The LLM grader's model calls: one chat-completions call per attempt, an optional response cache,
one repair call when a reply is unusable, usage summed over every call.

The request body used as the cache key (`request_body`) is exactly what is sent: model, messages,
temperature, the strict json_schema `response_format`, and a `seed` per sample when k > 1 (so k
samples are k different requests). Cached responses are chat.completion objects, so a response from
the Batch API can be cached too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import openai
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI

from roleplay.domain import Language, TokenUsage
from roleplay.llm.client import build_chat_model, endpoint_failure
from roleplay.llm.grader_prompt import Message, repair_messages
from roleplay.llm.grader_schema import GraderReply, ReplyInvalid, parse_reply, response_format
from roleplay.protocols import GradingFailed
from roleplay.settings import LLMSettings

ChatRunnable = Runnable[LanguageModelInput, BaseMessage]
Tokens = tuple[int, int]


class ReplyCache(Protocol):
    """Asked before each model call (see roleplay.evals.cache): `request` is the JSON body for
    /v1/chat/completions, `response` the chat.completion JSON that came back."""

    def get(self, request: Mapping[str, Any]) -> dict[str, Any] | None: ...

    def put(self, request: Mapping[str, Any], response: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class ModelAnswer:
    """What one call returned: the text (or refusal) and why it stopped."""

    content: str
    refusal: str | None = None
    finish_reason: str | None = None

    @property
    def raw(self) -> str:
        return self.content if self.refusal is None else f"[refusal] {self.refusal}"


@dataclass
class UsageMeter:
    """Tokens summed over every call of one grading (samples and repairs, cached ones included)."""

    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0

    def add(self, tokens: Tokens) -> None:
        self.prompt_tokens += tokens[0]
        self.completion_tokens += tokens[1]
        self.calls += 1

    def usage(self) -> TokenUsage | None:
        if not self.calls:
            return None
        return TokenUsage(
            model=self.model,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            calls=self.calls,
        )


# --------------------------------------------------------------------------- answers (pure)


def answer_from_message(message: BaseMessage) -> tuple[ModelAnswer, Tokens]:
    refusal = message.additional_kwargs.get("refusal")
    content = message.content if isinstance(message.content, str) else message.text
    finish = message.response_metadata.get("finish_reason")
    usage = message.usage_metadata if isinstance(message, AIMessage) else None
    tokens = (usage.get("input_tokens", 0), usage.get("output_tokens", 0)) if usage else (0, 0)
    return ModelAnswer(content or "", str(refusal) if refusal else None, str(finish) if finish else None), tokens


def answer_from_completion(completion: Mapping[str, Any]) -> tuple[ModelAnswer, Tokens]:
    """A chat.completion JSON object (cached, or from the Batch API) as an answer."""
    choices = completion.get("choices") or [{}]
    message = choices[0].get("message") or {}
    usage = completion.get("usage") or {}
    answer = ModelAnswer(message.get("content") or "", message.get("refusal"), choices[0].get("finish_reason"))
    return answer, (int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))


def completion_from_answer(answer: ModelAnswer, tokens: Tokens, model: str) -> dict[str, Any]:
    """The chat.completion JSON object an answer stands for (what the cache keeps)."""
    message = {"role": "assistant", "content": answer.content if answer.refusal is None else None}
    message["refusal"] = answer.refusal
    usage = {"prompt_tokens": tokens[0], "completion_tokens": tokens[1], "total_tokens": sum(tokens)}
    choice = {"index": 0, "message": message, "finish_reason": answer.finish_reason or "stop"}
    return {"object": "chat.completion", "model": model, "choices": [choice], "usage": usage}


def answer_from_cut_off(exc: openai.LengthFinishReasonError | openai.ContentFilterFinishReasonError) -> ModelAnswer:
    """The SDK raises on finish_reason "length"/"content_filter"; keep what was written for audit."""
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return ModelAnswer("", refusal="the endpoint's content filter stopped the reply", finish_reason="filter")
    message = exc.completion.choices[0].message if exc.completion.choices else None
    return ModelAnswer((message.content if message else None) or "", finish_reason="length")


def cut_off_tokens(exc: openai.LengthFinishReasonError | openai.ContentFilterFinishReasonError) -> Tokens:
    usage = exc.completion.usage if isinstance(exc, openai.LengthFinishReasonError) else None
    return (usage.prompt_tokens, usage.completion_tokens) if usage else (0, 0)


def reply_from(answer: ModelAnswer) -> GraderReply:
    """The parsed reply, or ReplyInvalid (refusal, cut off, malformed, out of range)."""
    if answer.refusal is not None:
        raise ReplyInvalid(f"the model refused to grade: {answer.refusal}")
    if answer.finish_reason == "length":
        raise ReplyInvalid("the reply was cut off at the length limit before the JSON was complete")
    return parse_reply(answer.content)


# --------------------------------------------------------------------------- calls


@dataclass(frozen=True)
class CallPlan:
    """What every call of one grading shares."""

    settings: LLMSettings
    language: Language
    prompt_version: str | None
    cache: ReplyCache | None = None


def request_options(plan: CallPlan, seed: int | None) -> dict[str, Any]:
    options: dict[str, Any] = {"response_format": response_format()}
    return options if seed is None else {**options, "seed": seed}


def request_body(plan: CallPlan, messages: list[Message], seed: int | None) -> dict[str, Any]:
    """The chat-completions body of one call (the cache key)."""
    model = {"model": plan.settings.grader_model, "temperature": plan.settings.grader_temperature}
    return {**model, "messages": messages, **request_options(plan, seed)}


@dataclass
class GradingRun:
    """The calls of one grading; `meter` sums their tokens."""

    plan: CallPlan
    messages: list[Message]
    meter: UsageMeter = field(init=False)
    chat: ChatOpenAI = field(init=False)

    def __post_init__(self) -> None:
        """Build inside the running event loop (roleplay.llm.client)."""
        self.meter = UsageMeter(self.plan.settings.grader_model)
        self.chat = build_chat_model(self.plan.settings, "grader", streaming=False)

    async def _call(self, messages: list[Message], seed: int | None) -> tuple[ModelAnswer, Tokens]:
        """One live call; endpoint failures (after the SDK's retries) become GradingFailed("failed")."""
        chat: ChatRunnable = self.chat.bind(**request_options(self.plan, seed))
        try:
            return answer_from_message(await chat.ainvoke(messages))
        except (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError) as exc:
            return answer_from_cut_off(exc), cut_off_tokens(exc)
        except Exception as exc:
            failure = endpoint_failure(exc, self.plan.settings, "grader")
            if failure is None:
                raise
            raise GradingFailed(str(failure), status="failed") from exc

    async def ask(self, messages: list[Message], seed: int | None) -> ModelAnswer:
        """One answer: from the cache when it has this exact request, else from the endpoint."""
        cache = self.plan.cache
        body = request_body(self.plan, messages, seed)
        cached = cache.get(body) if cache is not None else None
        if cached is not None:
            answer, tokens = answer_from_completion(cached)
        else:
            answer, tokens = await self._call(messages, seed)
            if cache is not None:
                cache.put(body, completion_from_answer(answer, tokens, self.plan.settings.grader_model))
        self.meter.add(tokens)
        return answer

    async def sample(self, seed: int | None = None) -> GraderReply:
        """One grading, with one repair call if the first reply is unusable; else needs_review."""
        first = await self.ask(self.messages, seed)
        try:
            return reply_from(first)
        except ReplyInvalid as problem:
            plan = self.plan
            repair = repair_messages(self.messages, first.raw, str(problem), plan.language, plan.prompt_version)
            second = await self.ask(repair, seed)
        try:
            return reply_from(second)
        except ReplyInvalid as problem:
            reason = f"the grader's reply was unusable twice (last: {problem}); a trainer needs to review it"
            raise GradingFailed(reason, status="needs_review", raw=second.raw) from problem
