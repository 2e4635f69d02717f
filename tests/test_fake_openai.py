"""The real client path (openai 3.54, langchain-openai 1.7.3) against the fake OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import openai
import pytest

# Makes the `fake_openai` fixture visible here; tests/conftest.py should register it for everyone with
# `pytest_plugins = ["fake_openai"]` (a test module cannot: it is imported too late for assertion rewriting).
from fake_openai import (
    CutStream,
    FakeOpenAI,
    Hang,
    HttpFault,
    MalformedJson,
    Refusal,
    TruncatedJson,
    estimate_tokens,
    fake_openai_fixture,  # noqa: F401  (registers the `fake_openai` fixture until conftest.py does)
    rate_limited,
)
from fake_openai.chat import split_text, usage
from fake_openai.script import Message, reply_message
from langchain_core.exceptions import ModelConnectionError
from langchain_core.messages import AIMessageChunk
from langchain_openai import ChatOpenAI
from langchain_openai.chat_models._client_utils import _cached_async_httpx_client
from langchain_openai.chat_models.base import OpenAIConnectionError, OpenAIRefusalError
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel

MODEL = "fake-model"
USER: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Buenos días, llamo por su deuda."}]


class Verdict(BaseModel):
    score: int
    rationale: str


@pytest.fixture
def client(fake_openai: FakeOpenAI) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=fake_openai.base_url, api_key=fake_openai.api_key, max_retries=0) as made:
        yield made


@pytest.fixture
async def aclient(fake_openai: FakeOpenAI) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=fake_openai.base_url, api_key=fake_openai.api_key, max_retries=0) as made:
        yield made


@pytest.fixture
async def http_async() -> AsyncIterator[httpx.AsyncClient]:
    """Our own client, made inside the running loop: langchain's default one is cached per base URL."""
    async with httpx.AsyncClient() as made:
        yield made


def chat_model(fake: FakeOpenAI, http_async: httpx.AsyncClient, **options: Any) -> ChatOpenAI:
    settings: dict[str, Any] = {"streaming": True, "stream_usage": True, "max_retries": 0, **options}
    return ChatOpenAI(
        base_url=fake.base_url,
        api_key=fake.api_key,
        model=MODEL,
        use_responses_api=False,
        http_async_client=http_async,
        **settings,
    )


# -- pure parts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "tokens"), [("", 0), ("a", 1), ("abcd", 1), ("abcde", 2), ("x" * 40, 10)])
def test_estimate_tokens_counts_started_groups_of_four_characters(text: str, tokens: int) -> None:
    assert estimate_tokens(text) == tokens


@pytest.mark.parametrize(
    ("text", "size", "pieces"),
    [("abcdefg", 3, ["abc", "def", "g"]), ("ab", 5, ["ab"]), ("", 4, []), ("abc", 0, ["a", "b", "c"])],
)
def test_split_text_cuts_fixed_size_pieces(text: str, size: int, pieces: list[str]) -> None:
    assert split_text(text, size) == pieces


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("hola", Message("hola")),
        ({"score": 4}, Message('{"score": 4}')),
        (MalformedJson("{oops"), Message("{oops")),
        (TruncatedJson({"a": "bcdef"}), Message('{"a": "', finish_reason="length")),
        (Refusal("no"), Message(None, refusal="no")),
        (CutStream(2, "partial"), Message("partial")),
        (CutStream(2), Message("DEFAULT")),
    ],
)
def test_reply_message_resolves_each_kind_of_reply(reply: Any, expected: Message) -> None:
    assert reply_message(reply, "DEFAULT") == expected


# -- plain completions -----------------------------------------------------------------------------


def test_sync_completion_returns_scripted_text_usage_and_records_the_call(
    fake_openai: FakeOpenAI, client: openai.OpenAI
) -> None:
    fake_openai.enqueue("Ahora mismo no puedo pagar.")
    reply = client.chat.completions.create(model=MODEL, messages=USER)
    assert reply.choices[0].message.content == "Ahora mismo no puedo pagar."
    assert reply.usage is not None
    assert reply.usage.model_dump(include={"prompt_tokens", "completion_tokens", "total_tokens"}) == usage(
        {"messages": USER}, Message("Ahora mismo no puedo pagar.")
    )
    assert fake_openai.count() == 1
    assert fake_openai.last_messages() == USER
    assert fake_openai.chat_requests()[0].headers["authorization"] == "Bearer sk-fake-test"


async def test_async_completion_uses_the_responder_when_the_queue_is_empty(
    fake_openai: FakeOpenAI, aclient: openai.AsyncOpenAI
) -> None:
    fake_openai.script.responder = lambda body: "eco: " + body["messages"][-1]["content"]
    reply = await aclient.chat.completions.create(model=MODEL, messages=USER)
    assert reply.choices[0].message.content == "eco: Buenos días, llamo por su deuda."


def test_wrong_api_key_gets_401_authentication_error(fake_openai: FakeOpenAI) -> None:
    with (
        openai.OpenAI(base_url=fake_openai.base_url, api_key="sk-wrong", max_retries=0) as wrong,
        pytest.raises(openai.AuthenticationError) as raised,
    ):
        wrong.chat.completions.create(model=MODEL, messages=USER)
    assert raised.value.status_code == 401
    assert fake_openai.chat_requests()[0].headers["authorization"] == "Bearer sk-wrong"


def test_models_are_listed(client: openai.OpenAI) -> None:
    assert [model.id for model in client.models.list()] == [MODEL]


# -- streaming --------------------------------------------------------------------------------------


def test_stream_chunks_arrive_in_order_with_chunk_delay_and_a_final_usage_chunk(
    fake_openai: FakeOpenAI, client: openai.OpenAI
) -> None:
    fake_openai.behaviour.chunk_size, fake_openai.behaviour.chunk_delay = 4, 0.05
    fake_openai.enqueue("Le llamo para ayudarle.")
    pieces: list[str] = []
    arrivals: list[float] = []
    usages: list[tuple[int, int]] = []
    stream = client.chat.completions.create(
        model=MODEL,
        messages=USER,
        stream=True,
        stream_options={"include_usage": True},
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
            arrivals.append(time.monotonic())
        if chunk.usage is not None:
            usages.append((len(chunk.choices), chunk.usage.completion_tokens))
    assert pieces == ["Le l", "lamo", " par", "a ay", "udar", "le."]
    assert all(later - earlier >= 0.03 for earlier, later in itertools.pairwise(arrivals))
    assert usages == [(0, estimate_tokens("Le llamo para ayudarle."))]


async def test_first_byte_delay_holds_the_whole_reply(fake_openai: FakeOpenAI, aclient: openai.AsyncOpenAI) -> None:
    fake_openai.behaviour.first_byte_delay = 0.3
    started = time.monotonic()
    await aclient.chat.completions.create(model=MODEL, messages=USER)
    assert time.monotonic() - started >= 0.3


async def test_langchain_streams_the_scripted_text_with_usage(
    fake_openai: FakeOpenAI, http_async: httpx.AsyncClient
) -> None:
    fake_openai.behaviour.chunk_size = 5
    fake_openai.enqueue("No tengo trabajo desde marzo.")
    chunks = [chunk async for chunk in chat_model(fake_openai, http_async).astream("hola")]
    texts = [chunk.content for chunk in chunks if chunk.content]
    assert texts == ["No te", "ngo t", "rabaj", "o des", "de ma", "rzo."]
    whole = sum(chunks[1:], chunks[0])
    assert isinstance(whole, AIMessageChunk)
    assert whole.content == "No tengo trabajo desde marzo."
    assert whole.usage_metadata is not None
    assert whole.usage_metadata["output_tokens"] == estimate_tokens("No tengo trabajo desde marzo.")
    assert fake_openai.last_request_json()["stream_options"] == {"include_usage": True}


# -- structured output ------------------------------------------------------------------------------


async def test_structured_output_parses_scripted_json_and_sends_a_strict_json_schema(
    fake_openai: FakeOpenAI, http_async: httpx.AsyncClient
) -> None:
    fake_openai.enqueue({"score": 4, "rationale": "Firme con el problema."})
    grader = chat_model(fake_openai, http_async, streaming=False).with_structured_output(
        Verdict, method="json_schema", strict=True
    )
    assert await grader.ainvoke("califica") == Verdict(score=4, rationale="Firme con el problema.")
    response_format = fake_openai.last_request_json()["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["name"] == "Verdict"


async def test_streaming_structured_output_parses_but_warns_from_pydantic(
    fake_openai: FakeOpenAI, http_async: httpx.AsyncClient
) -> None:
    """Surprise in the pinned versions: streaming=True + json_schema emits a pydantic serializer UserWarning."""
    fake_openai.enqueue({"score": 2, "rationale": "Culpabiliza."})
    grader = chat_model(fake_openai, http_async).with_structured_output(Verdict, method="json_schema", strict=True)
    with pytest.warns(UserWarning, match="PydanticSerializationUnexpectedValue"):
        assert await grader.ainvoke("califica") == Verdict(score=2, rationale="Culpabiliza.")
    assert fake_openai.last_request_json()["stream"] is True


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
@pytest.mark.parametrize("streaming", [False, True])
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (MalformedJson(), ValueError),
        (TruncatedJson({"score": 3, "rationale": "Escucha, pero no concreta."}), openai.LengthFinishReasonError),
        (Refusal("No puedo evaluar esto."), OpenAIRefusalError),
    ],
)
async def test_structured_output_faults_raise_a_known_exception(
    fake_openai: FakeOpenAI, http_async: httpx.AsyncClient, fault: Any, error: type[Exception], streaming: bool
) -> None:
    fake_openai.enqueue(fault)
    grader = chat_model(fake_openai, http_async, streaming=streaming).with_structured_output(
        Verdict, method="json_schema", strict=True
    )
    with pytest.raises(error):
        await grader.ainvoke("califica")


# -- retries, timeouts, broken connections -----------------------------------------------------------


def test_rate_limit_with_retry_after_is_retried_and_succeeds(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(rate_limited(retry_after=0.2), "Vale, le escucho.")
    with openai.OpenAI(base_url=fake_openai.base_url, api_key=fake_openai.api_key, max_retries=2) as retrying:
        started = time.monotonic()
        reply = retrying.chat.completions.create(model=MODEL, messages=USER)
    assert reply.choices[0].message.content == "Vale, le escucho."
    assert time.monotonic() - started >= 0.2
    assert fake_openai.count() == 2
    assert [r.headers["x-stainless-retry-count"] for r in fake_openai.chat_requests()] == ["0", "1"]


@pytest.mark.parametrize("status", [500, 502, 503])
@pytest.mark.parametrize("max_retries", [0, 2])
async def test_persistent_server_error_raises_after_every_retry(
    fake_openai: FakeOpenAI, status: int, max_retries: int
) -> None:
    fake_openai.enqueue(*[HttpFault(status, retry_after=0.01)] * (max_retries + 1))
    async with openai.AsyncOpenAI(
        base_url=fake_openai.base_url, api_key=fake_openai.api_key, max_retries=max_retries
    ) as retrying:
        with pytest.raises(openai.InternalServerError) as raised:
            await retrying.chat.completions.create(model=MODEL, messages=USER)
    assert raised.value.status_code == status
    assert fake_openai.count() == max_retries + 1


def test_langchain_surfaces_a_persistent_500_as_an_internal_server_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(HttpFault(500, retry_after=0.01), HttpFault(500, retry_after=0.01))
    with httpx.Client() as http:
        model = ChatOpenAI(
            base_url=fake_openai.base_url, api_key=fake_openai.api_key, model=MODEL, max_retries=1, http_client=http
        )
        with pytest.raises(openai.InternalServerError):
            model.invoke("hola")
    assert fake_openai.count() == 2


@pytest.mark.parametrize("max_retries", [0, 1])
def test_hang_past_the_read_timeout_raises_api_timeout_error_quickly(fake_openai: FakeOpenAI, max_retries: int) -> None:
    fake_openai.enqueue(*[Hang(10.0)] * (max_retries + 1))
    timeout = openai.Timeout(5.0, connect=2.0, read=0.5)  # httpx2.Timeout; a legacy httpx.Timeout also works
    with openai.OpenAI(
        base_url=fake_openai.base_url, api_key=fake_openai.api_key, max_retries=max_retries, timeout=timeout
    ) as impatient:
        started = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            impatient.chat.completions.create(model=MODEL, messages=USER)
    assert time.monotonic() - started < 0.5 * (max_retries + 1) + 1.5
    assert fake_openai.count() == max_retries + 1


async def test_a_hanging_request_does_not_block_other_requests(
    fake_openai: FakeOpenAI, aclient: openai.AsyncOpenAI
) -> None:
    fake_openai.enqueue(Hang(1.0, then="tarde"), "pronto")
    slow = asyncio.create_task(aclient.chat.completions.create(model=MODEL, messages=USER))
    while fake_openai.count() < 1:
        await asyncio.sleep(0.01)
    started = time.monotonic()
    fast = await aclient.chat.completions.create(model=MODEL, messages=USER)
    assert time.monotonic() - started < 0.5
    assert fast.choices[0].message.content == "pronto"
    assert (await slow).choices[0].message.content == "tarde"


def test_stream_cut_raises_api_connection_error_after_the_first_chunks(
    fake_openai: FakeOpenAI, client: openai.OpenAI
) -> None:
    fake_openai.behaviour.chunk_size = 3
    fake_openai.enqueue(CutStream(after_chunks=2, text="abcdefghijkl"))
    pieces: list[str] = []
    with pytest.raises(openai.APIConnectionError) as raised:
        for chunk in client.chat.completions.create(model=MODEL, messages=USER, stream=True):
            pieces.append(chunk.choices[0].delta.content or "")
    assert "".join(pieces) == "abcdef"
    assert not isinstance(raised.value, openai.APITimeoutError)


async def test_langchain_stream_cut_raises_its_connection_error_after_the_first_chunks(
    fake_openai: FakeOpenAI, http_async: httpx.AsyncClient
) -> None:
    fake_openai.behaviour.chunk_size = 4
    fake_openai.enqueue(CutStream(after_chunks=2, text="Mire, yo quiero pagar"))
    received: list[str] = []
    with pytest.raises(OpenAIConnectionError) as raised:
        async for chunk in chat_model(fake_openai, http_async).astream("hola"):
            received.append(str(chunk.content))
    assert "".join(received) == "Mire, yo"
    assert isinstance(raised.value, openai.APIConnectionError)
    assert isinstance(raised.value, ModelConnectionError)


def test_non_streaming_body_cut_in_half_raises_api_connection_error(
    fake_openai: FakeOpenAI, client: openai.OpenAI
) -> None:
    fake_openai.enqueue(CutStream(after_chunks=0))
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model=MODEL, messages=USER)


def test_langchain_default_async_client_is_cached_per_base_url_and_breaks_across_event_loops(
    fake_openai: FakeOpenAI,
) -> None:
    """Pinned-version pitfall: building a fresh ChatOpenAI in each loop is not enough; pass http_async_client."""

    async def ask() -> object:
        model = ChatOpenAI(base_url=fake_openai.base_url, api_key=fake_openai.api_key, model=MODEL, max_retries=0)
        return (await model.ainvoke("hola")).content

    try:
        assert asyncio.run(ask()) == "OK"
        with pytest.raises(RuntimeError, match="Event loop is closed"):
            asyncio.run(ask())
    finally:  # a later fake may get the same port: do not leave it the broken cached client
        _cached_async_httpx_client.cache_clear()


# -- batch API ---------------------------------------------------------------------------------------


def batch_input(prompts: list[str]) -> bytes:
    lines = [
        {
            "custom_id": f"t{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": MODEL, "messages": [{"role": "user", "content": p}]},
        }
        for i, p in enumerate(prompts)
    ]
    return "\n".join(json.dumps(line) for line in lines).encode()


def test_batch_flow_end_to_end_with_the_official_client(fake_openai: FakeOpenAI, client: openai.OpenAI) -> None:
    fake_openai.script.responder = lambda body: {"echo": body["messages"][-1]["content"]}
    fake_openai.enqueue(HttpFault(500, "line failed"))
    uploaded = client.files.create(file=("calls.jsonl", batch_input(["uno", "dos", "tres"])), purpose="batch")
    batch = client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h")
    statuses = [batch.status] + [client.batches.retrieve(batch.id).status for _ in range(3)]
    assert statuses == ["validating", "in_progress", "completed", "completed"]
    finished = client.batches.retrieve(batch.id)
    assert finished.output_file_id is not None
    assert finished.request_counts is not None and finished.request_counts.total == 3
    lines = [json.loads(line) for line in client.files.content(finished.output_file_id).text.splitlines()]
    assert [line["custom_id"] for line in lines] == ["t0", "t1", "t2"]
    assert lines[0]["response"]["status_code"] == 500
    contents = [line["response"]["body"]["choices"][0]["message"]["content"] for line in lines[1:]]
    assert [json.loads(content) for content in contents] == [{"echo": "dos"}, {"echo": "tres"}]
    assert [r.json["messages"][0]["content"] for r in fake_openai.batch_line_requests()] == ["uno", "dos", "tres"]
    assert fake_openai.count("/v1/files") == 1 and fake_openai.count() == 0


def test_batch_on_a_missing_file_is_a_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        client.batches.create(input_file_id="file-nope", endpoint="/v1/chat/completions", completion_window="24h")


# -- lifecycle ---------------------------------------------------------------------------------------


def test_server_stops_promptly_during_a_hang_and_leaves_no_thread() -> None:
    before = set(threading.enumerate())
    fake = FakeOpenAI().start()
    fake.enqueue(Hang(30.0))
    with httpx.Client(timeout=httpx.Timeout(2.0, read=0.3)) as http, pytest.raises(httpx.ReadTimeout):
        http.post(f"{fake.base_url}/chat/completions", json={"model": MODEL, "messages": USER})
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 3.0
    assert set(threading.enumerate()) <= before
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{fake.base_url}/models")


def test_without_a_configured_key_any_key_is_accepted() -> None:
    with FakeOpenAI(default_reply="sin clave") as fake, openai.OpenAI(base_url=fake.base_url, api_key="x") as anyone:
        reply = anyone.chat.completions.create(model=MODEL, messages=USER)
    assert reply.choices[0].message.content == "sin clave"
