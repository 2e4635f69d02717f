"""RuleGrader: the offline grader. Tags every turn, scores the ten criteria with the rules of
grading_rules, raises the compliance and integrity flags, and writes feedback. No model call, no
network; deterministic and fast (pure apart from reading its content files once)."""

from __future__ import annotations

from functools import cache

from roleplay.content import load_rubric
from roleplay.domain import CRITERION_IDS, CriterionId, CriterionScore, Grade, Language, Transcript
from roleplay.integrity import manipulation_flags
from roleplay.offline.feedback import build_feedback
from roleplay.offline.grading_content import RuleGraderTexts, check_reasons, load_texts
from roleplay.offline.grading_flags import compliance_flags, integrity_flags
from roleplay.offline.grading_rules import REASONS, Verdict, judge
from roleplay.offline.grading_signals import read_signals
from roleplay.protocols import GradingFailed
from roleplay.scoring import assemble_grade


@cache
def checked_texts(language: Language) -> RuleGraderTexts:
    """The texts of `language`, with a template for every reason the rules can give."""
    texts = load_texts(language)
    check_reasons(texts, REASONS)
    return texts


def rationale(criterion: CriterionId, verdict: Verdict, texts: RuleGraderTexts) -> str:
    return texts.criteria[criterion].reasons[verdict.reason].format(**verdict.fields)


def criterion_scores(verdicts: dict[CriterionId, Verdict], texts: RuleGraderTexts) -> list[CriterionScore]:
    return [
        CriterionScore(
            id=c,
            score=verdicts[c].score,
            rationale=rationale(c, verdicts[c], texts),
            evidence=list(verdicts[c].evidence),
        )
        for c in CRITERION_IDS
    ]


class RuleGrader:
    """Implements roleplay.protocols.Grader without any model."""

    name = "rule"
    version = "rule-1"

    def grade_transcript(self, transcript: Transcript) -> Grade:
        """Grade a transcript; GradingFailed if it has no agent turn."""
        if not transcript.agent_turn_indices():
            raise GradingFailed(f"transcript {transcript.id}: no agent turn")
        texts = checked_texts(transcript.language)
        signals = read_signals(transcript)
        verdicts = judge(signals, texts.capacity_terms)
        scores = {c: verdicts[c].score for c in CRITERION_IDS}
        flags = compliance_flags(signals, {f: t.note for f, t in texts.flags.items()})
        return assemble_grade(
            id=transcript.id,
            scores=scores,
            flags=flags,
            criteria=criterion_scores(verdicts, texts),
            feedback=build_feedback(scores, flags, texts),
            integrity_flags=integrity_flags(signals, texts.integrity["grader_manipulation"])
            or manipulation_flags(transcript),
            language=transcript.language,
            grader=self.name,
            grader_version=self.version,
            rubric_version=load_rubric().version,
            prompt_version=texts.version,
        )

    async def grade(self, transcript: Transcript) -> Grade:
        return self.grade_transcript(transcript)
