"""A small OpenAI-compatible chat-completions server on loopback, for tests and benchmarks.

It records every request (headers, body, the segments asked for) and answers
from a script: each request takes the next scripted reply, and when the script
is empty the default reply translates every segment well — from
``server.translations`` (source → translation) where given, else with a text
that uses each required glossary term's first rendering and keeps every
placeholder. Scripted replies can be malformed JSON, glossary violations, lost
placeholders, slow answers (timeouts) and HTTP errors (5xx, 429).

    with FakeLLMServer() as server:
        server.script.append(status(503))
        settings = dict(SETTINGS, LLM_URL=server.url, LLM_MODEL="fake-model")
"""
from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, str]]:
        """The chat messages."""
        return self.body.get("messages", [])

    @property
    def payload(self) -> dict[str, Any]:
        """The JSON document of the last user message (the segments asked for)."""
        content = next(m["content"] for m in reversed(self.messages) if m["role"] == "user")
        return json.loads(content[content.index("\n") + 1:])

    @property
    def segments(self) -> list[dict[str, Any]]:
        """The segments of the last user message."""
        return self.payload["segments"]

    @property
    def is_reask(self) -> bool:
        """Whether this request asks again (it continues a conversation)."""
        return any(m["role"] == "assistant" for m in self.messages)


def auto_translation(segment: dict[str, Any]) -> str:
    """A translation that holds to the segment's glossary and keeps its placeholders."""
    parts = [f"Text {segment['id']}"]
    parts += [term["use"][0] for term in segment.get("glossary", [])
              if term.get("use") and term.get("required")]
    placeholders = "".join(segment.get("placeholders", []))
    return " ".join(parts) + (f" {placeholders}" if placeholders else "")


def completion(content: str, model: str = "fake-model", finish_reason: str = "stop") -> Answer:
    """A 200 answer carrying ``content`` as the assistant's message."""
    body = {"id": "chatcmpl-test", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "finish_reason": finish_reason,
                         "message": {"role": "assistant", "content": content}}]}
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def translations_json(items: dict[str, str]) -> str:
    """The reply form the engine asks for."""
    return json.dumps({"translations": [{"id": k, "translation": v} for k, v in items.items()]},
                      ensure_ascii=False)


# --- scripted replies: each is called with the request and the server ---------------------

Scripted = Callable[[RecordedRequest, "FakeLLMServer"], Answer]


def good() -> Scripted:
    """Translate every segment well (the default)."""
    return lambda request, server: server.default_answer(request)


def replace_text(mapping: dict[str, str]) -> Scripted:
    """Translate well, except the segments whose source is in ``mapping`` get that text."""
    def answer(request: RecordedRequest, server: FakeLLMServer) -> Answer:
        items = {s["id"]: mapping.get(s["source"], server.translate(s)) for s in request.segments}
        return completion(translations_json(items), request.body.get("model", "fake-model"))
    return answer


def raw(content: str, finish_reason: str = "stop") -> Scripted:
    """Answer with ``content`` as the model's message, whatever it is."""
    return lambda request, server: completion(content, request.body.get("model", "fake-model"),
                                              finish_reason)


def status(code: int, retry_after: str | None = None, body: dict | None = None) -> Scripted:
    """Answer with an HTTP error."""
    headers = {"Content-Type": "application/json"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    data = json.dumps(body or {"error": {"message": f"status {code}"}}).encode()
    return lambda request, server: (code, headers, data)


def slow(seconds: float, then: Scripted | None = None) -> Scripted:
    """Wait ``seconds`` (past the client's timeout, say), then answer."""
    def answer(request: RecordedRequest, server: FakeLLMServer) -> Answer:
        time.sleep(seconds)
        return (then or good())(request, server)
    return answer


@dataclass
class FakeLLMServer:
    """The server; use as a context manager (it listens on 127.0.0.1, a free port)."""

    translations: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds every default answer takes (throughput, concurrency)
    requests: list[RecordedRequest] = field(default_factory=list)
    script: deque = field(default_factory=deque)
    in_flight: int = 0
    max_in_flight: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The OpenAI-style base URL (``…/v1``)."""
        assert self._httpd is not None, "start the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def translate(self, segment: dict[str, Any]) -> str:
        """The default translation of one segment."""
        return self.translations.get(segment["source"]) or auto_translation(segment)

    def default_answer(self, request: RecordedRequest) -> Answer:
        """Every segment translated well."""
        if self.delay:
            time.sleep(self.delay)
        items = {s["id"]: self.translate(s) for s in request.segments}
        return completion(translations_json(items), request.body.get("model", "fake-model"))

    def handle(self, request: RecordedRequest) -> Answer:
        """Record the request and answer it from the script (or well)."""
        with self._lock:
            self.requests.append(request)
            scripted = self.script.popleft() if self.script else None
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return (scripted or good())(request, self)
        finally:
            with self._lock:
                self.in_flight -= 1

    def __enter__(self) -> Self:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                recorded = RecordedRequest(self.path, dict(self.headers.items()), body)
                code, headers, data = server.handle(recorded)
                try:
                    self.send_response(code)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop to look (0.5 s by default).
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True, name="fake-llm")
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
