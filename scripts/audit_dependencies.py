"""Dependency audit for `make audit`: pip-audit over the project's virtualenv.

Fails (exit 1) on a known vulnerability that has a fixed version. A vulnerability without any fix is
listed but does not fail the build (nothing to upgrade to). When the vulnerability service cannot be
reached, or cannot look up most packages (an offline mirror, a proxy that blocks PyPI's per-version
JSON API), the audit says clearly that it was NOT done and exits 0 so CI is not flaky; set
ROLEPLAY_REQUIRE_AUDIT=1 to make that a failure instead.

Usage: python scripts/audit_dependencies.py [--input pip-audit.json]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AUDIT_TIMEOUT_S = 300
UNREACHABLE_SHARE = 0.5
"""When more than this share of the packages could not be looked up, the audit counts as not done."""


@dataclass
class AuditVerdict:
    fixable: list[str] = field(default_factory=list)
    unfixable: list[str] = field(default_factory=list)
    skipped: int = 0
    audited: int = 0

    @property
    def done(self) -> bool:
        total = self.skipped + self.audited
        return total > 0 and self.skipped / total <= UNREACHABLE_SHARE


def judge(report: dict[str, Any]) -> AuditVerdict:
    """Sort pip-audit's JSON report into fixable / unfixable vulnerabilities and skipped packages."""
    verdict = AuditVerdict()
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            verdict.skipped += 1
            continue
        verdict.audited += 1
        for vuln in dependency.get("vulns", []):
            line = f"{dependency['name']} {dependency.get('version', '?')}: {vuln.get('id', '?')}"
            if vuln.get("fix_versions"):
                verdict.fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                verdict.unfixable.append(f"{line} (no fix released)")
    return verdict


def exit_code(verdict: AuditVerdict, require_audit: bool) -> tuple[int, list[str]]:
    """The process exit code and the lines to print for `verdict`."""
    lines = [f"VULNERABLE: {line}" for line in verdict.fixable]
    lines += [f"known, no fix yet: {line}" for line in verdict.unfixable]
    if verdict.fixable:
        return 1, [*lines, f"Dependency audit FAILED: {len(verdict.fixable)} vulnerabilities with a fix available."]
    if not verdict.done:
        note = (
            f"Dependency audit NOT done: the vulnerability service could not look up {verdict.skipped} of "
            f"{verdict.skipped + verdict.audited} packages (no access to PyPI's per-version JSON API from here)."
        )
        return (1 if require_audit else 0), [*lines, note]
    return 0, [*lines, f"Dependency audit passed: {verdict.audited} packages, no fixable vulnerability."]


def run_pip_audit() -> dict[str, Any]:
    """pip-audit's JSON report on the interpreter's own environment (the virtualenv running us)."""
    command = [sys.executable, "-m", "pip_audit", "--local", "--progress-spinner", "off", "--format", "json"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=AUDIT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return {"dependencies": [], "error": f"pip-audit took longer than {AUDIT_TIMEOUT_S} s"}
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"dependencies": [], "error": f"pip-audit failed: {last}"}
    return report


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--input":
        report = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    else:
        report = run_pip_audit()
    if "error" in report:
        print(f"Dependency audit NOT done: {report['error']}")
        return 1 if os.environ.get("ROLEPLAY_REQUIRE_AUDIT") == "1" else 0
    code, lines = exit_code(judge(report), os.environ.get("ROLEPLAY_REQUIRE_AUDIT") == "1")
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
