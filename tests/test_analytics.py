"""Analytics on hand-made calls: progress over time, the criterion heatmap, the quadrant
distribution, first-versus-best; and who sees what (a trainee only their own calls)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from review_setup import ANA, BEA, CALL_EN, CALL_ES, TRAINER, import_calls, make_services, upload

from roleplay.domain import CRITERION_IDS, Quadrant
from roleplay.scoring import summarise
from roleplay.services.analytics import (
    ScoredCall,
    criterion_heatmap,
    first_vs_best,
    progress,
    quadrant_distribution,
    team_analytics,
)


def call(owner: str, day: int, score: int, **changes: int) -> ScoredCall:
    scores = {c: changes.get(c, score) for c in CRITERION_IDS}
    summary = summarise(scores)
    return ScoredCall(owner=owner, created_at=datetime(2026, 3, day, tzinfo=UTC), scores=scores, **summary.model_dump())


CALLS = [
    call("bea", 9, 4),
    call("ana", 5, 3, P1=5),
    call("ana", 1, 2),
    call("ana", 3, 4, S1=1),
]


def test_progress_is_per_trainee_oldest_first() -> None:
    got = progress(CALLS)
    assert list(got) == ["ana", "bea"]
    assert [p.created_at.day for p in got["ana"]] == [1, 3, 5]
    assert [p.overall for p in got["ana"]] == [2.0, 3.7, 3.2]
    assert [p.soft for p in got["ana"]] == [2.0, 3.4, 3.0]


def test_heatmap_means_per_trainee_and_criterion() -> None:
    heatmap = criterion_heatmap(CALLS)
    assert heatmap.trainees == ["ana", "bea"] and heatmap.criteria == list(CRITERION_IDS)
    ana = dict(zip(CRITERION_IDS, heatmap.means[0], strict=True))
    assert ana["P1"] == pytest.approx((2 + 4 + 5) / 3, abs=0.01)
    assert ana["S1"] == pytest.approx((2 + 1 + 3) / 3, abs=0.01)
    assert heatmap.means[1] == [4.0] * 10


@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        ([], {"target": 0, "submissive": 0, "adversarial": 0, "ineffective": 0}),
        (CALLS, {"target": 1, "submissive": 0, "adversarial": 1, "ineffective": 2}),
    ],
)
def test_quadrant_distribution(calls: list[ScoredCall], expected: dict[Quadrant, int]) -> None:
    assert quadrant_distribution(calls) == expected


def test_first_versus_best_biggest_gain_first() -> None:
    improvements = first_vs_best(CALLS)
    assert [(i.owner, i.calls, i.first, i.best, i.gain) for i in improvements] == [
        ("ana", 3, 2.0, 3.7, 1.7),
        ("bea", 1, 4.0, 4.0, 0.0),
    ]


async def test_team_analytics_shows_a_trainee_only_their_own(tmp_path: Path) -> None:
    _practice, review, imports = make_services(tmp_path)
    ids = import_calls(imports, "ana", upload("es.txt", CALL_ES)) + import_calls(
        imports, "bea", upload("en.txt", CALL_EN)
    )
    import_calls(imports, "bea", upload("ungraded.txt", CALL_EN))
    await imports.grade_sessions(TRAINER, ids)
    team = team_analytics(review, TRAINER)
    assert team.calls == 2 and team.heatmap.trainees == ["ana", "bea"]
    assert sum(team.quadrants.values()) == 2
    assert team_analytics(review, ANA).heatmap.trainees == ["ana"]
    assert list(team_analytics(review, BEA).progress) == ["bea"]
    assert team_analytics(review, TRAINER, trainee="bea").calls == 1
