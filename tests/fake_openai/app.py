"""The ASGI app of the fake OpenAI server: routes, auth, latency, faults and recording."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import chat
from .batches import BatchStore
from .script import MAX_PAUSE_SECONDS, CutStream, Hang, HttpFault, Message, Reply, ReplyScript, reply_message


@dataclass
class Behaviour:
    """Tunable at any time from the test thread: `fake.behaviour.chunk_size = 3`."""

    api_key: str | None = None
    first_byte_delay: float = 0.0
    chunk_delay: float = 0.0
    chunk_size: int = 8
    models: tuple[str, ...] = ("fake-model",)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any
    via_batch: bool = False


@dataclass
class RequestLog:
    """Every request the fake received, in arrival order (thread-safe)."""

    _entries: list[RecordedRequest] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def snapshot(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._entries)


class Pauser:
    """Bounded asynchronous sleeps that end early when the server is closing."""

    def __init__(self) -> None:
        self.closing = threading.Event()

    async def pause(self, seconds: float) -> None:
        deadline = time.monotonic() + min(max(0.0, seconds), MAX_PAUSE_SECONDS)
        while not self.closing.is_set() and (remaining := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(0.05, remaining))


class SseStream:
    """A raw ASGI response sending SSE events one by one; `complete=False` drops the connection at the end."""

    def __init__(self, events: list[bytes], chunk_delay: float, pauser: Pauser, complete: bool) -> None:
        self.events, self.chunk_delay, self.pauser, self.complete = events, chunk_delay, pauser, complete

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for index, event in enumerate(self.events):
            if index:
                await self.pauser.pause(self.chunk_delay)
            await send({"type": "http.response.body", "body": event, "more_body": True})
        if self.complete:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


class HalfBody:
    """A raw ASGI response announcing the full length, sending half of it, then dropping the connection."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(self.body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True})


def fault_response(fault: HttpFault) -> JSONResponse:
    headers = {} if fault.retry_after is None else {"retry-after": f"{fault.retry_after:g}"}
    return JSONResponse(chat.error_body(fault.status, fault.message), fault.status, headers=headers)


class FakeApp:
    """Holds the fake's state and builds the Starlette app serving it."""

    def __init__(self, behaviour: Behaviour, script: ReplyScript, store: BatchStore) -> None:
        self.behaviour, self.script, self.store = behaviour, script, store
        self.log = RequestLog()
        self.pauser = Pauser()
        self._ids = itertools.count(1)

    def starlette(self) -> Starlette:
        routes = [
            Route("/v1/chat/completions", self.chat_completions, methods=["POST"]),
            Route("/v1/models", self.models, methods=["GET"]),
            Route("/v1/files", self.upload_file, methods=["POST"]),
            Route("/v1/files/{file_id}", self.file_info, methods=["GET"]),
            Route("/v1/files/{file_id}/content", self.file_content, methods=["GET"]),
            Route("/v1/batches", self.create_batch, methods=["POST"]),
            Route("/v1/batches/{batch_id}", self.retrieve_batch, methods=["GET"]),
        ]
        return Starlette(routes=routes)

    async def _admit(self, request: Request, body: Any) -> Response | None:
        """Record the request; answer 401 when a key is configured and not sent, else wait the first-byte delay."""
        headers = {key.lower(): value for key, value in request.headers.items()}
        self.log.add(RecordedRequest(request.method, request.url.path, headers, body))
        expected = self.behaviour.api_key
        if expected is not None and headers.get("authorization") != f"Bearer {expected}":
            return fault_response(HttpFault(401, "Incorrect API key provided (fake)"))
        await self.pauser.pause(self.behaviour.first_byte_delay)
        return None

    async def chat_completions(self, request: Request) -> Any:
        body = await request.json()
        if (refused := await self._admit(request, body)) is not None:
            return refused
        reply = self.script.next_reply(body)
        if isinstance(reply, Hang):
            await self.pauser.pause(reply.seconds)
            reply = reply.then if reply.then is not None else self.script.fallback(body)
        if isinstance(reply, HttpFault):
            return fault_response(reply)
        return self._answer(body, reply)

    def _answer(self, body: dict[str, Any], reply: Reply) -> Any:
        message = reply_message(reply, self.script.default_reply)
        completion_id, created = f"chatcmpl-fake{next(self._ids)}", int(time.time())
        if body.get("stream"):
            return self._stream(body, message, completion_id, created, reply)
        payload = chat.completion_body(body, message, completion_id, created)
        if isinstance(reply, CutStream):
            return HalfBody(json.dumps(payload).encode())
        return JSONResponse(payload)

    def _stream(self, body: dict[str, Any], message: Message, completion_id: str, created: int, reply: Reply) -> Any:
        factory = chat.ChunkFactory(body, completion_id, created)
        chunks = chat.stream_chunks(factory, message, self.behaviour.chunk_size)
        events = [chat.sse_event(chunk) for chunk in chunks] + [chat.sse_event("[DONE]")]
        if isinstance(reply, CutStream):
            events = events[: 1 + max(0, reply.after_chunks)]
        behaviour = self.behaviour
        return SseStream(events, behaviour.chunk_delay, self.pauser, complete=not isinstance(reply, CutStream))

    def answer_batch_line(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """One batch line, answered from the same queue/responder as live calls."""
        self.log.add(RecordedRequest("POST", "/v1/chat/completions", {}, body, via_batch=True))
        reply = self.script.next_reply(body)
        if isinstance(reply, Hang):
            reply = reply.then if reply.then is not None else self.script.fallback(body)
        if isinstance(reply, HttpFault):
            return reply.status, chat.error_body(reply.status, reply.message)
        message = reply_message(reply, self.script.default_reply)
        return 200, chat.completion_body(body, message, f"chatcmpl-fake{next(self._ids)}", int(time.time()))

    async def models(self, request: Request) -> Response:
        if (refused := await self._admit(request, None)) is not None:
            return refused
        data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake-openai"} for m in self.behaviour.models]
        return JSONResponse({"object": "list", "data": data})

    async def upload_file(self, request: Request) -> Response:
        async with request.form() as form:
            upload, purpose = form.get("file"), str(form.get("purpose", ""))
            if upload is None or isinstance(upload, str):
                return fault_response(HttpFault(400, "multipart field 'file' is required"))
            content, filename = await upload.read(), upload.filename or "upload.jsonl"
        if (refused := await self._admit(request, {"purpose": purpose, "filename": filename})) is not None:
            return refused
        return JSONResponse(self.store.add_file(filename, purpose, content).as_json())

    async def file_info(self, request: Request) -> Response:
        if (refused := await self._admit(request, None)) is not None:
            return refused
        stored = self.store.file(request.path_params["file_id"])
        return JSONResponse(stored.as_json()) if stored else fault_response(HttpFault(404, "No such file"))

    async def file_content(self, request: Request) -> Response:
        if (refused := await self._admit(request, None)) is not None:
            return refused
        stored = self.store.file(request.path_params["file_id"])
        if stored is None:
            return fault_response(HttpFault(404, "No such file"))
        return Response(stored.content, media_type="application/octet-stream")

    async def create_batch(self, request: Request) -> Response:
        body = await request.json()
        if (refused := await self._admit(request, body)) is not None:
            return refused
        batch = self.store.create_batch(body)
        return JSONResponse(batch.as_json()) if batch else fault_response(HttpFault(400, "No such input file"))

    async def retrieve_batch(self, request: Request) -> Response:
        if (refused := await self._admit(request, None)) is not None:
            return refused
        polled = self.store.poll(request.path_params["batch_id"], self.answer_batch_line)
        return JSONResponse(polled) if polled else fault_response(HttpFault(404, "No such batch"))
