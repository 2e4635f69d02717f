"""Writing a run's report: results.json, items.jsonl, report.md and report.html; CI thresholds.

results.json: `{family: {"overall": {...}, "per_criterion": {...}}}` for the six families (see
roleplay.evals.results); a figure F may come with `F_ci` = [low, high] (95% bootstrap interval).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from roleplay.content import load_model
from roleplay.evals.records import FAMILIES, ConsistencyRecord, PairRecord, ValidityRecord, write_items

LOWER_IS_BETTER = frozenset(
    {"mae", "sd", "share_changed", "share_items_changed", "mean_abs_change", "attack_success_rate"}
)
ABSOLUTE = frozenset({"smd", "mean_change"})
SHARE_PREFIXES = ("share_", "exact", "within1", "quadrant_accuracy", "flag_", "attack_success_rate", "detection_rate")


class FamilyText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    how_to_read: str


class ReportTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    families: dict[str, FamilyText]
    figures: dict[str, str]


@cache
def report_texts(path: Path | None = None) -> ReportTexts:
    default = Path(__file__).resolve().parent.parent.parent / "evals" / "report_texts.yaml"
    return load_model(path or default, ReportTexts)


# --------------------------------------------------------------------------- numbers


def format_value(name: str, value: Any) -> str:
    """Shares as percentages, counts as integers, other figures with three decimals; None as n/a."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if name.startswith("n_") or name in ("n", "repeats", "tolerance"):
        return str(int(value))
    if name.startswith(SHARE_PREFIXES):
        return f"{100 * float(value):.1f}%"
    return f"{float(value):.3f}"


def format_interval(name: str, interval: Any) -> str:
    if not isinstance(interval, list) or len(interval) != 2:
        return ""
    return f"[{format_value(name, interval[0])}, {format_value(name, interval[1])}]"


def scalar_figures(figures: Mapping[str, Any]) -> list[str]:
    """Names of the figures that are numbers or n/a (not intervals, matrices or labels)."""
    return [k for k, v in figures.items() if not k.endswith("_ci") and (v is None or isinstance(v, int | float))]


# --------------------------------------------------------------------------- markdown


def _overall_table(figures: Mapping[str, Any]) -> list[str]:
    names = report_texts().figures
    lines = ["| figure | value | 95% interval |", "|---|---|---|"]
    for key in scalar_figures(figures):
        interval = format_interval(key, figures.get(f"{key}_ci"))
        lines.append(f"| {names.get(key, key)} (`{key}`) | {format_value(key, figures[key])} | {interval} |")
    return lines


def _criterion_table(per_criterion: Mapping[str, Mapping[str, Any]]) -> list[str]:
    if not per_criterion:
        return []
    keys = [k for k in scalar_figures(next(iter(per_criterion.values()))) if k not in ("n", "n_floor")]
    lines = ["| criterion | " + " | ".join(f"`{k}`" for k in keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for criterion, figures in per_criterion.items():
        cells = [_cell(k, figures) for k in keys]
        lines.append(f"| {criterion} | " + " | ".join(cells) + " |")
    return lines


def _cell(key: str, figures: Mapping[str, Any]) -> str:
    interval = format_interval(key, figures.get(f"{key}_ci"))
    return f"{format_value(key, figures.get(key))} {interval}".strip()


def _confusion_table(overall: Mapping[str, Any]) -> list[str]:
    labels, matrix = overall.get("confusion_labels"), overall.get("confusion")
    if not labels or not matrix:
        return []
    lines = [
        "Quadrant confusion (rows: label, columns: grader):",
        "",
        "| label \\ grader | " + " | ".join(labels) + " |",
    ]
    lines.append("|---" * (len(labels) + 1) + "|")
    lines += [
        f"| {label} | " + " | ".join(str(v) for v in row) + " |" for label, row in zip(labels, matrix, strict=True)
    ]
    return [*lines, ""]


def render_markdown(results: Mapping[str, Any], title: str) -> str:
    texts = report_texts()
    lines = [f"# {title}", ""]
    for family in FAMILIES:
        section = results.get(family) or {}
        text = texts.families[family]
        lines += [f"## {text.title}", "", text.how_to_read, ""]
        lines += [*_overall_table(section.get("overall", {})), ""]
        lines += _confusion_table(section.get("overall", {}))
        lines += [*_criterion_table(section.get("per_criterion", {})), ""]
        lines += _kind_table(section.get("per_kind", {}))
    return "\n".join(lines).rstrip() + "\n"


def _kind_table(per_kind: Mapping[str, Mapping[str, Any]]) -> list[str]:
    return ["By kind:", "", *_criterion_table(per_kind), ""] if per_kind else []


# --------------------------------------------------------------------------- files


def write_report(
    results: Mapping[str, Any],
    out_dir: Path,
    records: Sequence[ConsistencyRecord | ValidityRecord | PairRecord] | None = None,
    title: str = "Grader evaluation",
) -> list[Path]:
    """Write results.json, report.md, report.html (and items.jsonl when records are given) into
    out_dir (created); returns the paths written."""
    from roleplay.evals.report_html import render_html

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "results.json", out_dir / "report.md", out_dir / "report.html"]
    paths[0].write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[1].write_text(render_markdown(results, title), encoding="utf-8")
    paths[2].write_text(render_html(results, title), encoding="utf-8")
    if records is not None:
        paths.append(out_dir / "items.jsonl")
        write_items(records, paths[-1])
    return paths


# --------------------------------------------------------------------------- thresholds


def lookup(results: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path ("validity.overall.qwk"); KeyError if there is none."""
    value: Any = results
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


def check_thresholds(results: Mapping[str, Any], thresholds: Mapping[str, float]) -> list[str]:
    """Failures as one-line strings, e.g. "validity.overall.quadrant_accuracy 0.71 < 0.80".
    Keys are dotted paths into results. Figures are "at least" the threshold, except those where
    lower is better (mae, sd, share_changed, share_items_changed, mean_abs_change,
    attack_success_rate) and |smd| / |mean_change|, which must be "at most". A missing figure or
    an undefined one (n/a) fails too."""
    failures = []
    for path, limit in thresholds.items():
        failure = _check(results, path, float(limit))
        if failure:
            failures.append(failure)
    return failures


def _check(results: Mapping[str, Any], path: str, limit: float) -> str | None:
    try:
        value = lookup(results, path)
    except KeyError:
        return f"{path}: no such figure in the results"
    if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
        return f"{path} is n/a (threshold {limit:.2f})"
    name = path.rsplit(".", 1)[-1]
    if name in ABSOLUTE:
        return f"{path} |{value:.2f}| > {limit:.2f}" if abs(value) > limit else None
    if name in LOWER_IS_BETTER:
        return f"{path} {value:.2f} > {limit:.2f}" if value > limit else None
    return f"{path} {value:.2f} < {limit:.2f}" if value < limit else None
