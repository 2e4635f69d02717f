"""Item 13: Gradio's file routes (gradio 6.31) refuse path traversal (`../`, percent-encoded, double
encoded, backslashes, absolute paths) and URL fetches with 403/404 (the proxy route: 400 "cannot be
proxied"), nothing outside is fetched; uploads over ServeSettings.max_upload_mb answer 413.

Raw request targets go through http.client, which sends the path exactly as written (httpx would
normalise the dot segments away before they reach the server)."""

from __future__ import annotations

import http.client
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from served_app import served_roleplay

pytestmark = pytest.mark.timeout(120)
SECRET = "top-secret-file-content-7f3a"


class OutsideHandler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        OutsideHandler.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(SECRET.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def outside() -> Iterator[str]:
    """An 'outside' web server on loopback: the app must never fetch from it."""
    server = http.server.HTTPServer(("127.0.0.1", 0), OutsideHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("outside") / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
    db = tmp_path_factory.mktemp("files") / "app.db"
    with served_roleplay(db=f"sqlite:///{db}", max_upload_mb=1) as url:
        yield url, int(url.rsplit(":", 1)[1]), db


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


TRAVERSALS = [
    "/gradio_api/file={secret}",
    "/gradio_api/file=/etc/passwd",
    "/gradio_api/file=%2Fetc%2Fpasswd",
    "/gradio_api/file=../../../../../../etc/passwd",
    "/gradio_api/file=%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/gradio_api/file=..%2f..%2f..%2f..%2f..%2fetc/passwd",
    "/gradio_api/file=%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/gradio_api/file=..%5c..%5c..%5cetc%5cpasswd",
    "/gradio_api/file/../../../../../etc/passwd",
    "/gradio_api/file/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/gradio_api/file//etc/passwd",
    "/gradio_api/file={db}",
    "/gradio_api/file=pyproject.toml",
    "/gradio_api/file=prompts/rubric.yaml",
    "/gradio_api/file=/proc/self/environ",
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/svelte/../../../../etc/passwd",
    "/file=/etc/passwd",
    "/gradio_api/file=/etc/passwd/../passwd",
]


@pytest.mark.parametrize("template", TRAVERSALS)
def test_traversal_and_absolute_paths_are_refused(app: tuple[str, int, Path], secret_file: Path, template: str) -> None:
    _url, port, db = app
    status, body = raw_get(port, template.format(secret=secret_file, db=db))
    assert status in (403, 404), (status, body[:200])
    assert b"root:" not in body and SECRET.encode() not in body and b"SQLite format" not in body


@pytest.mark.parametrize(
    ("template", "allowed"),
    [
        ("/gradio_api/file={outside}/secret", (403, 404)),
        ("/gradio_api/file={outside_encoded}%2Fsecret", (403, 404)),
        ("/gradio_api/proxy={outside}/secret", (400, 403, 404)),  # gradio: 400 "This URL cannot be proxied."
    ],
)
def test_url_fetches_are_refused_and_nothing_outside_is_fetched(
    app: tuple[str, int, Path], outside: str, template: str, allowed: tuple[int, ...]
) -> None:
    _url, port, _db = app
    OutsideHandler.hits.clear()
    target = template.format(outside=outside, outside_encoded=outside.replace(":", "%3A").replace("/", "%2F"))
    status, body = raw_get(port, target)
    assert status in allowed, (status, body[:200])
    assert SECRET.encode() not in body and OutsideHandler.hits == []


def upload(url: str, size: int) -> httpx.Response:
    files = {"files": ("transcript.txt", b"a" * size, "text/plain")}
    return httpx.post(f"{url}/gradio_api/upload", files=files, timeout=30)


def test_an_upload_over_the_limit_is_refused_and_one_under_it_is_taken(app: tuple[str, int, Path]) -> None:
    url, _port, _db = app
    refused = upload(url, 1_000_001)
    assert refused.status_code == 413 and "maximum allowed size" in refused.text
    taken = upload(url, 10_000)
    assert taken.status_code == 200 and len(taken.json()) == 1
