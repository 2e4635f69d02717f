"""DESIGN.md's dependency rules, checked on the source: who may import gradio, SQLAlchemy, langchain."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "roleplay"
RULES = {  # library -> the only package folder allowed to import it
    "gradio": "ui",
    "sqlalchemy": "store",
    "alembic": "store",
    "langchain": "llm",
    "langchain_core": "llm",
    "langchain_openai": "llm",
    "openai": "llm",
    "httpx2": "llm",
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_outside_libraries_are_imported_only_by_their_package(path: Path) -> None:
    folder = path.relative_to(PACKAGE).parts[0]
    wrong = {lib for lib, owner in RULES.items() if lib in imported_roots(path) and folder != owner}
    assert not wrong, f"{path.relative_to(PACKAGE)} imports {sorted(wrong)}"


def test_domain_types_import_no_project_module_and_no_io() -> None:
    imported = imported_modules(PACKAGE / "domain.py")
    assert not {m for m in imported if m.startswith("roleplay")}
    assert not imported & {"os", "io", "pathlib", "yaml", "json", "sqlite3", "httpx"}


@pytest.mark.parametrize("folder", ["offline", "llm", "dialogue", "evals"])
def test_engines_graders_and_statistics_never_import_ui_api_cli_or_store(folder: str) -> None:
    for path in (PACKAGE / folder).rglob("*.py"):
        forbidden = {m for m in imported_modules(path) if m.split(".")[:2] in (["roleplay", p] for p in FORBIDDEN)}
        assert not forbidden, f"{path.relative_to(PACKAGE)} imports {sorted(forbidden)}"


FORBIDDEN = ("ui", "api", "cli", "store")


@pytest.mark.parametrize(
    ("backend", "other"), [("offline", "llm"), ("llm", "offline"), ("dialogue", "offline"), ("dialogue", "llm")]
)
def test_the_two_backends_are_peers_over_the_shared_dialogue_core(backend: str, other: str) -> None:
    for path in (PACKAGE / backend).rglob("*.py"):
        wrong = {m for m in imported_modules(path) if m.split(".")[:2] == ["roleplay", other]}
        assert not wrong, f"{path.relative_to(PACKAGE)} imports {sorted(wrong)}"
