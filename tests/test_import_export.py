"""Import -> grade -> review -> export round trips, malformed files in each format (a per-file error
list; the good files still imported), and the exported JSONL read back by the dataset loader."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from review_setup import ANA, CALL_EN, CALL_ES, TRAINER, import_calls, make_services, upload

from roleplay.domain import CRITERION_IDS
from roleplay.evals.dataset import parse_dataset
from roleplay.services.exports import ExportOptions, export_records, export_text, to_csv
from roleplay.services.imports import IMPORTED_OWNER, ImportService, UploadedFile
from roleplay.services.review import LabelInput, ReviewDenied, ReviewService

JSON_CALL = json.dumps(
    {
        "id": "call-7",
        "language": "es",
        "turns": [{"role": "agent", "text": "Hola, ¿es usted Rosa?"}, {"role": "debtor", "text": "Sí."}],
    }
)
CSV_CALLS = (
    "\ufeffcall_id,order,speaker,text\n"
    'c1,2,Deudor,"Sí, soy yo"\n'
    'c1,1,Agente,"Buenos días, ¿hablo con Rosa? Le llamo de Banco Sol."\n'
    "c2,1,Agent,Hello this is Ana from Banco Sol\n"
    "c2,2,Debtor,Hi\n"
)
GOOD = [
    upload("call.json", JSON_CALL),
    upload("calls.jsonl", JSON_CALL.replace("call-7", "call-8") + "\n" + JSON_CALL.replace("call-7", "call-9")),
    upload("call.txt", CALL_ES),
    upload("calls.csv", CSV_CALLS),
]


@pytest.fixture
def services(tmp_path: Path) -> tuple[ReviewService, ImportService]:
    _practice, review, imports = make_services(tmp_path)
    return review, imports


def test_every_format_is_imported_as_ended_imported_sessions(services: tuple[ReviewService, ImportService]) -> None:
    review, imports = services
    report = imports.import_files(TRAINER, GOOD)
    assert report.problems == []
    assert [len(f.sessions) for f in report.files] == [1, 2, 1, 2]
    rows = review.rows(TRAINER)
    assert {r.owner for r in rows} == {IMPORTED_OWNER} and {r.source for r in rows} == {"imported"}
    detail = review.detail(TRAINER, report.files[3].sessions[0])
    assert detail.external_id == "c1" and detail.session.status == "ended"
    assert [t.text for t in detail.session.turns] == [
        "Buenos días, ¿hablo con Rosa? Le llamo de Banco Sol.",
        "Sí, soy yo",
    ]


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (upload("broken.json", '{"language": "es", "turns": ['), "invalid JSON"),
        (upload("bad.jsonl", JSON_CALL + "\n{not json}\n"), "line 2: invalid JSON"),
        (upload("noagent.json", '{"language": "es", "turns": [{"role": "debtor", "text": "hola"}]}'), "no agent turn"),
        (upload("bad.txt", "Agent: hi\nBoss: what"), "unknown speaker 'Boss'"),
        (upload("bad.csv", "call_id,order,speaker,text\nc1,1,Boss,hi\n"), "line 2: unknown speaker 'Boss'"),
        (upload("order.csv", "call_id,order,speaker,text\nc1,first,Agent,hi\n"), "order 'first'"),
        (upload("header.csv", "a,b,c\n1,2,3\n"), "not a transcript CSV"),
        (upload("empty.txt", ""), "the file is empty"),
        (UploadedFile("latin1.txt", "Agente: Sí señor".encode("latin-1")), "not UTF-8 text"),
    ],
)
def test_a_bad_file_is_reported_and_the_good_ones_imported(
    services: tuple[ReviewService, ImportService], bad: UploadedFile, problem: str
) -> None:
    review, imports = services
    report = imports.import_files(TRAINER, [GOOD[0], bad, GOOD[2]], owner="ana")
    assert len(report.files[0].sessions) == 1 and len(report.files[2].sessions) == 1
    assert any(problem in p and p.startswith(bad.name) for p in report.problems), report.problems
    assert {r.owner for r in review.rows(TRAINER)} == {"ana"}


async def test_import_grade_review_export_round_trip(services: tuple[ReviewService, ImportService]) -> None:
    review, imports = services
    ids = import_calls(imports, "ana", upload("es.txt", CALL_ES), upload("en.txt", CALL_EN))
    seen: list[tuple[int, int]] = []
    graded = await imports.grade_sessions(TRAINER, ids, lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)] and graded.problems == []
    scores = {c: 4 for c in CRITERION_IDS} | {"S2": 1, "S3": 2}
    review.save_label(TRAINER, ids[0], LabelInput.model_validate({"scores": scores, "flags": ["abusive_language"]}))

    jsonl = export_text(review, TRAINER, "jsonl", ExportOptions())
    dataset = parse_dataset(jsonl, "export.jsonl")
    assert dataset.problems == [] and len(dataset.items) == 1  # the unlabelled call is left out
    row = dataset.items[0].row
    assert row.id == ids[0] and row.language == "es" and row.turns[0].text.startswith("Buenos días")
    assert row.labels[0].rater == "tere" and row.labels[0].scores == scores
    assert row.labels[0].quadrant == "adversarial" and row.labels[0].flags == ["abusive_language"]
    assert json.loads(jsonl)["grade"]["scores"] == graded.graded[ids[0]].grade.scores  # type: ignore[union-attr]


async def test_csv_export_opens_in_a_spreadsheet(services: tuple[ReviewService, ImportService]) -> None:
    review, imports = services
    ids = import_calls(imports, "ana", upload("es.txt", CALL_ES), upload("en.txt", CALL_EN))
    await imports.grade_sessions(TRAINER, ids[:1])
    review.save_label(
        TRAINER,
        ids[1],
        LabelInput.model_validate({"scores": {c: 5 for c in CRITERION_IDS}, "comment": "¡Muy bien, señora!"}),
    )
    text = export_text(review, TRAINER, "csv", ExportOptions())
    data = text.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["session_id"] for r in rows] == ids
    assert rows[0]["P1"] != "" and rows[0]["quadrant"] in {"target", "submissive", "adversarial", "ineffective"}
    assert rows[0]["reviewer"] == "" and rows[1]["P1"] == ""
    assert rows[1]["trainer_comment"] == "¡Muy bien, señora!" and rows[1]["trainer_quadrant"] == "target"
    labelled = export_records(review, TRAINER, ExportOptions(labelled_only=True))
    assert [r.session.id for r in labelled] == [ids[1]]


def test_csv_of_nothing_is_just_the_header() -> None:
    assert to_csv([]).count("\r\n") == 1


def test_trainees_cannot_export(services: tuple[ReviewService, ImportService]) -> None:
    review, _imports = services
    with pytest.raises(ReviewDenied):
        export_text(review, ANA, "csv", ExportOptions())
