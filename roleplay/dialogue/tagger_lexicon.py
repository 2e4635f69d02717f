"""Lexicon files of the dialogue-act tagger (prompts/tagger/<language>.yaml): schema, loading, and
the compiled form the tagger runs.

Speed: most act regexes start at a word boundary with literal text ("se va a enterar",
"(?:le|te) llamo"). Such a regex is indexed under the first KEY_LENGTH characters its matches can
start with, and is only tried (anchored, with `match`) at the word starts of a sentence where one
of those occurs. Regexes that cannot be indexed are searched over the whole sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from roleplay.acts import AGENT_ACTS, DEBTOR_ACTS, Act
from roleplay.content import check_regex, load_model, prompts_dir
from roleplay.domain import LANGUAGES, Language, Role

PLACEHOLDERS = ("MONTH", "WEEKDAY")
CROSS_LANGUAGE_ACTS: frozenset[Act] = frozenset({Act.GRADER_DIRECTED})  # injections come in any language
KEY_LENGTH = 6  # characters of a match's literal start used as the index key


def _check_regex(pattern: str) -> str:
    probe = pattern
    for name in PLACEHOLDERS:
        probe = probe.replace(name, "x")
    check_regex(probe)
    return pattern


Regex = Annotated[str, AfterValidator(_check_regex)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NegationRules(_Strict):
    negators: frozenset[str]
    conditionals: frozenset[str] = frozenset()
    keep_after: frozenset[str] = frozenset()  # "sea", "be", "make": negative imperatives keep the act
    clause_breaks: frozenset[str] = frozenset()
    window: int = Field(default=4, ge=1, le=8)


class MoneyWords(_Strict):
    currency_words: list[Regex]  # written after a number: "euros", "dollars"
    amount_followers: frozenset[str]  # words that may follow a bare money number: "al", "per"
    non_money_before: frozenset[str]  # "día", "at": the number right after them is not money
    non_money_after: list[Regex]  # "%", "por ciento", "de MONTH"
    non_money_context: frozenset[str]  # "dígitos", "PIN": numbers shortly after them are not money
    day_articles: frozenset[str]  # "el 5", "the 5": a day, not money
    year_before: frozenset[str]  # "en 2023": a year, not money
    number_words: dict[str, int] = Field(default_factory=dict)
    multipliers: dict[str, int] = Field(default_factory=dict)


class TaggerLexicon(_Strict):
    version: str = Field(pattern=r"^tagger-[a-z]{2}-\d+$")
    acts: dict[Act, list[Regex]]
    negation: NegationRules
    money: MoneyWords
    months: list[str]
    weekdays: list[str]
    date_patterns: list[Regex]  # may use the placeholders MONTH and WEEKDAY
    proposal_figures: list[Regex]  # "seis plazos": a figure that makes an offer a proposal
    name_questions: list[Regex] = Field(default_factory=list)  # on the original text: "¿Laura Campos?"
    abbreviations: frozenset[str]  # "sr", "mr": a dot after them does not end a sentence


def lexicon_path(language: Language) -> Path:
    return prompts_dir() / "tagger" / f"{language}.yaml"


def load_lexicon(path: Path) -> TaggerLexicon:
    """Read and validate one lexicon file; a broken one is a ContentError naming file and key."""
    return load_model(path, TaggerLexicon)


@cache
def lexicon(language: Language) -> TaggerLexicon:
    return load_lexicon(lexicon_path(language))


# --------------------------------------------------------------------------- literal-prefix index

_QUANTIFIERS = ("?", "*", "+", "{")
_MAX_KEYS = 400


def _skip_class(body: str, i: int) -> int:
    """Index of the `]` closing the character class opened at `body[i]`."""
    end = body.find("]", i + 2)
    return end if end != -1 else len(body)


def _group_end(body: str, start: int) -> int:
    """Index of the `)` closing the group opened at `body[start]`."""
    depth, i = 0, start
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 1
        elif char == "[":
            i = _skip_class(body, i)
        elif char in "()":
            depth += 1 if char == "(" else -1
            if depth == 0:
                return i
        i += 1
    return len(body)


def _top_level_split(body: str) -> list[str]:
    """Split a regex at its top-level `|` (outside groups and classes)."""
    parts, start, i = [], 0, 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            i += 1
        elif char == "[":
            i = _skip_class(body, i)
        elif char == "(":
            i = _group_end(body, i)
        elif char == "|":
            parts.append(body[start:i])
            start = i + 1
        i += 1
    return [*parts, body[start:]]


def _expand_group(body: str, i: int, found: set[str]) -> tuple[set[str], int, bool]:
    """Grow the prefixes by the non-capturing group at `body[i]`: (prefixes, next index, complete)."""
    end = _group_end(body, i)
    if not body.startswith("(?:", i) or body[end + 1 : end + 2] in _QUANTIFIERS:
        return found, i, False
    parts = [literal_prefixes(alternative) for alternative in _top_level_split(body[i + 3 : end])]
    grown = {head + tail for head in found for keys, _ in parts for tail in keys}
    return grown, end + 1, all(complete for _, complete in parts)


def literal_prefixes(body: str) -> tuple[set[str], bool]:
    """Every literal text a match of `body` can start with (at least KEY_LENGTH characters where
    the regex allows), and whether the whole of `body` was literal."""
    found, i = {""}, 0
    while i < len(body) and min(map(len, found)) < KEY_LENGTH and len(found) <= _MAX_KEYS:
        char, following = body[i], body[i + 1 : i + 2]
        if body.startswith("\\b", i):
            i += 2
        elif (char.isalpha() or char in " '") and following not in _QUANTIFIERS:
            found, i = {head + char for head in found}, i + 1
        elif char == "(":
            found, i, complete = _expand_group(body, i, found)
            if not complete:
                return found, False
        else:
            return found, False
    return found, i >= len(body)


def index_keys(pattern: str) -> frozenset[str] | None:
    """Literal starts (KEY_LENGTH characters at most) a match must begin with; None if unknown.
    Only regexes anchored at a word start (\\b or ^) are indexed: lookups happen at word starts."""
    if not pattern.startswith(("\\b", "^")) or len(_top_level_split(pattern)) > 1:
        return None
    keys, _ = literal_prefixes(pattern.removeprefix("^"))
    trimmed = frozenset(key[:KEY_LENGTH].strip() for key in keys)
    return None if "" in trimmed or len(trimmed) > _MAX_KEYS else trimmed


@dataclass(frozen=True)
class ActIndex:
    """The act regexes of one role. `anchored` regexes are only tried (with `match`) at the word
    starts where one of their literal starts occurs; `searched` regexes cannot be indexed."""

    anchored: dict[Act, re.Pattern[str]]
    searched: dict[Act, re.Pattern[str]]
    by_key: dict[str, frozenset[Act]]
    any_searched: re.Pattern[str]  # every searched regex in one: a sentence it misses skips them all

    def starts(self, sentence: str, word_starts: Iterable[int]) -> dict[Act, list[int]]:
        """For every act, the word starts (in order) where one of its literal starts occurs."""
        found: dict[Act, list[int]] = {}
        lookup = self.by_key.get
        for start in word_starts:
            head = sentence[start : start + KEY_LENGTH]
            for size in range(1, len(head) + 1):
                for act in lookup(head[:size], ()):
                    positions = found.setdefault(act, [])
                    if not positions or positions[-1] != start:
                        positions.append(start)
        return found


def build_index(patterns: dict[Act, list[str]]) -> ActIndex:
    by_key: dict[str, set[Act]] = {}
    anchored: dict[Act, list[str]] = {}
    searched: dict[Act, list[str]] = {}
    for act, sources in patterns.items():
        for source in sources:
            keys = index_keys(source)
            (searched if keys is None else anchored).setdefault(act, []).append(source)
            for key in keys or ():
                by_key.setdefault(key, set()).add(act)
    return ActIndex(
        {act: alternation(sources) for act, sources in anchored.items()},
        {act: alternation(sources) for act, sources in searched.items()},
        {key: frozenset(acts) for key, acts in by_key.items()},
        alternation([source for sources in searched.values() for source in sources]),
    )


# --------------------------------------------------------------------------- compiled lexicon


def alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns) if patterns else r"(?!x)x")


def words_alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class CompiledLexicon:
    by_role: dict[Role, ActIndex]
    negation: NegationRules
    dates: re.Pattern[str]
    proposal_figures: re.Pattern[str]
    name_questions: re.Pattern[str]


def act_patterns(language: Language, act: Act) -> list[str]:
    if act not in CROSS_LANGUAGE_ACTS:
        return lexicon(language).acts.get(act, [])
    return [p for other in LANGUAGES for p in lexicon(other).acts.get(act, [])]


def _date_patterns(lex: TaggerLexicon) -> list[str]:
    month, weekday = words_alternation(lex.months), words_alternation(lex.weekdays)
    return [p.replace("MONTH", f"(?:{month})").replace("WEEKDAY", f"(?:{weekday})") for p in lex.date_patterns]


@cache
def compiled_lexicon(language: Language) -> CompiledLexicon:
    lex = lexicon(language)
    debtor_acts = DEBTOR_ACTS | CROSS_LANGUAGE_ACTS  # text aimed at the grader may sit in any turn
    roles: tuple[tuple[Role, frozenset[Act]], ...] = (("agent", AGENT_ACTS), ("debtor", debtor_acts))
    by_role = {
        role: build_index({act: act_patterns(language, act) for act in Act if act in acts}) for role, acts in roles
    }
    return CompiledLexicon(
        by_role,
        lex.negation,
        alternation(_date_patterns(lex)),
        alternation(lex.proposal_figures),
        alternation(lex.name_questions),
    )
