"""What the rule grader looks at: the acts of every turn, located in the transcript.

Sentences aimed at the grader (GRADER_DIRECTED) never count as positive evidence: every act other
than a negative one is dropped from any sentence that carries a grader-directed act, and a turn with
nothing else in it does not count as a turn. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from roleplay.acts import DEBTOR_ACTS, Act, ActHit
from roleplay.domain import Evidence, Language, Transcript, Turn
from roleplay.offline.tagger import extract_amounts, mentions_date, tag

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

    def evidence(self) -> Evidence:
        return Evidence(turn=self.turn, quote=self.hit.quote)


@dataclass(frozen=True)
class CallSignals:
    language: Language
    agent_turns: int
    agent: tuple[Spotted, ...]
    debtor: tuple[Spotted, ...]
    debtor_offers: tuple[int, ...]  # ranks of debtor turns naming an amount or a date (capacity, counter-offer)
    grader_directed: tuple[Spotted, ...]

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


def _debtor_offers(turn: Turn, language: Language) -> bool:
    return bool(extract_amounts(turn.text)) or mentions_date(turn.text, language)


def read_signals(transcript: Transcript) -> CallSignals:
    language, rank = transcript.language, 0
    agent: list[Spotted] = []
    debtor: list[Spotted] = []
    offers: list[int] = []
    grader: list[Spotted] = []
    for index, turn in enumerate(transcript.turns):
        hits = tag(turn.text, language, role=turn.role)
        grader += [Spotted(index, rank, h) for h in hits if h.act == Act.GRADER_DIRECTED]
        if turn.role == "debtor":
            kept = [h for h in countable_hits(hits) if h.act in DEBTOR_ACTS]
            debtor += [Spotted(index, rank, h) for h in kept]
            offers += [rank] if _debtor_offers(turn, language) else []
            continue
        agent += [Spotted(index, rank, h) for h in countable_hits(hits) if h.act != Act.GRADER_DIRECTED]
        rank += 1 if has_real_content(turn.text, hits) else 0
    return CallSignals(language, rank, tuple(agent), tuple(debtor), tuple(offers), tuple(grader))
