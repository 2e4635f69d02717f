"""report.html: one self-contained page (no external URL): the tables of report.md plus plots drawn
with matplotlib (Agg backend) and embedded as base64 PNG: per-criterion agreement with 95%
intervals, the quadrant confusion matrix, and alpha per criterion."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from html import escape
from typing import Any

from roleplay.domain import CRITERION_IDS
from roleplay.evals.records import FAMILIES
from roleplay.evals.report import format_interval, format_value, report_texts, scalar_figures

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;"
    "text-align:right}th:first-child,td:first-child{text-align:left}img{max-width:100%}"
)


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="plot" src="data:image/png;base64,{data}">'


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _bars(per_criterion: Mapping[str, Mapping[str, Any]], key: str, title: str) -> str:
    """Bars of `key` per criterion with their 95% intervals as error bars ('' if nothing to plot)."""
    values = [(c, per_criterion.get(c, {}).get(key), per_criterion.get(c, {}).get(f"{key}_ci")) for c in CRITERION_IDS]
    values = [(c, v, ci) for c, v, ci in values if isinstance(v, int | float)]
    if not values:
        return ""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7, 3))
    heights = [float(v) for _, v, _ in values if v is not None]
    low = [v - ci[0] if ci else 0 for _, v, ci in values]
    high = [ci[1] - v if ci else 0 for _, v, ci in values]
    axes.bar([c for c, _, _ in values], heights, yerr=[low, high], capsize=3, color="#4a7ab5")
    axes.set_title(title)
    axes.set_ylim(min(0.0, *heights), 1.05)
    axes.axhline(0.8, color="#b54a4a", linewidth=0.8, linestyle="--")
    html = _png(figure)
    plt.close(figure)
    return html


def _confusion(overall: Mapping[str, Any]) -> str:
    labels, matrix = overall.get("confusion_labels"), overall.get("confusion")
    if not labels or not matrix:
        return ""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(4.5, 4))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=30)
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("grader")
    axes.set_ylabel("label")
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            axes.text(j, i, str(count), ha="center", va="center")
    axes.set_title("Quadrant confusion")
    html = _png(figure)
    plt.close(figure)
    return html


def _table(rows: list[list[str]], header: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _overall_html(figures: Mapping[str, Any]) -> str:
    names = report_texts().figures
    rows = [
        [names.get(k, k), format_value(k, figures[k]), format_interval(k, figures.get(f"{k}_ci"))]
        for k in scalar_figures(figures)
    ]
    return _table(rows, ["figure", "value", "95% interval"])


def _grid_html(per: Mapping[str, Mapping[str, Any]], first: str) -> str:
    if not per:
        return ""
    keys = [k for k in scalar_figures(next(iter(per.values()))) if k not in ("n", "n_floor")]
    rows = [
        [name, *(f"{format_value(k, f.get(k))} {format_interval(k, f.get(f'{k}_ci'))}".strip() for k in keys)]
        for name, f in per.items()
    ]
    return _table(rows, [first, *keys])


def _plots(family: str, section: Mapping[str, Any]) -> str:
    per = section.get("per_criterion", {})
    if family == "validity":
        return _bars(per, "qwk", "Quadratic-weighted kappa per criterion (95% CI)") + _confusion(
            section.get("overall", {})
        )
    if family == "consistency":
        return _bars(per, "krippendorff_alpha", "Krippendorff's alpha across repeats per criterion")
    return ""


def _section(family: str, section: Mapping[str, Any]) -> str:
    text = report_texts().families[family]
    parts = [f"<h2>{escape(text.title)}</h2>", f"<p>{escape(text.how_to_read)}</p>"]
    parts.append(_overall_html(section.get("overall", {})))
    parts.append(_plots(family, section))
    if family == "validity":
        parts.append(
            _bars(section.get("per_criterion", {}), "krippendorff_alpha", "Alpha per criterion (raters + grader)")
        )
    parts.append(_grid_html(section.get("per_criterion", {}), "criterion"))
    parts.append(_grid_html(section.get("per_kind", {}), "kind"))
    return "\n".join(p for p in parts if p)


def render_html(results: Mapping[str, Any], title: str) -> str:
    sections = "\n".join(_section(f, results.get(f) or {}) for f in FAMILIES)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head>\n<body><h1>{escape(title)}</h1>\n{sections}\n</body></html>\n"
    )
