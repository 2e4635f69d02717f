"""The leak guard: lets a streamed reply through chunk by chunk, holding back only a tail that could
be the start of a forbidden phrase (the canary, a break-character phrase), and noticing when one appears.

Matching is on whole words, case-insensitive: text and phrases are folded one character to one
character (lower case; anything not a letter or digit becomes a space), so positions line up.
"""

from __future__ import annotations

from collections.abc import Iterable


def fold(text: str) -> str:
    """Same length as `text`: lower-cased letters and digits, every other character a space."""
    return "".join(low if len(low := char.lower()) == 1 and low.isalnum() else " " for char in text)


def _phrase(text: str) -> str:
    return " " + " ".join(fold(text).split()) + " "


class LeakGuard:
    """Feed chunks, emit what is safe. After `leaked` turns True, nothing more is emitted."""

    def __init__(self, forbidden: Iterable[str]) -> None:
        self.phrases = tuple(sorted({_phrase(p) for p in forbidden if fold(p).strip()}, key=len))
        self.leaked = False
        self._held = ""  # text received but not emitted yet
        self._folded = " "  # fold(" " + everything received), for whole-word matches across chunks

    def feed(self, chunk: str) -> str:
        """The part of the text so far that is safe to show now ("" once a phrase has appeared)."""
        if self.leaked:
            return ""
        self._held += chunk
        self._folded += fold(chunk)
        if any(p in self._folded for p in self.phrases):
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
        if any(p in self._folded for p in self.phrases):
            self.leaked = True
            return ""
        rest, self._held = self._held, ""
        return rest

    def _risky_tail(self) -> int:
        """Length of the longest held tail that could still grow into a forbidden phrase."""
        longest = 0
        for phrase in self.phrases:
            for size in range(min(len(phrase) - 1, len(self._folded)), longest, -1):
                if phrase.startswith(self._folded[-size:]):
                    longest = size
                    break
        return min(longest, len(self._held))
