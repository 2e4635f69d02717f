"""Evidence checks: quotes must stand in the agent turn they cite."""

from __future__ import annotations

import pytest

from roleplay.domain import CriterionScore, Evidence, Transcript, Turn
from roleplay.evidence import normalise, quote_is_verbatim, verify_evidence

CALL = Transcript(
    id="t",
    language="es",
    turns=[
        Turn(role="debtor", text="¿Sí? ¿Quién es?"),
        Turn(role="agent", text="Buenos días, le llamo de  Banco Sol.\nTiene un saldo pendiente de 1.240 €."),
        Turn(role="debtor", text="Ya lo sé, pero ahora no puedo pagar."),
        Turn(role="agent", text="Entiendo que es una situación “difícil”."),
    ],
)


@pytest.mark.parametrize(
    ("turn", "quote", "ok"),
    [
        (1, "le llamo de Banco Sol", True),  # whitespace folded
        (1, "TIENE UN SALDO PENDIENTE de 1.240 €", True),  # case folded
        (1, "banco sol. tiene un saldo", True),  # across the line break
        (3, 'situación "difícil"', True),  # typographic quotes
        (3, "Entiendo que es una situación", True),
        (1, "Tiene un saldo pendiente de 2.000 €", False),  # invented
        (2, "ahora no puedo pagar", False),  # a debtor turn
        (3, "le llamo de Banco Sol", False),  # wrong turn
        (9, "Banco Sol", False),  # no such turn
        (1, "...", False),  # nothing left after trimming
    ],
)
def test_quote_is_verbatim(turn: int, quote: str, ok: bool) -> None:
    assert quote_is_verbatim(CALL, Evidence(turn=turn, quote=quote)) is ok


def test_verify_evidence_drops_and_counts_and_marks_low_confidence() -> None:
    criteria = [
        CriterionScore(
            id="P1",
            score=4,
            rationale="r",
            evidence=[Evidence(turn=1, quote="saldo pendiente de 1.240 €"), Evidence(turn=1, quote="debe 5.000 €")],
        ),
        CriterionScore(id="S2", score=4, rationale="r", evidence=[Evidence(turn=2, quote="no puedo pagar")]),
    ]
    result = verify_evidence(CALL, criteria)
    assert result.dropped_quotes == 2
    assert [len(c.evidence) for c in result.criteria] == [1, 0]
    assert [c.low_confidence for c in result.criteria] == [False, True]
    assert [c.score for c in result.criteria] == [4, 4]  # code drops quotes, it does not rescore


def test_normalise_removes_invisible_characters() -> None:
    assert normalise("Pa\u200bgue  YA\u202e") == "pague ya"
