"""Shared set-up of the trainer-feature tests: a practice service on a temporary SQLite store with
the offline rule grader, principals, and helpers that store a practice call or import one."""

from __future__ import annotations

from pathlib import Path

from practice_fakes import FakeDebtor, library, make_persona

from roleplay.auth import Principal
from roleplay.backends import build_grader
from roleplay.services.imports import ImportService, UploadedFile
from roleplay.services.practice import PracticeService
from roleplay.services.review import ReviewService
from roleplay.store import open_store

TRAINER = Principal("tere", "trainer")
ANA = Principal("ana", "trainee")
BEA = Principal("bea", "trainee")

CALL_ES = (
    "Agente: Buenos días, ¿hablo con Rosa Pérez? Soy Ana, de Banco Sol.\n"
    "Deudor: Sí, soy yo. ¿Qué quiere?\n"
    "Agente: Le llamo por la deuda de 1.240,50 euros de su tarjeta, con 75 días de retraso. "
    "Entiendo que no es un buen momento. ¿Podría pagar 100 euros al mes a partir del día 5?\n"
    "Deudor: Bueno, 100 euros al mes sí podría.\n"
    "Agente: Perfecto, le envío hoy la confirmación por escrito. Gracias por su tiempo.\n"
)
CALL_EN = (
    "Agent: Good morning, am I speaking with Rosa Perez? This is Ana from Banco Sol.\n"
    "Debtor: Yes. What is it?\n"
    "Agent: You owe 1,240.50 euros on your card, 75 days overdue. I understand this is hard. "
    "Could you pay 100 euros a month from the 5th?\n"
    "Debtor: I could do that.\n"
    "Agent: Thank you, I will send the written confirmation today.\n"
)


def make_services(tmp_path: Path) -> tuple[PracticeService, ReviewService, ImportService]:
    store = open_store(f"sqlite:///{tmp_path / 'review.db'}")
    personas = library(make_persona())
    practice = PracticeService(
        store, FakeDebtor(), build_grader("offline"), backend="offline", model="fake", persona_library=lambda: personas
    )
    review = ReviewService(practice)
    return practice, review, ImportService(review)


def upload(name: str, text: str) -> UploadedFile:
    return UploadedFile(name, text.encode("utf-8"))


def import_calls(imports: ImportService, owner: str | None, *files: UploadedFile) -> list[str]:
    report = imports.import_files(TRAINER, list(files), owner=owner)
    assert not report.problems, report.problems
    return report.session_ids
