"""Model-server endpoints of the ``llm`` engine: which are configured, and where text goes.

The default endpoint (engine ``llm``) comes from ``LLM_URL`` / ``LLM_MODEL``
(``WORKBENCH_LLM_URL``, ``WORKBENCH_LLM_MODEL``). More endpoints, each its own
engine ``llm:NAME``, come from ``LLM_ENDPOINTS``: either names (``qwen,cloud``,
e.g. from ``WORKBENCH_LLM_ENDPOINTS``) whose settings are read from
``WORKBENCH_LLM_<NAME>_URL``, ``…_MODEL``, ``…_TIMEOUT``, ``…_MAX_CONCURRENCY``,
``…_BATCH_SIZE``, ``…_JSON_MODE``, or a dict in the instance ``config.py``
(``{"qwen": {"url": …, "model": …}}``). Unset values fall back to the ``LLM_*``
settings.

API keys are read from the environment only, at request time
(``WORKBENCH_LLM_API_KEY``, ``WORKBENCH_LLM_<NAME>_API_KEY``, or the variable a
dict names as ``api_key_env``): they are never settings, never stored, never
logged. A server that is not on this machine or a private network is refused
unless ``LLM_ALLOW_REMOTE`` (``WORKBENCH_LLM_ALLOW_REMOTE=1``) is set, so that
texts leave the office's network only by an explicit decision.
"""
from __future__ import annotations

import ipaddress
import os
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from workbench.messages import Message, msg

BASE_ID = "llm"
DEFAULT_KEY_VARIABLE = "WORKBENCH_LLM_API_KEY"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
# Per-endpoint values a name's environment variables or dict may set, with their type.
_FIELDS: dict[str, tuple[str, type]] = {
    "url": ("LLM_URL", str), "model": ("LLM_MODEL", str), "timeout": ("LLM_TIMEOUT", float),
    "max_concurrency": ("LLM_MAX_CONCURRENCY", int), "batch_size": ("LLM_BATCH_SIZE", int),
    "batch_chars": ("LLM_BATCH_CHARS", int), "retries": ("LLM_RETRIES", int),
    "backoff": ("LLM_BACKOFF", float), "json_mode": ("LLM_JSON_MODE", bool),
    "temperature": ("LLM_TEMPERATURE", float), "max_tokens": ("LLM_MAX_TOKENS", int),
}
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Endpoint:
    """One configured model server: its address, model and limits."""

    name: str  # "" for the default endpoint
    url: str | None = None
    model: str | None = None
    timeout: float = 120.0
    max_concurrency: int = 2
    batch_size: int = 8
    batch_chars: int = 6000
    retries: int = 2
    backoff: float = 2.0
    json_mode: bool = True
    temperature: float = 0.0
    max_tokens: int | None = 4096
    allow_remote: bool = False
    api_key_variable: str = DEFAULT_KEY_VARIABLE
    # A key written into a settings file: refused (see :meth:`problem`).
    key_in_settings: bool = False

    @property
    def engine_id(self) -> str:
        """The engine id: ``llm`` or ``llm:NAME``."""
        return f"{BASE_ID}:{self.name}" if self.name else BASE_ID

    @property
    def completions_url(self) -> str:
        """The chat-completions address the texts are posted to.

        ``http://host:8000/v1`` (an OpenAI-style base) and ``http://host:11434``
        (a server root) both give ``…/v1/chat/completions``; a full address is kept.
        """
        url = (self.url or "").strip().rstrip("/")
        if url.endswith("/chat/completions"):
            return url
        if url.endswith("/v1"):
            return f"{url}/chat/completions"
        return f"{url}/v1/chat/completions"

    @property
    def host(self) -> str:
        """The server's host name or address."""
        return urlsplit((self.url or "").strip()).hostname or ""

    def api_key(self) -> str | None:
        """The API key from the environment (None when the server needs none)."""
        return os.environ.get(self.api_key_variable) or None

    def problem(self) -> Message | None:
        """Why this endpoint cannot be used, or None. Resolves the host name (no connection)."""
        variable = "WORKBENCH_LLM" + (f"_{_env_name(self.name)}" if self.name else "")
        if not self.url:
            return msg("Not configured: set %(variable)s_URL to an OpenAI-compatible server "
                       "and %(variable)s_MODEL to its model (see README, “Model servers”).",
                       variable=variable)
        if not self.model:
            return msg("No model name: set %(variable)s_MODEL.", variable=variable)
        if self.key_in_settings:
            return msg("An API key is written in the settings; keep it in the environment "
                       "(%(key)s) instead.", key=self.api_key_variable)
        parts = urlsplit(self.url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return msg("The server address %(url)s is not an http:// or https:// URL.",
                       url=self.url)
        if parts.username or parts.password:
            return msg("The server address may not contain a user name or password; put the "
                       "API key in %(key)s.", key=self.api_key_variable)
        if not self.allow_remote and not is_local_or_private(parts.hostname):
            return msg("%(host)s is not on this machine or a private network (or its name does "
                       "not resolve): texts would leave the office's network. Set "
                       "WORKBENCH_LLM_ALLOW_REMOTE=1 to allow it.",
                       host=parts.hostname)
        return None


def _env_name(name: str) -> str:
    return name.upper().replace("-", "_")


def _parse(value: Any, kind: type) -> Any:
    if value is None or value == "":
        return None
    if kind is bool:
        return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE
    return kind(value)


# A named endpoint has its own address and model; only the limits default to LLM_*.
_OWN_FIELDS = frozenset({"url", "model"})


def _values(settings: Mapping[str, Any], given: Mapping[str, Any],
            inherit_all: bool = True) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field, (setting, kind) in _FIELDS.items():
        value = _parse(given.get(field), kind)
        if value is None and (inherit_all or field not in _OWN_FIELDS):
            value = _parse(settings.get(setting), kind)
        if value is not None:
            values[field] = value
    return values


def default_endpoint(settings: Mapping[str, Any]) -> Endpoint:
    """The endpoint of engine ``llm`` (LLM_URL, LLM_MODEL and the LLM_* limits)."""
    return Endpoint(name="", allow_remote=bool(settings.get("LLM_ALLOW_REMOTE")),
                    **_values(settings, {}))


def _named_config(settings: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The named endpoints' own values: a dict from config.py, or names from the environment."""
    configured = settings.get("LLM_ENDPOINTS")
    if not configured:
        return {}
    if isinstance(configured, Mapping):
        return {str(name).strip().lower(): dict(values or {})
                for name, values in configured.items()}
    names = configured.split(",") if isinstance(configured, str) else list(configured)
    return {str(name).strip().lower(): {} for name in names if str(name).strip()}


def named_endpoints(settings: Mapping[str, Any],
                    environ: Mapping[str, str] | None = None) -> list[Endpoint]:
    """The named endpoints (engines ``llm:NAME``), in configured order; bad names skipped."""
    environ = os.environ if environ is None else environ
    endpoints = []
    for name, given in _named_config(settings).items():
        if not _NAME.match(name):
            continue
        prefix = f"WORKBENCH_LLM_{_env_name(name)}_"
        values = dict(given)
        for field in _FIELDS:
            if environ.get(prefix + field.upper()):
                values[field] = environ[prefix + field.upper()]
        endpoints.append(Endpoint(
            name=name, allow_remote=bool(settings.get("LLM_ALLOW_REMOTE")),
            api_key_variable=str(given.get("api_key_env") or prefix + "API_KEY"),
            key_in_settings=bool(given.get("api_key")),
            **_values(settings, values, inherit_all=False)))
    return endpoints


def find_endpoint(settings: Mapping[str, Any], name: str) -> Endpoint:
    """The endpoint called ``name`` ("" for the default); an unconfigured one if unknown."""
    if not name:
        return default_endpoint(settings)
    for endpoint in named_endpoints(settings):
        if endpoint.name == name:
            return endpoint
    return Endpoint(name=name, url=None, model=None)


# Host name → (time checked, local or private), so listing engines resolves a name
# once in a while rather than on every page.
_RESOLVED: dict[str, tuple[float, bool]] = {}
_RESOLVED_LOCK = threading.Lock()
RESOLVE_TTL = 300.0


def _address_is_private(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback or (ip.is_private and not ip.is_global) or ip.is_link_local


def is_local_or_private(host: str) -> bool:
    """Whether ``host`` is this machine or on a private network (RFC 1918, ULA, link-local).

    A name counts only if every address it resolves to is loopback or private.
    """
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    else:
        return _address_is_private(host)
    now = time.monotonic()
    with _RESOLVED_LOCK:
        cached = _RESOLVED.get(host)
    if cached and now - cached[0] < RESOLVE_TTL:
        return cached[1]
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        addresses = set()
    private = bool(addresses) and all(_address_is_private(str(a)) for a in addresses)
    with _RESOLVED_LOCK:
        _RESOLVED[host] = (now, private)
    return private
