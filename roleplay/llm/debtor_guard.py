"""The leak guard: lets a streamed reply through chunk by chunk, holding back only a tail that could
be the start of a forbidden phrase (the canary, a break-character phrase), and noticing when one appears.

Matching is on whole words, case-insensitive: text and phrases are folded one character to one
character (lower case; anything not a letter or digit becomes a space), so positions line up.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


def fold(text: str) -> str:
    """Same length as `text`: lower-cased letters and digits, every other character a space."""
    return "".join(low if len(low := char.lower()) == 1 and low.isalnum() else " " for char in text)


def _phrase(text: str) -> str:
    return " " + " ".join(fold(text).split()) + " "


@lru_cache(maxsize=64)
def _compiled(forbidden: frozenset[str]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The folded phrases, shortest first, and every proper prefix of them (built once per phrase set)."""
    phrases = tuple(sorted({_phrase(p) for p in forbidden if fold(p).strip()}, key=len))
    return phrases, frozenset(p[:size] for p in phrases for size in range(1, len(p)))


class LeakGuard:
    """Feed chunks, emit what is safe. After `leaked` turns True, nothing more is emitted."""

    def __init__(self, forbidden: Iterable[str]) -> None:
        self.phrases, self._prefixes = _compiled(frozenset(forbidden))
        self._longest = max((len(p) for p in self.phrases), default=0)
        self.leaked = False
        self._held = ""  # text received but not emitted yet
        self._folded = " "  # fold(" " + everything received), for whole-word matches across chunks

    def feed(self, chunk: str) -> str:
        """The part of the text so far that is safe to show now ("" once a phrase has appeared)."""
        if self.leaked:
            return ""
        self._held += chunk
        self._folded += fold(chunk)
        if self._phrase_in_last(len(chunk)):
            self.leaked = True
            return ""
        keep = self._risky_tail()
        safe, self._held = self._held[: len(self._held) - keep], self._held[len(self._held) - keep :]
        return safe

    def finish(self) -> str:
        """The held tail at the end of the reply ("" if a phrase completes at the very end)."""
        if self.leaked:
            return ""
        self._folded += " "
        if self._phrase_in_last(1):
            self.leaked = True
            return ""
        rest, self._held = self._held, ""
        return rest

    def _phrase_in_last(self, added: int) -> bool:
        """Whether a phrase ends in the last `added` folded characters (the text before was checked)."""
        window = self._folded[-(added + self._longest) :]
        return any(p in window for p in self.phrases)

    def _risky_tail(self) -> int:
        """Length of the longest held tail that could still grow into a forbidden phrase (a proper
        prefix of one; every phrase starts with a space, so only tails starting with one are tried)."""
        folded = self._folded
        for size in range(min(self._longest - 1, len(folded)), 0, -1):
            if folded[-size] == " " and folded[-size:] in self._prefixes:
                return min(size, len(self._held))
        return 0
