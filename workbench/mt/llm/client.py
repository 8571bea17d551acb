"""A small client for OpenAI-compatible ``/v1/chat/completions`` servers (standard library).

vLLM, Ollama, llama.cpp's server, LM Studio, LocalAI and the cloud services
speak this protocol. The client posts to the endpoint's address and nowhere
else: proxies from the environment are not used and redirects are not
followed, so texts reach only the configured server. Requests in flight per
server are bounded across every caller of the process
(``LLM_MAX_CONCURRENCY``). A timeout, a refused connection, HTTP 429 or a 5xx
is retried with doubling back-off (``LLM_RETRIES``, ``LLM_BACKOFF``, a
``Retry-After`` of up to a minute is honoured); after that
:class:`~workbench.mt.base.EngineTemporarilyFailed` says the server did not
answer, so a background job can try again later. Other refusals (401, 404,
400) are :class:`ModelServerError` at once: retrying would not help.
"""
from __future__ import annotations

import email.message
import http.client
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from workbench.errors import WorkbenchError
from workbench.messages import msg
from workbench.mt.base import EngineTemporarilyFailed
from workbench.mt.llm.endpoints import Endpoint

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0
MAX_REPLY_BYTES = 8 * 1024 * 1024  # a chat completion is text; more is not a reply
USER_AGENT = "signbench-workbench"


class ModelServerError(WorkbenchError):
    """The model server refused the request in a way retrying will not fix."""

    http_status = 502


@dataclass(frozen=True)
class ChatReply:
    """The text of a chat completion and the model the server says produced it."""

    content: str
    model: str | None
    finish_reason: str | None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Texts go to the configured address only: a redirect is an error, not a new destination."""

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: email.message.Message,
                         newurl: str) -> urllib.request.Request | None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

# Requests in flight per server address (and configured limit), shared by all threads.
_SLOTS: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()
# Servers that answered 400 to response_format: asked again without it from then on.
_NO_JSON_MODE: set[str] = set()


def _slots(endpoint: Endpoint) -> threading.BoundedSemaphore:
    key = (endpoint.completions_url, max(1, endpoint.max_concurrency))
    with _SLOTS_LOCK:
        if key not in _SLOTS:
            _SLOTS[key] = threading.BoundedSemaphore(key[1])
        return _SLOTS[key]


class _Transient(Exception):
    """One attempt failed in a way a later attempt may not (timeout, 429, 5xx)."""

    def __init__(self, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def _retry_after(error: urllib.error.HTTPError) -> float | None:
    value = error.headers.get("Retry-After") if error.headers else None
    try:
        return min(float(value), MAX_BACKOFF) if value else None
    except ValueError:
        return None


def _error_detail(error: urllib.error.HTTPError) -> str:
    """The server's own explanation of a refusal, shortened (never our request)."""
    try:
        body = error.read(2000).decode("utf-8", "replace")
    except OSError:
        return error.reason if isinstance(error.reason, str) else ""
    try:
        data = json.loads(body)
        detail = data.get("error", data) if isinstance(data, dict) else data
        if isinstance(detail, dict):
            detail = detail.get("message") or detail
        return str(detail)[:300]
    except ValueError:
        return body.strip()[:300]


class ChatClient:
    """Posts chat requests to one endpoint, within its limits, retrying what may pass."""

    def __init__(self, endpoint: Endpoint, sleep: Callable[[float], None] = time.sleep) -> None:
        self.endpoint = endpoint
        self.sleep = sleep

    def _body(self, messages: list[dict[str, str]], json_mode: bool) -> bytes:
        body: dict[str, Any] = {"model": self.endpoint.model, "messages": messages,
                                "temperature": self.endpoint.temperature, "stream": False}
        if self.endpoint.max_tokens:
            body["max_tokens"] = self.endpoint.max_tokens
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    def _post_once(self, body: bytes) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "User-Agent": USER_AGENT}
        key = self.endpoint.api_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        request = urllib.request.Request(self.endpoint.completions_url, data=body,
                                         headers=headers, method="POST")
        try:
            with _slots(self.endpoint), \
                    _OPENER.open(request, timeout=self.endpoint.timeout) as answer:
                raw = answer.read(MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as error:
            if error.code == 429 or error.code >= 500:
                raise _Transient(f"HTTP {error.code}", _retry_after(error)) from error
            raise
        except (urllib.error.URLError, TimeoutError, ConnectionError,
                http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            raise _Transient(f"{type(reason).__name__}: {reason}") from error
        if len(raw) > MAX_REPLY_BYTES:
            raise ModelServerError(msg("The model server's answer is larger than %(n)s bytes.",
                                       n=MAX_REPLY_BYTES))
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise _Transient(f"not JSON ({error})") from error
        if not isinstance(data, dict):
            raise _Transient("not a chat completion")
        return data

    def _post(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """One request with its retries; falls back once to plain mode if JSON mode is refused."""
        json_mode = self.endpoint.json_mode and self.endpoint.completions_url not in _NO_JSON_MODE
        attempts = 1 + max(0, self.endpoint.retries)
        failed = 0
        while True:
            try:
                return self._post_once(self._body(messages, json_mode))
            except urllib.error.HTTPError as error:
                detail = _error_detail(error)
                if error.code == 400 and json_mode and "response_format" in detail:
                    log.info("%s refuses response_format; asking without it",
                             self.endpoint.completions_url)
                    _NO_JSON_MODE.add(self.endpoint.completions_url)
                    json_mode = False
                    continue
                raise ModelServerError(msg(
                    "The model server %(server)s refused the request (HTTP %(status)s): "
                    "%(detail)s", server=self.endpoint.completions_url, status=error.code,
                    detail=detail or "—")) from error
            except _Transient as error:
                failed += 1
                log.warning("model server %s: attempt %s of %s failed: %s",
                            self.endpoint.completions_url, failed, attempts, error)
                if failed >= attempts:
                    raise EngineTemporarilyFailed(msg(
                        "The model server %(server)s did not answer after %(n)s attempts "
                        "(%(error)s); try again later.", server=self.endpoint.completions_url,
                        n=attempts, error=str(error))) from error
                wait = self.endpoint.backoff * (2 ** (failed - 1))
                self.sleep(min(MAX_BACKOFF, max(wait, error.retry_after or 0.0)))

    def complete(self, messages: list[dict[str, str]]) -> ChatReply:
        """The server's reply to ``messages`` (system, user, assistant… as the API takes them)."""
        data = self._post(messages)
        try:
            choice = data["choices"][0]
            content = choice["message"]["content"]
        except (KeyError, IndexError, TypeError) as error:
            raise ModelServerError(msg("The model server's answer is not a chat completion "
                                       "(no choices[0].message.content).")) from error
        return ChatReply(content=content if isinstance(content, str) else "",
                         model=data.get("model") if isinstance(data.get("model"), str) else None,
                         finish_reason=choice.get("finish_reason"))
