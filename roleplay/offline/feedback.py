"""Coaching feedback from a grade: the two strongest points and the three most useful improvements
(compliance flags first, then the lowest-scoring criteria), each improvement with an example of what
to say instead. Texts come from prompts/grader/rule.{lang}.yaml. Deterministic, pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from roleplay.domain import CRITERION_IDS, CriterionId, Feedback, FeedbackItem, FlagFinding, FlagId
from roleplay.offline.grading_content import RuleGraderTexts

STRENGTHS = 2
IMPROVEMENTS = 3
STRENGTH_MIN_SCORE = 4
IMPROVEMENT_MAX_SCORE = 4

# the criterion each compliance flag is coached under
FLAG_CRITERIA: dict[FlagId, CriterionId] = {
    "threat_of_illegal_or_unintended_action": "S4",
    "abusive_language": "S1",
    "false_representation": "P2",
    "third_party_disclosure": "P1",
    "no_identity_check": "P1",
}


def strongest(scores: Mapping[CriterionId, int], skip: Sequence[CriterionId] = ()) -> list[CriterionId]:
    """Highest scores first (at least STRENGTH_MIN_SCORE); ties keep rubric order."""
    ranked = sorted(CRITERION_IDS, key=lambda c: (-scores[c], CRITERION_IDS.index(c)))
    return [c for c in ranked if scores[c] >= STRENGTH_MIN_SCORE and c not in skip][:STRENGTHS]


def weakest(scores: Mapping[CriterionId, int], skip: Sequence[CriterionId] = ()) -> list[CriterionId]:
    """Lowest scores first (at most IMPROVEMENT_MAX_SCORE); ties keep rubric order."""
    ranked = sorted(CRITERION_IDS, key=lambda c: (scores[c], CRITERION_IDS.index(c)))
    return [c for c in ranked if scores[c] <= IMPROVEMENT_MAX_SCORE and c not in skip]


def _flag_item(flag: FlagFinding, texts: RuleGraderTexts) -> FeedbackItem | None:
    if flag.id == "grader_manipulation":
        return None
    entry = texts.flags[flag.id]
    return FeedbackItem(criterion=FLAG_CRITERIA[flag.id], text=entry.improvement, example=entry.example)


def _criterion_item(criterion: CriterionId, texts: RuleGraderTexts) -> FeedbackItem:
    entry = texts.criteria[criterion]
    return FeedbackItem(criterion=criterion, text=entry.improvement, example=entry.example)


def improvements(
    scores: Mapping[CriterionId, int], flags: Sequence[FlagFinding], texts: RuleGraderTexts
) -> list[FeedbackItem]:
    items = [item for f in flags if (item := _flag_item(f, texts))]
    flagged = [item.criterion for item in items]
    items += [_criterion_item(c, texts) for c in weakest(scores, skip=flagged)]
    return items[:IMPROVEMENTS]


def build_feedback(scores: Mapping[CriterionId, int], flags: Sequence[FlagFinding], texts: RuleGraderTexts) -> Feedback:
    flagged = [FLAG_CRITERIA[f.id] for f in flags if f.id != "grader_manipulation"]
    strengths = [FeedbackItem(criterion=c, text=texts.criteria[c].strength) for c in strongest(scores, flagged)]
    return Feedback(strengths=strengths, improvements=improvements(scores, flags, texts))
