"""The offline debtor: a persona played from phrase banks (roleplay.dialogue.phrase_bank).

`call_dynamics` decides what the debtor does; the phrase bank only chooses the words, deterministically:
the same setup (persona, language, seed) and history always give the same reply.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence

from roleplay.dialogue.call_dynamics import call_state, replay
from roleplay.dialogue.phrase_bank import PhraseBank, compose_reply, load_phrase_bank
from roleplay.domain import LANGUAGES, Language, Turn
from roleplay.protocols import CallSetup, CallState

WORDS_PER_CHUNK = 3


def debtor_lines(history: Sequence[Turn]) -> list[str]:
    return [t.text for t in history if t.role == "debtor"]


def word_chunks(line: str) -> list[str]:
    words = re.findall(r"\S+\s*", line)
    return ["".join(words[i : i + WORDS_PER_CHUNK]) for i in range(0, len(words), WORDS_PER_CHUNK)]


# --------------------------------------------------------------------------- the engine


class ScriptedDebtor:
    """The offline DebtorEngine: deterministic, no network, no key."""

    name = "offline"

    def __init__(self, banks: Mapping[Language, PhraseBank] | None = None) -> None:
        self.banks: dict[Language, PhraseBank] = dict(banks or {lang: load_phrase_bank(lang) for lang in LANGUAGES})
        versions = "+".join(self.banks[lang].version.removeprefix("debtor-") for lang in sorted(self.banks))
        self.model = f"scripted-debtor-{versions}"

    def opening_line(self, setup: CallSetup) -> str | None:
        return setup.persona.opening.get(setup.language)

    def reply(self, setup: CallSetup, history: Sequence[Turn]) -> str:
        """The whole reply to `history` (which ends with the agent's turn)."""
        _, reaction = replay(setup.persona, setup.language, history)
        if reaction is None:
            raise ValueError("the history has no agent turn to reply to")
        turn_index = sum(1 for t in history if t.role == "agent")
        bank = self.banks[setup.language]
        return compose_reply(setup, bank, reaction, turn_index, debtor_lines(history))

    async def stream_reply(self, setup: CallSetup, history: Sequence[Turn]) -> AsyncIterator[str]:
        for chunk in word_chunks(self.reply(setup, history)):
            yield chunk

    def call_state(self, setup: CallSetup, history: Sequence[Turn]) -> CallState:
        return call_state(setup.persona, setup.language, history)
