"""Checking a grader's evidence against the transcript: code decides, not the model.

A quote counts only if it appears, after normalising whitespace and case, in the agent turn it
cites. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from roleplay.domain import CriterionScore, Evidence, Transcript

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "«": '"', "»": '"'})
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def normalise(text: str) -> str:
    """Case-folded, NFC, typographic quotes made plain, whitespace folded, invisible marks removed."""
    text = unicodedata.normalize("NFC", INVISIBLE.sub("", text)).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


def quote_is_verbatim(transcript: Transcript, evidence: Evidence) -> bool:
    """The quote is in the agent turn it cites (normalised whitespace and case)."""
    if evidence.turn >= len(transcript.turns) or transcript.turns[evidence.turn].role != "agent":
        return False
    quote = normalise(evidence.quote.strip(" .…\"'"))
    return bool(quote) and quote in normalise(transcript.turns[evidence.turn].text)


@dataclass(frozen=True)
class VerifiedCriteria:
    criteria: list[CriterionScore]
    dropped_quotes: int


def verify_evidence(transcript: Transcript, criteria: list[CriterionScore]) -> VerifiedCriteria:
    """Drop quotes that cannot be found; mark criteria left without evidence as low-confidence."""
    verified: list[CriterionScore] = []
    dropped = 0
    for criterion in criteria:
        kept = [ev for ev in criterion.evidence if quote_is_verbatim(transcript, ev)]
        dropped += len(criterion.evidence) - len(kept)
        verified.append(criterion.model_copy(update={"evidence": kept, "low_confidence": not kept}))
    return VerifiedCriteria(verified, dropped)
