"""Transcript parsing: JSON, JSONL and plain text, with one clear problem per bad item."""

from __future__ import annotations

import json

import pytest

from roleplay.transcripts import parse_transcripts

CALL = {
    "id": "c1",
    "language": "es",
    "persona_id": "student",
    "turns": [{"role": "agent", "text": "Hola, ¿hablo con Lucía?"}, {"role": "debtor", "text": "Sí."}],
}


def test_json_object_keeps_fields_and_ignores_extra_keys() -> None:
    parsed = parse_transcripts(json.dumps({**CALL, "channel": "phone"}), "calls/c1.json")
    assert parsed.problems == []
    [t] = parsed.transcripts
    assert (t.id, t.language, t.persona_id, len(t.turns)) == ("c1", "es", "student", 2)


def test_json_list_and_default_ids() -> None:
    items = [{k: v for k, v in CALL.items() if k != "id"}] * 2
    parsed = parse_transcripts(json.dumps(items), "batch.json")
    assert [t.id for t in parsed.transcripts] == ["batch-1", "batch-2"]


def test_jsonl_reports_bad_lines_and_keeps_good_ones() -> None:
    lines = [
        json.dumps(CALL),
        "{not json",
        json.dumps({**CALL, "id": "c3", "turns": [{"role": "debtor", "text": "¿Sí?"}]}),
        json.dumps({**CALL, "id": "c4", "turns": [{"role": "customer", "text": "hi"}]}),
        json.dumps({**CALL, "id": "c5", "language": "fr"}),
        "",
        json.dumps({**CALL, "id": "c7"}),
    ]
    parsed = parse_transcripts("\n".join(lines), "set.jsonl")
    assert [t.id for t in parsed.transcripts] == ["c1", "c7"]
    messages = [str(p) for p in parsed.problems]
    assert messages[0].startswith("set.jsonl:2: invalid JSON")
    assert messages[1] == "set.jsonl:3: the transcript has no agent turn"
    assert messages[2] == "set.jsonl:4: turn 0: unknown role 'customer' (expected 'agent' or 'debtor')"
    assert messages[3].startswith("set.jsonl:5: key 'language'")


@pytest.mark.parametrize(
    ("text", "language", "roles"),
    [
        ("Agente: Buenos días, ¿hablo con Pedro?\nDeudor: Sí, soy yo.\nAgente: Le llamo de Banco Sol.", "es", "ada"),
        ("Agente: Hola.\nCliente: ¿Quién es?", "es", "ad"),
        ("Agent: Hello, is this Mark?\nDebtor: Yes.\n\nAgent: I'm calling from Banco Sol.", "en", "ada"),
        ("Debtor: Hello?\nAgent: Hi, this is Ana.", "en", "da"),
    ],
)
def test_plain_text(text: str, language: str, roles: str) -> None:
    parsed = parse_transcripts(text, "/tmp/call-7.txt")
    [t] = parsed.transcripts
    assert t.id == "call-7"
    assert t.language == language
    assert "".join(turn.role[0] for turn in t.turns) == roles


def test_plain_text_continuation_lines_join_the_turn() -> None:
    parsed = parse_transcripts("Agent: Hello,\nthis is Ana from Banco Sol.\nDebtor: Hi.", "x.txt")
    assert parsed.transcripts[0].turns[0].text == "Hello,\nthis is Ana from Banco Sol."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "x.txt: the file is empty"),
        ("   \n", "x.txt: the file is empty"),
        ("Supervisor: hola\nAgente: hola", "x.txt: line 1: unknown speaker 'Supervisor'"),
        ("hello there\nAgent: hi", "x.txt: line 1: expected a speaker label"),
        ("Debtor: Hello?\nDebtor: Anyone?", "x.txt: the transcript has no agent turn"),
        ('{"language": "en", "turns": [', "x.txt: invalid JSON"),
        ('{"language": "en"}', "x.txt: key 'turns': Field required"),
        ("[1, 2]", "x.txt: expected a JSON object"),
    ],
)
def test_problems_name_the_source_and_the_problem(text: str, message: str) -> None:
    parsed = parse_transcripts(text, "x.txt")
    assert parsed.transcripts == []
    assert str(parsed.problems[0]).startswith(message)
