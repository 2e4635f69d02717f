"""Dialogue-act tagger shared by both backends: pure, fast, deterministic, Spanish and English.

Text is folded (lowercase, accents stripped, curly quotes straightened) one character at a time,
so an offset in the folded text is the same offset in the original and quotes keep the original
characters. Lexicons (regexes over folded text, word lists) live in prompts/tagger/<language>.yaml.

Meaning rules kept in code (they are policy, not vocabulary):
- a negator shortly before a match in the same clause cancels a negatable act ("no le estoy
  amenazando", "you're not stupid": not an insult), unless the negator is part of a condition
  ("si no paga, irá a la cárcel") or a negative imperative ("don't be stupid", "no me obligue a ...");
- threat wording in a sentence cancels an objective consequence in that sentence; an open question
  is not also a closed one; a refusal is not also an agreement;
- a proposal needs a figure: an amount, a date, or a number of instalments; a sentence that states
  the debt is not also a proposal;
- an agent sentence naming an amount together with a date or a payment figure ("Los 415, antes del
  viernes", "€560 now, the rest by the 30th") is an offer (PROPOSAL) unless it states the debt,
  a consequence or a summary;
- a question made only of a capitalised name ("¿Laura Campos?", "Mr. Ignacio Ramos?") checks identity.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from roleplay.acts import Act, ActHit
from roleplay.dialogue.tagger_lexicon import (
    ActIndex,
    CompiledLexicon,
    MoneyWords,
    NegationRules,
    alternation,
    compiled_lexicon,
    lexicon,
    words_alternation,
)
from roleplay.domain import LANGUAGES, Language, Role

NEGATABLE_ACTS: frozenset[Act] = frozenset(
    {
        Act.THREAT,
        Act.ILLEGAL_THREAT,
        Act.INSULT,
        Act.BLAME,
        Act.MORALISING,
        Act.FALSE_REPRESENTATION,
        Act.OBJECTIVE_CONSEQUENCE,
        Act.EMPATHY,
        Act.COLLABORATION,
        Act.LEAVE_DECISION,
        Act.MINIMISING,
        Act.AGREE,
        Act.HANG_UP,
    }
)
SUPPRESSED_BY: dict[Act, frozenset[Act]] = {
    Act.OBJECTIVE_CONSEQUENCE: frozenset({Act.THREAT, Act.ILLEGAL_THREAT}),
    Act.CLOSED_QUESTION: frozenset({Act.OPEN_QUESTION}),
    Act.AGREE: frozenset({Act.REFUSE}),
    Act.PROPOSAL: frozenset({Act.STATE_DEBT}),
}
NOT_AN_OFFER: frozenset[Act] = frozenset({Act.STATE_DEBT, Act.OBJECTIVE_CONSEQUENCE, Act.SUMMARY, Act.PROPOSAL})
ALL_ACTS: tuple[Act, ...] = tuple(Act)
_ACT_ORDER: dict[Act, int] = {act: i for i, act in enumerate(ALL_ACTS)}
_WORD = re.compile(r"[\w']+")
_LETTERS = re.compile(r"[a-z]+")
_BOUNDARY = re.compile(r"[.!?…]+[\"'»”)\]]*(?=\s|$|[¿¡])|\n+")
_SPECIAL_FOLDS = {"’": "'", "‘": "'", "ʼ": "'", "´": "'", "“": '"', "”": '"'}


# --------------------------------------------------------------------------- folding and sentences


@cache
def _fold_char(char: str) -> str:
    if char in _SPECIAL_FOLDS:
        return _SPECIAL_FOLDS[char]
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    folded = base.lower()
    return folded if len(folded) == 1 else char


def fold(text: str) -> str:
    """Lowercase and strip accents character by character: `len(fold(t)) == len(t)`."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset().union(*(lexicon(language).abbreviations for language in LANGUAGES))


def _is_abbreviation(folded: str, boundary: re.Match[str]) -> bool:
    if boundary.group() != ".":
        return False
    words = _WORD.findall(folded[max(0, boundary.start() - 12) : boundary.start()])
    return bool(words) and folded[boundary.start() - 1].isalpha() and words[-1] in _abbreviations()


def _stripped(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of `text`, surrounding whitespace stripped."""
    return list(_sentence_spans(text))


@lru_cache(maxsize=4096)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _BOUNDARY.finditer(folded):
        if _is_abbreviation(folded, boundary):
            continue
        if span := _stripped(text, start, boundary.end()):
            spans.append(span)
        start = boundary.end()
    if span := _stripped(text, start, len(text)):
        spans.append(span)
    return tuple(spans)


# --------------------------------------------------------------------------- negation


def _clause_words(prefix: str, rules: NegationRules) -> list[str]:
    """The words of the clause that ends at the match: after the last , ; : ¿ ¡ ( or clause break."""
    cut = max(prefix.rfind(mark) for mark in ",;:¿¡(")
    words = _WORD.findall(prefix[cut + 1 :])
    breaks = [i for i, word in enumerate(words) if word in rules.clause_breaks]
    return words[breaks[-1] + 1 :] if breaks else words


def _is_negated(sentence: str, match_start: int, rules: NegationRules) -> bool:
    words = _clause_words(sentence[:match_start], rules)
    for i in range(max(0, len(words) - rules.window), len(words)):
        if words[i] not in rules.negators:
            continue
        conditional = rules.conditionals.intersection(words[max(0, i - 2) : i])
        imperative = rules.keep_after.intersection(words[i + 1 :])
        if not conditional and not imperative:
            return True
    return False


def _kept(act: Act, sentence: str, match: re.Match[str] | None, rules: NegationRules) -> bool:
    return match is not None and (act not in NEGATABLE_ACTS or not _is_negated(sentence, match.start(), rules))


def _first_position(
    act: Act, sentence: str, starts: list[int], index: ActIndex, rules: NegationRules, search: bool
) -> int | None:
    """Where the act first occurs (not negated): anchored tries at its indexed starts, then a search
    (skipped when `search` is False: none of the searched regexes matches the sentence)."""
    best: int | None = None
    anchored, searched = index.anchored.get(act), index.searched.get(act) if search else None
    if anchored is not None:
        best = next((s for s in starts if _kept(act, sentence, anchored.match(sentence, s), rules)), None)
    if searched is not None:
        found = next((m.start() for m in searched.finditer(sentence) if _kept(act, sentence, m, rules)), None)
        best = found if best is None or (found is not None and found < best) else best
    return best


# --------------------------------------------------------------------------- tagging


def _find_acts(sentence: str, compiled: CompiledLexicon, role: Role) -> dict[Act, int]:
    """The first (non-negated) position of every act whose regexes match the folded sentence."""
    index = compiled.by_role[role]
    starts = index.starts(sentence, [m.start() for m in _LETTERS.finditer(sentence)])
    found: dict[Act, int] = {}
    search = index.any_searched.search(sentence) is not None
    for act in [a for a in ALL_ACTS if a in starts or (search and a in index.searched)]:
        position = _first_position(act, sentence, starts.get(act, []), index, compiled.negation, search)
        if position is not None:
            found[act] = position
    return found


@dataclass(frozen=True)
class _Figures:
    amounts: tuple[float, ...]
    has_date: bool
    has_rate: bool  # a payment figure: "seis plazos", "al mes"

    @property
    def has_figure(self) -> bool:
        return bool(self.amounts) or self.has_date or self.has_rate

    @property
    def is_offer(self) -> bool:
        return bool(self.amounts) and (self.has_date or self.has_rate)


def _figures(sentence: str, compiled: CompiledLexicon) -> _Figures:
    amounts = tuple(_amounts_in_folded(sentence))
    has_date = compiled.dates.search(sentence) is not None
    return _Figures(amounts, has_date, compiled.proposal_figures.search(sentence) is not None)


def _apply_rules(found: dict[Act, int], figures: _Figures, role: Role) -> dict[Act, int]:
    kept = {act: pos for act, pos in found.items() if not SUPPRESSED_BY.get(act, frozenset()).intersection(found)}
    if not figures.has_figure:
        kept.pop(Act.PROPOSAL, None)
    elif role == "agent" and figures.is_offer and not NOT_AN_OFFER.intersection(kept):
        kept[Act.PROPOSAL] = 0
    return kept


def _tag_sentence(text: str, folded: str, span: tuple[int, int], language: Language, role: Role) -> list[ActHit]:
    start, end = span
    sentence, quote = folded[start:end], text[start:end]
    compiled = compiled_lexicon(language)
    found = _find_acts(sentence, compiled, role)
    if role == "agent" and compiled.name_questions.match(quote):
        found.setdefault(Act.VERIFY_IDENTITY, 0)
    figures = _figures(sentence, compiled)
    kept = _apply_rules(found, figures, role)
    ordered = sorted(kept, key=lambda act: (kept[act], _ACT_ORDER[act]))
    return [
        ActHit(act=a, quote=quote, start=start, end=end, amounts=figures.amounts, has_date=figures.has_date)
        for a in ordered
    ]


def tag(text: str, language: Language, role: Role = "agent") -> list[ActHit]:
    """Every act in `text` (agent or debtor acts), ordered by position, at most one per act and sentence."""
    return list(_tagged(text, language, role))


@lru_cache(maxsize=8192)
def _tagged(text: str, language: Language, role: Role) -> tuple[ActHit, ...]:
    """`tag`, cached: the grader, the integrity check and the trust indicator read the same turns."""
    folded = fold(text)
    return tuple(hit for span in _sentence_spans(text) for hit in _tag_sentence(text, folded, span, language, role))


def acts_in(text: str, language: Language, role: Role = "agent") -> set[Act]:
    return {hit.act for hit in tag(text, language, role)}


def mentions_date(text: str, language: Language) -> bool:
    """A weekday, month, day number or relative date ("mañana", "next Friday", "fin de mes")."""
    return compiled_lexicon(language).dates.search(fold(text)) is not None


# --------------------------------------------------------------------------- money


@dataclass(frozen=True)
class _MoneyRules:
    words: MoneyWords
    months: frozenset[str]
    numbers: re.Pattern[str]
    spelled: re.Pattern[str]
    after: re.Pattern[str]


def _merged_money() -> tuple[MoneyWords, frozenset[str]]:
    lexicons = [lexicon(language) for language in LANGUAGES]
    sets = ("amount_followers", "non_money_before", "non_money_context", "day_articles", "year_before")
    merged: dict[str, object] = {name: frozenset().union(*(getattr(x.money, name) for x in lexicons)) for name in sets}
    merged["currency_words"] = [p for x in lexicons for p in x.money.currency_words]
    merged["non_money_after"] = [p for x in lexicons for p in x.money.non_money_after]
    merged["number_words"] = {k: v for x in lexicons for k, v in x.money.number_words.items()}
    merged["multipliers"] = {k: v for x in lexicons for k, v in x.money.multipliers.items()}
    months = frozenset(m for x in lexicons for m in x.months)
    return MoneyWords.model_validate(merged), months


@cache
def _money_rules() -> _MoneyRules:
    words, months = _merged_money()
    currency = "|".join(f"(?:{p})" for p in words.currency_words)
    numbers = re.compile(
        r"(?P<pre>[€$£]\s?)?(?<![\w.,/:])(?!(?<=')\d\d\b)"  # '95: a year
        r"(?P<int>\d{1,3}(?:(?P<sep>[.,\u00a0\u202f])\d{3})(?:(?P=sep)\d{3})*|\d+)"
        r"(?:(?P<dec>[.,])(?P<frac>\d{1,2}))?(?!\d)"
        rf"(?P<post>\s?(?:€|(?:{currency})\b))?"
    )
    spoken = words_alternation([*words.number_words, *words.multipliers])
    spelled = re.compile(rf"\b(?P<words>(?:{spoken})(?:[\s-]+(?:(?:y|and)\s+)?(?:{spoken}))*)\s+(?:€|(?:{currency})\b)")
    month = words_alternation(sorted(months))
    after = alternation([p.replace("MONTH", f"(?:{month})") for p in words.non_money_after])
    return _MoneyRules(words, months, numbers, spelled, after)


def _number_value(match: re.Match[str]) -> float:
    digits = re.sub(r"\D", "", match["int"])
    fraction = f".{match['frac']}" if match["frac"] else ""
    return float(digits + fraction)


def _is_day_or_year(value: float, previous: list[str], rules: _MoneyRules) -> bool:
    prev = previous[-1] if previous else ""
    if value.is_integer() and 1 <= value <= 31 and prev in rules.words.day_articles:
        return True
    if not (value.is_integer() and 1900 <= value <= 2099):
        return False
    month_before = prev in rules.months or (prev in {"de", "of"} and len(previous) > 1 and previous[-2] in rules.months)
    return month_before or prev in rules.words.year_before


def _bare_number_is_money(folded: str, match: re.Match[str], value: float, rules: _MoneyRules) -> bool:
    after = folded[match.end() :]
    if after[:1].isalpha() or after[:1] in "/:º°ª" or rules.after.match(after) or len(match["int"]) > 9:
        return False
    previous = _WORD.findall(folded[max(0, match.start() - 60) : match.start()])[-5:]
    if rules.words.non_money_context.intersection(previous) or _is_day_or_year(value, previous[-2:], rules):
        return False
    if previous and previous[-1] in rules.words.non_money_before:
        return False
    following = _WORD.match(after.lstrip())
    return following is None or following.group() in rules.words.amount_followers


def _spelled_value(words: str, rules: MoneyWords) -> float:
    total, current = 0, 0
    for word in re.findall(r"[a-z]+", words):
        if word in rules.multipliers:
            factor = rules.multipliers[word]
            if factor >= 1000:
                total, current = total + max(current, 1) * factor, 0
            else:
                current = max(current, 1) * factor
        else:
            current += rules.number_words.get(word, 0)
    return float(total + current)


def _money_matches(folded: str) -> Iterator[tuple[int, float]]:
    rules = _money_rules()
    for match in rules.numbers.finditer(folded):
        value = _number_value(match)
        if match["pre"] or match["post"] or _bare_number_is_money(folded, match, value, rules):
            yield match.start(), value
    for match in rules.spelled.finditer(folded):
        yield match.start(), _spelled_value(match["words"], rules.words)


def _amounts_in_folded(folded: str) -> list[float]:
    return [value for _, value in sorted(_money_matches(folded))]


def extract_amounts(text: str) -> list[float]:
    """Money amounts in `text`, in order: "1.240,50 €", "$200", "150 al mes"; not days, dates, % or counts."""
    return _amounts_in_folded(fold(text))
