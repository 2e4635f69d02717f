"""What a grader may read: text aimed at an evaluator is found, flagged and removed; the rest is made
safe to put in a data block. Pure functions (apart from reading prompts/integrity.yaml once), usable
by any grader.

- Hidden characters (zero-width, bidi controls, Unicode tag characters: categories Cf and Cc apart
  from ordinary line breaks and tabs) are stripped; their presence in an agent turn is flagged.
- Sentences in agent turns aimed at an evaluator ("score this 5", "puntúa esta llamada con un 5",
  fake verdict JSON, fake system tags, "ignore previous instructions") are found by the dialogue-act
  tagger's GRADER_DIRECTED act plus the extra patterns of prompts/integrity.yaml, flagged as
  `grader_manipulation` with verbatim quotes of the original turn, and replaced by a neutral
  placeholder in what the grader sees, so they can neither influence a score nor serve as evidence.
- Each turn becomes one line with no data-block delimiters: whitespace folded, `<`/`>` made
  harmless, turn markers like "[4]" rewritten, so agent text cannot close the block or forge a turn.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from roleplay.acts import Act
from roleplay.content import Regex, load_model, prompts_dir
from roleplay.dialogue.tagger import fold, split_sentences, tag
from roleplay.domain import Evidence, FlagFinding, Language, LocalText, Transcript, Turn
from roleplay.evidence import INVISIBLE

Span = tuple[int, int]
KEPT_CONTROLS = frozenset("\n\r\t")
_SPACE = re.compile(r"\s+")
_TURN_MARKER = re.compile(r"\[(\s*\d+\s*)\]")
_ESCAPES = str.maketrans({"<": "‹", ">": "›"})


class IntegrityRules(BaseModel):
    """prompts/integrity.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    sentence_patterns: list[Regex]
    block_patterns: list[Regex]
    placeholder: LocalText
    note: LocalText


def load_integrity_rules(path: Path) -> IntegrityRules:
    return load_model(path, IntegrityRules)


@cache
def integrity_rules() -> IntegrityRules:
    return load_integrity_rules(prompts_dir() / "integrity.yaml")


@cache
def _compiled() -> tuple[re.Pattern[str], list[re.Pattern[str]]]:
    rules = integrity_rules()
    sentences = re.compile("|".join(f"(?:{p})" for p in rules.sentence_patterns))
    blocks = [re.compile(p, re.DOTALL) for p in rules.block_patterns]
    return sentences, blocks


# --------------------------------------------------------------------------- hidden characters


def is_hidden(char: str) -> bool:
    """A character nobody sees: zero-width marks, bidi controls, tag characters, control codes."""
    if char in KEPT_CONTROLS:
        return False
    return bool(INVISIBLE.match(char)) or unicodedata.category(char) in ("Cf", "Cc")


@dataclass(frozen=True)
class CleanText:
    """`text` without hidden characters; `origin[i]` is where `text[i]` was in the original."""

    text: str
    origin: tuple[int, ...]
    hidden: tuple[int, ...]

    def original_span(self, start: int, end: int) -> Span:
        """The span of the original text that `text[start:end]` (non-empty) came from."""
        return self.origin[start], self.origin[end - 1] + 1


_KEPT_AS_SPACE = str.maketrans(dict.fromkeys(KEPT_CONTROLS, " "))


def _all_visible(text: str) -> bool:
    """Fast path: printable text (line breaks and tabs aside) has no Cf or Cc character."""
    return text.translate(_KEPT_AS_SPACE).isprintable()


def strip_hidden(text: str) -> CleanText:
    if _all_visible(text):
        return CleanText(text, tuple(range(len(text))), ())
    kept = [(i, c) for i, c in enumerate(text) if not is_hidden(c)]
    hidden = tuple(i for i, c in enumerate(text) if is_hidden(c))
    return CleanText("".join(c for _, c in kept), tuple(i for i, _ in kept), hidden)


# --------------------------------------------------------------------------- text aimed at the evaluator


def merge_spans(spans: Iterable[Span], text: str) -> list[Span]:
    """Sorted spans, overlapping ones (or ones only whitespace apart) merged."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def grader_directed_spans(text: str, language: Language) -> list[Span]:
    """Spans of `text` aimed at an evaluator: tagger sentences, pattern sentences and whole blocks."""
    sentence_re, block_res = _compiled()
    folded = fold(text)
    spans = [(h.start, h.end) for h in tag(text, language) if h.act == Act.GRADER_DIRECTED]
    spans += [(s, e) for s, e in split_sentences(text) if sentence_re.search(folded[s:e])]
    spans += [m.span() for block in block_res for m in block.finditer(folded) if m.end() > m.start()]
    return merge_spans(spans, text)


def replace_spans(text: str, spans: list[Span], placeholder: str) -> str:
    """`text` with every (sorted, disjoint) span replaced by `placeholder`."""
    parts: list[str] = []
    cursor = 0
    for start, end in spans:
        parts += [text[cursor:start], placeholder]
        cursor = end
    return "".join(parts) + text[cursor:]


def escape_data(text: str) -> str:
    """One line that cannot close a data block or forge a turn: whitespace folded, `<`/`>` turned
    into `‹`/`›`, "[4]" into "(4)"."""
    one_line = _SPACE.sub(" ", text).strip()
    return _TURN_MARKER.sub(r"(\1)", one_line.translate(_ESCAPES))


# --------------------------------------------------------------------------- whole turns and transcripts


@dataclass(frozen=True)
class TurnCheck:
    """What the grader sees of one turn, and the original quotes that raise `grader_manipulation`."""

    seen: str
    quotes: tuple[str, ...]


def _hidden_quotes(original: str, clean: CleanText) -> list[Span]:
    """For each hidden character, the original span of the sentence it sits in (or before)."""
    sentences = split_sentences(clean.text)
    spans: list[Span] = []
    for position in clean.hidden:
        at = bisect.bisect_left(clean.origin, position)
        around = [s for s in sentences if s[1] > at] or sentences[-1:]
        if not around:
            spans.append((position, position + 1))
            continue
        start, end = clean.original_span(*around[0])
        spans.append((min(start, position), max(end, position + 1)))
    return merge_spans(spans, original)


def check_agent_turn(text: str, language: Language, placeholder: str) -> TurnCheck:
    clean = strip_hidden(text)
    directed = grader_directed_spans(clean.text, language)
    quoted = [clean.original_span(s, e) for s, e in directed] + _hidden_quotes(text, clean)
    quotes = tuple(text[s:e].strip() for s, e in merge_spans(quoted, text) if text[s:e].strip())
    return TurnCheck(escape_data(replace_spans(clean.text, directed, placeholder)), quotes)


def check_turn(turn: Turn, language: Language, placeholder: str) -> TurnCheck:
    """Agent turns are checked for text aimed at the evaluator; every turn is stripped and escaped."""
    if turn.role == "agent":
        return check_agent_turn(turn.text, language, placeholder)
    return TurnCheck(escape_data(strip_hidden(turn.text).text), ())


@dataclass(frozen=True)
class Neutralised:
    """`seen`: the transcript as a grader may read it (same turn indices); `evidence`: the original
    quotes aimed at the evaluator."""

    seen: Transcript
    evidence: tuple[Evidence, ...]


def neutralise(transcript: Transcript) -> Neutralised:
    placeholder = integrity_rules().placeholder.get(transcript.language)
    checks = [check_turn(turn, transcript.language, placeholder) for turn in transcript.turns]
    seen_turns = [Turn(role=turn.role, text=check.seen) for turn, check in zip(transcript.turns, checks, strict=True)]
    evidence = tuple(Evidence(turn=i, quote=q) for i, check in enumerate(checks) for q in check.quotes)
    return Neutralised(transcript.model_copy(update={"turns": seen_turns}), evidence)


def manipulation_flags(transcript: Transcript, evidence: Iterable[Evidence] | None = None) -> list[FlagFinding]:
    """`[grader_manipulation]` with its evidence when any agent turn addresses the evaluator, else `[]`."""
    found = list(neutralise(transcript).evidence if evidence is None else evidence)
    if not found:
        return []
    note = integrity_rules().note.get(transcript.language)
    return [FlagFinding(id="grader_manipulation", evidence=found, note=note)]
