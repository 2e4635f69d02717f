"""The work of an evaluation run as grading jobs, and the item records built from their grades.

Pure: a `GradeJob` is one call of `grader.grade(transcript)`; its `key` names it in the run's
grades.jsonl (resume) and its `fingerprint` says whether a stored grade still belongs to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from roleplay.domain import FLAG_IDS, CriterionId, FlagId, Grade, Transcript
from roleplay.evals.dataset import EvalItem, translation_pairs
from roleplay.evals.injections import Injection, inject
from roleplay.evals.perturb import (
    Perturbed,
    directional_perturbations,
    invariance_perturbations,
    pad_agent_turns,
)
from roleplay.evals.records import ConsistencyRecord, PairRecord, ValidityRecord, validity_record
from roleplay.evals.suite import Suite

ORIGINAL = "original"
AnyRecord = ConsistencyRecord | ValidityRecord | PairRecord


def job_key(family: str, kind: str, item_id: str, repeat: int = 0) -> str:
    return f"{family}|{kind}|{item_id}|r{repeat}"


@dataclass(frozen=True)
class GradeJob:
    family: str  # ORIGINAL or a perturbation family
    kind: str
    item_id: str
    repeat: int
    transcript: Transcript
    expect_down: tuple[CriterionId, ...] = ()
    expect_flags: tuple[FlagId, ...] = ()

    @property
    def key(self) -> str:
        return job_key(self.family, self.kind, self.item_id, self.repeat)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.transcript.model_dump_json().encode("utf-8")).hexdigest()[:16]


def original_jobs(items: Sequence[EvalItem], repeats: int) -> list[GradeJob]:
    return [GradeJob(ORIGINAL, ORIGINAL, item.id, r, item.row.transcript()) for item in items for r in range(repeats)]


def _job(item_id: str, perturbed: Perturbed) -> GradeJob:
    return GradeJob(
        perturbed.family,
        perturbed.kind,
        item_id,
        0,
        perturbed.transcript,
        tuple(perturbed.expect_down),
        tuple(perturbed.expect_flags),
    )


def chosen_injections(
    injections: Sequence[Injection], item: EvalItem, index: int, per_item: int | None
) -> list[Injection]:
    """The injections of the item's language; with `per_item`, a rotating window so that every
    injection is used across items."""
    own = [i for i in injections if i.language == item.row.language]
    if per_item is None or per_item >= len(own):
        return own
    start = (index * per_item) % len(own)
    return [own[(start + n) % len(own)] for n in range(per_item)]


def perturbation_jobs(suite: Suite, items: Sequence[EvalItem], injections: Sequence[Injection]) -> list[GradeJob]:
    """The changed transcripts of every check family the suite runs (translation pairs need none)."""
    jobs: list[GradeJob] = []
    for index, item in enumerate(items):
        transcript = item.row.transcript()
        made: list[Perturbed | None] = []
        if "invariance" in suite.checks:
            made.extend(invariance_perturbations(transcript, suite.seed))
        if "directional" in suite.checks:
            made.extend(directional_perturbations(transcript, suite.seed))
        if "verbosity" in suite.checks:
            made.append(pad_agent_turns(transcript, suite.seed))
        if "adversarial" in suite.checks:
            chosen = chosen_injections(injections, item, index, suite.injections_per_item)
            made.extend(inject(transcript, injection, suite.seed) for injection in chosen)
        jobs.extend(_job(item.id, p) for p in made if p is not None)
    return jobs


def all_jobs(suite: Suite, items: Sequence[EvalItem], injections: Sequence[Injection]) -> list[GradeJob]:
    """Originals first (k repeats each), then the perturbed variants."""
    return original_jobs(items, suite.repeats) + perturbation_jobs(suite, items, injections)


# --------------------------------------------------------------------------- records from grades


def _scores(grade: Grade) -> dict[CriterionId, int]:
    return dict(grade.scores)


def consistency_records(items: Sequence[EvalItem], grades: Mapping[str, Grade], repeats: int) -> list[AnyRecord]:
    records: list[AnyRecord] = []
    for item in items:
        found = [grades.get(job_key(ORIGINAL, ORIGINAL, item.id, r)) for r in range(repeats)]
        done = [_scores(g) for g in found if g is not None]
        if len(done) >= 2:
            records.append(ConsistencyRecord(item_id=item.id, repeats=done))
    return records


MAX_REPEATS = 50


def base_grade(item_id: str, grades: Mapping[str, Grade]) -> Grade | None:
    """The first successful repeat of the original (what perturbed grades are compared with)."""
    for repeat in range(MAX_REPEATS):
        if (found := grades.get(job_key(ORIGINAL, ORIGINAL, item_id, repeat))) is not None:
            return found
    return None


def validity_records(items: Sequence[EvalItem], grades: Mapping[str, Grade]) -> list[AnyRecord]:
    records: list[AnyRecord] = []
    for item in items:
        grade, raters = base_grade(item.id, grades), item.row.scored_labels()
        if grade is not None and raters:
            records.append(validity_record(item.id, grade, raters))
    return records


def pair_records(jobs: Iterable[GradeJob], grades: Mapping[str, Grade]) -> list[AnyRecord]:
    records: list[AnyRecord] = []
    for job in jobs:
        base, changed = base_grade(job.item_id, grades), grades.get(job.key)
        if job.family == ORIGINAL or base is None or changed is None:
            continue
        records.append(_pair(job.item_id, job.family, job.kind, base, changed, job.expect_down, job.expect_flags))
    return records


def _pair(
    item_id: str,
    family: str,
    kind: str,
    base: Grade,
    changed: Grade,
    expect_down: Sequence[CriterionId] = (),
    expect_flags: Sequence[FlagId] = (),
) -> PairRecord:
    return PairRecord.model_validate(
        {
            "item_id": item_id,
            "family": family,
            "kind": kind,
            "base": _scores(base),
            "changed": _scores(changed),
            "changed_flags": [f.id for f in changed.flags if f.id in FLAG_IDS],
            "changed_integrity_flags": [f.id for f in changed.integrity_flags],
            "expect_down": list(expect_down),
            "expect_flags": list(expect_flags),
        }
    )


def translation_records(items: Sequence[EvalItem], grades: Mapping[str, Grade]) -> list[AnyRecord]:
    """Invariance records of kind "translation": the grade of one language against the other."""
    records: list[AnyRecord] = []
    for first, second in translation_pairs(items):
        a, b = base_grade(first.id, grades), base_grade(second.id, grades)
        if a is not None and b is not None:
            records.append(_pair(first.row.pair_id or first.id, "invariance", "translation", a, b))
    return records


def build_records(
    suite: Suite, items: Sequence[EvalItem], jobs: Sequence[GradeJob], grades: Mapping[str, Grade]
) -> list[AnyRecord]:
    """Every item record the finished grades allow, for the families the suite checks."""
    records: list[AnyRecord] = []
    if "consistency" in suite.checks:
        records += consistency_records(items, grades, suite.repeats)
    if "validity" in suite.checks:
        records += validity_records(items, grades)
    if "invariance" in suite.checks:
        records += translation_records(items, grades)
    records += [r for r in pair_records(jobs, grades) if isinstance(r, PairRecord) and r.family in suite.checks]
    return records
