"""A readable scorecard for the terminal (`roleplay grade --format text`, `roleplay chat`)."""

from __future__ import annotations

from roleplay.cli.labels import label
from roleplay.content import load_rubric
from roleplay.domain import Grade


def render_scorecard(grade: Grade) -> str:
    lang = grade.language
    lines = [f"== {label('scorecard', lang)}: {grade.id} =="]
    if not grade.passed:
        flag_ids = ", ".join(grade.flag_ids())
        lines.append(f"!! {label('failed', lang)}: {flag_ids}")
    lines += _summary_lines(grade)
    lines += _criterion_lines(grade)
    lines += _flag_lines(grade)
    lines += _feedback_lines(grade)
    return "\n".join(lines)


def _summary_lines(grade: Grade) -> list[str]:
    lang = grade.language
    quadrant = load_rubric().quadrant.labels[grade.quadrant].get(lang)
    return [
        f"{label('hard', lang)}: {grade.hard:.1f} · {label('soft', lang)}: {grade.soft:.1f} · "
        f"{label('overall', lang)}: {grade.overall:.1f} {label('out_of', lang)}",
        f"{label('quadrant', lang)}: {quadrant}",
        "",
    ]


def _criterion_lines(grade: Grade) -> list[str]:
    lang, rubric = grade.language, load_rubric()
    lines = []
    for crit in grade.criteria:
        title = rubric.criterion(crit.id).title.get(lang)
        bar = "█" * crit.score + "·" * (5 - crit.score)
        low = f" ({label('low_confidence', lang)})" if crit.low_confidence else ""
        lines.append(f"{crit.id} {title:<32} {bar} {crit.score}/5{low}")
        lines.append(f"     {crit.rationale}")
        for ev in crit.evidence[:2]:
            lines.append(f'     › {label("turn", lang)} {ev.turn}: "{ev.quote}"')
    return lines


def _flag_lines(grade: Grade) -> list[str]:
    lang, rubric = grade.language, load_rubric()
    lines = []
    if grade.flags:
        lines += ["", f"{label('flags', lang)}:"]
        titles: dict[str, str] = {f.id: f.title.get(lang) for f in rubric.flags}
        for flag in grade.flags:
            quote = f' — "{flag.evidence[0].quote}"' if flag.evidence else ""
            lines.append(f"  ✗ {titles.get(flag.id, flag.id)}{quote}")
    if grade.integrity_flags:
        lines += ["", f"{label('integrity', lang)}: " + ", ".join(f.id for f in grade.integrity_flags)]
    return lines


def _feedback_lines(grade: Grade) -> list[str]:
    lang = grade.language
    lines = ["", f"{label('strengths', lang)}:"]
    lines += [f"  + {item.text}" for item in grade.feedback.strengths]
    lines += ["", f"{label('improvements', lang)}:"]
    for item in grade.feedback.improvements:
        lines.append(f"  - {item.text}")
        if item.example:
            lines.append(f'    {label("try_saying", lang)}: "{item.example.strip(chr(34))}"')
    return lines
