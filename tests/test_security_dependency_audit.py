"""Item 16: `make audit` (scripts/audit_dependencies.py over pip-audit) fails on a known vulnerability
with a fix available, lists unfixable ones, and says clearly when it could not audit at all."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(60)
ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "audit_dependencies.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


audit = _load_script()
FIXABLE = {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8", "fix_versions": ["3.1.3"]}]}
UNFIXABLE = {"name": "ecdsa", "version": "0.19.0", "vulns": [{"id": "GHSA-wj6h", "fix_versions": []}]}
CLEAN = {"name": "httpx", "version": "0.28.1", "vulns": []}
SKIPPED = {"name": "uvicorn", "skip_reason": "Dependency not found on PyPI and could not be audited"}


@pytest.mark.parametrize(
    ("dependencies", "require", "code", "says"),
    [
        ([FIXABLE, CLEAN], False, 1, "FAILED: 1 vulnerabilities with a fix"),
        ([FIXABLE, SKIPPED, SKIPPED], False, 1, "VULNERABLE: jinja2 3.1.2: GHSA-h5c8 (fixed in 3.1.3)"),
        ([UNFIXABLE, CLEAN], False, 0, "known, no fix yet: ecdsa"),
        ([CLEAN, CLEAN, SKIPPED], False, 0, "passed: 2 packages"),
        ([SKIPPED, SKIPPED, CLEAN], False, 0, "NOT done"),
        ([SKIPPED, SKIPPED, CLEAN], True, 1, "NOT done"),
        ([], False, 0, "NOT done"),
    ],
)
def test_verdicts(dependencies: list[dict[str, Any]], require: bool, code: int, says: str) -> None:
    got_code, lines = audit.exit_code(audit.judge({"dependencies": dependencies}), require)
    assert got_code == code
    assert any(says in line for line in lines), lines


def test_the_script_exits_non_zero_on_a_fixable_vulnerability(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": [FIXABLE, CLEAN]}), encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), "--input", str(report)], capture_output=True, text=True)
    assert done.returncode == 1 and "GHSA-h5c8" in done.stdout and not done.stderr


def test_make_test_runs_the_audit_and_pip_audit_is_pinned() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "test: lint audit pytest" in makefile and "scripts/audit_dependencies.py" in makefile
    assert '"pip-audit==' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
