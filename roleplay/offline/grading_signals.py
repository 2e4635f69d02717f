"""What the rule grader looks at: the acts of every turn, located in the transcript.

Sentences aimed at the grader (GRADER_DIRECTED) never count as positive evidence: every act other
than a negative one is dropped from any sentence that carries a grader-directed act, and a turn with
nothing else in it does not count as a turn. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from roleplay.acts import DEBTOR_ACTS, Act, ActHit
from roleplay.dialogue.tagger import extract_amounts, fold, split_sentences, tag
from roleplay.domain import Evidence, Language, Transcript, Turn
from roleplay.offline.grading_content import GradingCues, load_texts

NEGATIVE_ACTS: frozenset[Act] = frozenset(
    {
        Act.THREAT,
        Act.ILLEGAL_THREAT,
        Act.INSULT,
        Act.BLAME,
        Act.MORALISING,
        Act.PLEADING,
        Act.LEAVE_DECISION,
        Act.MINIMISING,
        Act.FALSE_REPRESENTATION,
    }
)
OPENING_ACTS: frozenset[Act] = frozenset(
    {Act.IDENTIFY_SELF, Act.VERIFY_IDENTITY, Act.CLOSED_QUESTION, Act.SUMMARY}
)  # what an agent turn holds while it only greets and checks who answered
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Spotted:
    """One act in one turn: `turn` indexes transcript.turns; `rank` counts the agent turns before it
    (for an agent act: its turn's position among the agent turns that count, 0-based)."""

    turn: int
    rank: int
    hit: ActHit

    @property
    def act(self) -> Act:
        return self.hit.act

    @property
    def quote(self) -> str:
        return self.hit.quote

    def evidence(self) -> Evidence:
        return Evidence(turn=self.turn, quote=self.hit.quote)


@dataclass(frozen=True)
class CueHit:
    """A grading cue (prompts/grader/rule.<lang>.yaml `cues`) found in the sentence `quote` of a turn."""

    turn: int
    rank: int
    quote: str


@dataclass(frozen=True)
class CallSignals:
    language: Language
    agent_turns: int
    agent: tuple[Spotted, ...]
    debtor: tuple[Spotted, ...]
    debtor_offers: tuple[int, ...]  # ranks of debtor turns naming an amount (capacity, counter-offer)
    grader_directed: tuple[Spotted, ...]
    cues: dict[str, tuple[CueHit, ...]]  # found in agent turns
    debtor_cues: dict[str, tuple[CueHit, ...]]
    turn_amounts: dict[int, tuple[float, ...]]  # money amounts of every agent turn, by turn index

    def cue(self, name: str) -> tuple[CueHit, ...]:
        return self.cues.get(name, ())

    def debtor_cue(self, name: str) -> tuple[CueHit, ...]:
        return self.debtor_cues.get(name, ())

    def of(self, *acts: Act) -> list[Spotted]:
        return [s for s in self.agent if s.act in acts]

    def has(self, *acts: Act) -> bool:
        return any(s.act in acts for s in self.agent)

    def debtor_of(self, *acts: Act) -> list[Spotted]:
        return [s for s in self.debtor if s.act in acts]

    def turns_with(self, *acts: Act) -> list[int]:
        return sorted({s.turn for s in self.of(*acts)})

    def substantive_rank(self, spotted: Spotted) -> int:
        """How many agent turns before `spotted` did more than greet and check identity."""
        return len({s.rank for s in self.agent if s.rank < spotted.rank and s.act not in OPENING_ACTS})


def _overlaps(hit: ActHit, spans: Sequence[tuple[int, int]]) -> bool:
    return any(hit.start < end and start < hit.end for start, end in spans)


def _grader_spans(hits: Iterable[ActHit]) -> list[tuple[int, int]]:
    """The sentences (the tagger quotes whole sentences) that carry a grader-directed act."""
    return [(h.start, h.end) for h in hits if h.act == Act.GRADER_DIRECTED]


def countable_hits(hits: Sequence[ActHit]) -> list[ActHit]:
    """Drop positive acts that sit in a sentence aimed at the grader; keep negative ones."""
    spans = _grader_spans(hits)
    return [h for h in hits if h.act in NEGATIVE_ACTS or h.act == Act.GRADER_DIRECTED or not _overlaps(h, spans)]


def has_real_content(text: str, hits: Sequence[ActHit]) -> bool:
    """Something is said outside the sentences aimed at the grader."""
    kept, cursor = [], 0
    for start, end in sorted(_grader_spans(hits)):
        kept.append(text[cursor:start])
        cursor = max(cursor, end)
    kept.append(text[cursor:])
    return any(_WORD.search(part) for part in kept)


def _debtor_offers(turn: Turn) -> bool:
    """The client names a figure (what they can pay, what they earn); a date alone (a birthday, the
    month they lost their job) says nothing about what they can pay."""
    return bool(extract_amounts(turn.text))


@cache
def compiled_cues(language: Language) -> dict[str, re.Pattern[str]]:
    cues: GradingCues = load_texts(language).cues
    return {name: re.compile("|".join(f"(?:{p})" for p in patterns)) for name, patterns in cues}


def find_cues(text: str, language: Language, skip: Sequence[tuple[int, int]]) -> dict[str, list[str]]:
    """The sentences of `text` carrying each cue (sentences aimed at the grader are skipped)."""
    found: dict[str, list[str]] = {}
    folded, patterns = fold(text), compiled_cues(language).items()
    for start, end in split_sentences(text):
        if any(start < b and a < end for a, b in skip):
            continue
        sentence = folded[start:end]
        for name, pattern in patterns:
            if pattern.search(sentence):
                found.setdefault(name, []).append(text[start:end])
    return found


def _turn_amounts(text: str, skip: Sequence[tuple[int, int]]) -> tuple[float, ...]:
    spans = [(a, b) for a, b in split_sentences(text) if not any(a < y and x < b for x, y in skip)]
    return tuple(amount for a, b in spans for amount in extract_amounts(text[a:b]))


@dataclass
class _Reading:
    rank: int = 0
    agent: list[Spotted] = field(default_factory=list)
    debtor: list[Spotted] = field(default_factory=list)
    offers: list[int] = field(default_factory=list)
    grader: list[Spotted] = field(default_factory=list)
    cues: dict[str, list[CueHit]] = field(default_factory=dict)
    debtor_cues: dict[str, list[CueHit]] = field(default_factory=dict)
    amounts: dict[int, tuple[float, ...]] = field(default_factory=dict)


def _read_turn(reading: _Reading, index: int, turn: Turn, language: Language) -> None:
    rank = reading.rank
    hits = tag(turn.text, language, role=turn.role)
    reading.grader += [Spotted(index, rank, h) for h in hits if h.act == Act.GRADER_DIRECTED]
    cues = reading.debtor_cues if turn.role == "debtor" else reading.cues
    for name, quotes in find_cues(turn.text, language, _grader_spans(hits)).items():
        cues.setdefault(name, []).extend(CueHit(index, rank, q) for q in quotes)
    if turn.role == "debtor":
        reading.debtor += [Spotted(index, rank, h) for h in countable_hits(hits) if h.act in DEBTOR_ACTS]
        reading.offers += [rank] if _debtor_offers(turn) else []
        return
    reading.agent += [Spotted(index, rank, h) for h in countable_hits(hits) if h.act != Act.GRADER_DIRECTED]
    reading.amounts[index] = _turn_amounts(turn.text, _grader_spans(hits))
    reading.rank += 1 if has_real_content(turn.text, hits) else 0


def read_signals(transcript: Transcript) -> CallSignals:
    language, reading = transcript.language, _Reading()
    for index, turn in enumerate(transcript.turns):
        _read_turn(reading, index, turn, language)
    return CallSignals(
        language,
        reading.rank,
        tuple(reading.agent),
        tuple(reading.debtor),
        tuple(reading.offers),
        tuple(reading.grader),
        {name: tuple(hits) for name, hits in reading.cues.items()},
        {name: tuple(hits) for name, hits in reading.debtor_cues.items()},
        reading.amounts,
    )
