"""LLMDebtor: the `openai` backend's DebtorEngine. A ChatOpenAI plays the persona; the live trust
indicator comes from the shared tagger (roleplay.dialogue) (no extra model call per turn).

Each reply streams through a LeakGuard. If the canary or a break-character phrase appears, the shown
part is retracted (`Retract`) and the reply is generated once more; if that leaks too, an in-character
line from the shared phrase bank (roleplay.dialogue) replaces it. The tokens of every attempt are reported once, as a
`TokenUsage` after the text.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.messages.utils import count_tokens_approximately, trim_messages

from roleplay.acts import Act
from roleplay.dialogue import call_dynamics
from roleplay.dialogue.call_dynamics import Reaction
from roleplay.dialogue.phrase_bank import PhraseBank, line_context, load_phrase_bank, pick_line
from roleplay.dialogue.tagger import acts_in
from roleplay.domain import Language, TokenUsage, Turn
from roleplay.llm.client import build_chat_model, endpoint_failure, model_name
from roleplay.llm.debtor_guard import LeakGuard
from roleplay.llm.debtor_prompt import load_template, render_system_prompt
from roleplay.protocols import CallSetup, CallState, Retract
from roleplay.settings import LLMSettings

STAGE_DIRECTION = re.compile(r"[*\[(][^*\[\]()]{1,40}[*\])]")
ATTEMPTS = 2  # the reply, and one regeneration if it leaks
FALLBACK_SITUATION: Final = "confused_meta"


def new_canary() -> str:
    return f"CANARY-{secrets.token_hex(8)}"


def to_messages(system: str, history: Sequence[Turn]) -> list[BaseMessage]:
    """The agent speaks as the user, the debtor as the assistant."""
    turns: list[BaseMessage] = [
        HumanMessage(turn.text) if turn.role == "agent" else AIMessage(turn.text) for turn in history
    ]
    return [SystemMessage(system), *turns]


def trim_conversation(messages: list[BaseMessage], budget: int) -> list[BaseMessage]:
    """Keep the system message and the newest turns within `budget` tokens of conversation
    (approximate count), starting on an agent turn; the last agent turn is always kept."""
    system_tokens = count_tokens_approximately(messages[:1])
    if count_tokens_approximately(messages) <= system_tokens + budget:
        return messages
    trimmed = trim_messages(
        messages,
        max_tokens=system_tokens + budget,
        token_counter=count_tokens_approximately,
        strategy="last",
        include_system=True,
        start_on="human",
    )
    if len(trimmed) < 2:  # even the last agent turn is over budget: send it anyway
        return [messages[0], messages[-1]]
    return trimmed


def ended_by_debtor(history: Sequence[Turn], language: Language) -> tuple[bool, str | None]:
    """From the debtor's own turns: a hang-up, or an agreement right after the agent's summary."""
    for index, turn in enumerate(history):
        if turn.role != "debtor":
            continue
        acts = debtor_acts(turn.text, language)
        if Act.HANG_UP in acts:
            return True, "debtor_hung_up"
        if Act.AGREE in acts and index and _is_summary(history[index - 1], language):
            return True, "agreement"
    return False, None


def debtor_acts(text: str, language: Language) -> set[Act]:
    """The tagger's acts of a debtor turn, plus those of each stage direction ("*cuelga*") read alone,
    so a direction right after a negative sentence ("Pues no. *cuelga*") still counts."""
    acts = acts_in(text, language, role="debtor")
    for direction in STAGE_DIRECTION.findall(text):
        acts |= acts_in(direction, language, role="debtor")
    return acts


def _is_summary(turn: Turn, language: Language) -> bool:
    return turn.role == "agent" and Act.SUMMARY in acts_in(turn.text, language, role="agent")


def _usage_of(chunk: AIMessageChunk) -> tuple[int, int]:
    meta = chunk.usage_metadata
    return (meta["input_tokens"], meta["output_tokens"]) if meta else (0, 0)


@dataclass
class Attempt:
    """One streamed generation: what was shown, whether it leaked, the tokens it used."""

    shown: list[str] = field(default_factory=list)
    leaked: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0


class LLMDebtor:
    """DebtorEngine on any OpenAI-compatible endpoint. Build it inside the app (no client at import)."""

    name = "openai"

    def __init__(self, settings: LLMSettings, *, canary: str | None = None) -> None:
        self.settings = settings
        self.model = model_name(settings, "debtor")
        self.canary = canary or new_canary()
        self._banks: dict[Language, PhraseBank] = {}

    # ------------------------------------------------------------------ protocol

    def opening_line(self, setup: CallSetup) -> str | None:
        return setup.persona.opening.get(setup.language)

    async def stream_reply(
        self, setup: CallSetup, history: Sequence[Turn]
    ) -> AsyncIterator[str | Retract | TokenUsage]:
        messages = trim_conversation(self.messages(setup, history), self.settings.debtor_context_tokens)
        used = TokenUsage(model=self.model, calls=0)
        for attempt_number in range(ATTEMPTS):
            attempt = Attempt()
            async for piece in self._attempt(setup, messages, attempt):
                yield piece
            used = _add(used, attempt)
            if not attempt.leaked:
                yield used
                return
            if attempt.shown:
                yield Retract(reason=f"attempt {attempt_number + 1} left the role")
        yield self.fallback_line(setup, history)
        yield used

    def call_state(self, setup: CallSetup, history: Sequence[Turn]) -> CallState:
        """Trust and mood from the tagger over the agent's turns; the end from the debtor's own words."""
        state = call_dynamics.call_state(setup.persona, setup.language, history)
        ended, reason = ended_by_debtor(history, setup.language)
        stage = {"debtor_hung_up": "hung_up", "agreement": "agreed"}.get(reason or "", state.stage)
        return state.model_copy(update={"ended": ended, "end_reason": reason, "stage": stage})

    # ------------------------------------------------------------------ parts

    def system_prompt(self, setup: CallSetup) -> str:
        return render_system_prompt(load_template(setup.language), setup.persona, self.canary)

    def messages(self, setup: CallSetup, history: Sequence[Turn]) -> list[BaseMessage]:
        return to_messages(self.system_prompt(setup), history)

    def forbidden(self, language: Language) -> list[str]:
        return [self.canary, self.canary.removeprefix("CANARY-"), *load_template(language).break_character]

    def fallback_line(self, setup: CallSetup, history: Sequence[Turn]) -> str:
        """An in-character "sorry, I don't follow" line from the shared phrase bank (roleplay.dialogue)."""
        bank = self._bank(setup.language)
        context = line_context(bank, setup.persona, Reaction(kind=FALLBACK_SITUATION))
        turn_index = sum(1 for t in history if t.role == "agent")
        return pick_line(bank, FALLBACK_SITUATION, bank.style_of(setup.persona), context, (setup.seed, turn_index, 0))

    def _bank(self, language: Language) -> PhraseBank:
        if language not in self._banks:
            self._banks[language] = load_phrase_bank(language)
        return self._banks[language]

    async def _attempt(self, setup: CallSetup, messages: list[BaseMessage], attempt: Attempt) -> AsyncIterator[str]:
        """Stream one generation through a fresh leak guard; stop reading at the first leak."""
        guard = LeakGuard(self.forbidden(setup.language))
        model = build_chat_model(self.settings, "debtor", streaming=True)  # inside the running loop
        try:
            async for chunk in model.astream(messages):
                prompt, completion = _usage_of(chunk)
                attempt.prompt_tokens += prompt
                attempt.completion_tokens += completion
                if safe := guard.feed(chunk.text):
                    attempt.shown.append(safe)
                    yield safe
                if guard.leaked:
                    break
        except Exception as exc:
            mapped = endpoint_failure(exc, self.settings, "debtor")
            if mapped is None:
                raise
            raise mapped from exc
        if rest := guard.finish():
            attempt.shown.append(rest)
            yield rest
        attempt.leaked = guard.leaked or not "".join(attempt.shown).strip()


def _add(used: TokenUsage, attempt: Attempt) -> TokenUsage:
    return used.model_copy(
        update={
            "prompt_tokens": used.prompt_tokens + attempt.prompt_tokens,
            "completion_tokens": used.completion_tokens + attempt.completion_tokens,
            "calls": used.calls + 1,
        }
    )
