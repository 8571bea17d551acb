"""Settings: built-in defaults, then the instance folder, then WORKBENCH_* environment.

Plain functions with no Flask import, so that the CLI and the web app read the
same settings the same way.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent

DEFAULTS: dict[str, Any] = {
    # "production" refuses to start without a secret key; "development" and
    # "testing" may fall back to a throwaway one.
    "ENV": "production",
    "SECRET_KEY": None,
    "DATABASE": None,  # default: <instance>/workbench.sqlite3
    "MODELS_DIR": str(PROJECT_DIR / "models"),
    "GLOSSARY_DIR": str(PROJECT_DIR / "glossaries"),
    "UPLOAD_DIR": None,  # default: <instance>/uploads
    "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,  # whole request, bytes
    "MAX_PHOTO_BYTES": 15 * 1024 * 1024,
    "MAX_IMPORT_BYTES": 40 * 1024 * 1024,
    # Limits checked while an upload is read (workbench/files/limits.py): a file
    # within the byte limits stays under about 300 MB of memory while it is parsed.
    "IMPORT_MAX_ROWS": 100_000,  # data rows of a CSV/XLSX inventory or glossary
    "IMPORT_MAX_COLUMNS": 256,
    "IMPORT_MAX_CELLS": 3_000_000,  # cells, and the block from A1 to the last cell
    "ZIP_MAX_MEMBERS": 10_000,  # files in an XLSX, DOCX or photo ZIP
    "ZIP_MAX_UNCOMPRESSED_BYTES": 128 * 1024 * 1024,
    "ZIP_MAX_RATIO": 100,  # uncompressed ÷ compressed size of a member over 1 MB
    "XML_MAX_ELEMENTS": 1_000_000,  # elements of a TBX, XLIFF or DOCX file
    "DOCUMENT_MAX_UNCOMPRESSED_BYTES": 64 * 1024 * 1024,  # a DOCX's parts, unpacked
    "DOCUMENT_MAX_PARAGRAPHS": 50_000,  # paragraphs of a DOCX, lines of a TXT/MD file
    "DOCUMENT_MAX_SEGMENTS": 20_000,
    "PHOTO_MAX_PIXELS": 50_000_000,
    # Checked dry runs wait for the user's confirmation this long, within a quota.
    "PENDING_IMPORT_HOURS": 24,
    "PENDING_IMPORT_MAX_BYTES": 100 * 1024 * 1024,  # per user
    "PENDING_IMPORT_MAX_COUNT": 5,  # per user
    "SESSION_COOKIE_SECURE": False,  # set True when served over HTTPS
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Sign-in throttling (workbench.throttle): per account, the first
    # LOGIN_FREE_FAILURES failures are free, then each attempt waits
    # LOGIN_BASE_DELAY × 2^(failures beyond) seconds, at most LOGIN_MAX_DELAY;
    # failures count since the last success or unlock, within LOGIN_ACCOUNT_WINDOW.
    # Per address: past LOGIN_ADDRESS_FREE_FAILURES failures on any accounts within
    # LOGIN_ADDRESS_WINDOW seconds, the same growing delays apply to the address.
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_BASE_DELAY": 30,
    "LOGIN_MAX_DELAY": 15 * 60,
    "LOGIN_ACCOUNT_WINDOW": 24 * 3600,
    "LOGIN_ADDRESS_FREE_FAILURES": 30,
    "LOGIN_ADDRESS_WINDOW": 15 * 60,
    # Reverse proxies in front of the app (nginx…): their X-Forwarded-For/-Proto/
    # -Host headers are trusted this many hops deep (0: served directly).
    "PROXY_COUNT": 0,
    # A write waits this long for another writer's lock; the web layer then
    # retries the request BUSY_RETRIES times before answering "busy, try again".
    "BUSY_TIMEOUT_MS": 10_000,
    "BUSY_RETRIES": 2,
    "LANGUAGES": ["zh", "en"],
    "BABEL_DEFAULT_LOCALE": "zh",
    # Times are stored in UTC and shown in this zone, named on the page ("… (UTC+8)").
    "TIMEZONE": "Asia/Shanghai",
    "FOUR_EYES": True,
    "MT_ENGINE": "rules",
    # Engine per kind of text (default MT_ENGINE) and the engine asked for what the
    # first leaves empty (none by default), e.g. signs: rules then llm; prose: llm.
    "MT_ENGINE_SIGNS": None,
    "MT_FALLBACK_SIGNS": None,
    "MT_ENGINE_PROSE": None,
    "MT_FALLBACK_PROSE": None,
    # Neighbouring document segments given to engines that use context (each side).
    "MT_CONTEXT_SEGMENTS": 2,
    "MT_THREADS": 1,
    # Model server (OpenAI-compatible /v1/chat/completions) for the `llm` engine. Not
    # configured by default: then nothing is ever sent anywhere. The API key is read
    # from the environment only (WORKBENCH_LLM_API_KEY), never from a settings file.
    "LLM_URL": None,
    "LLM_MODEL": None,
    # More servers, each its own engine `llm:NAME`: "qwen,cloud" with WORKBENCH_LLM_QWEN_URL
    # etc. in the environment, or a dict {"qwen": {"url": …, "model": …}} in config.py.
    "LLM_ENDPOINTS": None,
    "LLM_ALLOW_REMOTE": False,  # a server outside loopback/private networks needs this
    "LLM_TIMEOUT": 120.0,  # seconds per request
    "LLM_MAX_CONCURRENCY": 2,  # requests in flight per server, across all callers
    "LLM_BATCH_SIZE": 8,  # texts per request
    "LLM_BATCH_CHARS": 6000,  # source characters per request
    "LLM_RETRIES": 2,  # retries after a timeout, 429 or 5xx
    "LLM_BACKOFF": 2.0,  # seconds before the first retry, doubled each time
    "LLM_JSON_MODE": True,  # send response_format json_object (servers that refuse it: off)
    "LLM_TEMPERATURE": 0.0,
    "LLM_MAX_TOKENS": 4096,
    "LLM_TM_EXAMPLES": 3,  # translation-memory matches given as examples
    "LLM_TM_MIN_SCORE": 50,  # lowest similarity of such an example
    "TM_FUZZY_THRESHOLD": 75,
    # GB/T 30240 allows several ways of writing direction words in road
    # names; a project picks one and the rule engine and checks enforce it.
    "ROAD_NAME_STYLE": "direction-before",  # Longkun South Road
    # A road's specific name in capitals inside a title-case sign ("QINGHUA South Rd", the
    # Beijing DB11/T 334 style): "allowed" by the QA checks, or "title-case" (flagged).
    "ROAD_NAME_CAPITALS": "allowed",
    "PINYIN_U_STYLE": "v",  # 万绿园 Wanlv (or "u": Wanlu, "ü": Wanlü)
    # Government bodies (DB46/T 506.9): "of" writes Department of Finance of Hainan
    # Province (the standard's and the Hainan government's style), "adjectival" writes
    # Hainan Provincial Department of Finance. Congresses, courts and hospitals are
    # named the same in both styles.
    "ORG_NAME_STYLE": "of",
    "MAX_DOCUMENT_BYTES": 20 * 1024 * 1024,
    "EXPORT_DIR": None,  # default: <instance>/exports
    # TrueType font for print proofs: Debian's fonts-wqy-microhei draws Chinese, Latin,
    # Cyrillic, kana and Hangul from one file (face 0).
    "PROOF_FONT": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    # Where users reach the workbench: proof QR codes link to signs there.
    "EXTERNAL_URL": "http://127.0.0.1:5000",
    # The public address of the report pages (/r/<sign code>) that proof QR codes
    # point to; unset, they fall back to EXTERNAL_URL and exports warn.
    "PUBLIC_URL": None,
    "PAGE_SIZE": 50,
    # Background jobs (workbench.jobs): huey's SQLite queue beside the database.
    "JOBS_DB": None,  # default: <database name>.jobs.sqlite3 in the database's folder
    # Run each job inside the process that enqueues it, at once (tests, debugging);
    # production leaves it off and runs `workbench worker`.
    "JOBS_IMMEDIATE": False,
    "JOBS_WORKERS": 1,  # threads of one `workbench worker` process
    "JOBS_MAX_ATTEMPTS": 3,  # runs of a job before an interruption or transient error is final
    "JOBS_RETRY_DELAY": 5.0,  # seconds before the first automatic retry; doubles each time
    "JOBS_HEARTBEAT_SECONDS": 10.0,  # how often a worker reports that its runs are alive
    "JOBS_STALE_SECONDS": 60.0,  # a running run silent this long has lost its worker
    # Public error reports: photo size, rate limits per sender address and per
    # sign (submissions per window in seconds), OCR of report photos, how far
    # (metres) from a site a reported position may be to match its signs.
    "REPORT_MAX_PHOTO_BYTES": 10 * 1024 * 1024,
    "REPORT_LIMIT_PER_ADDRESS": 10,
    "REPORT_ADDRESS_WINDOW": 3600,
    "REPORT_LIMIT_PER_SIGN": 30,
    "REPORT_SIGN_WINDOW": 24 * 3600,
    "REPORT_OCR": True,
    "REPORT_MATCH_RADIUS_M": 300,
    # OCR of sign photos (rapidocr-onnxruntime; models ship in the wheel).
    "OCR_THREADS": 1,  # onnxruntime threads per photo
    "OCR_MAX_SIDE": 960,  # longest side the text detector sees, pixels
    "OCR_MIN_CONFIDENCE": 0.5,  # recognized lines below this are dropped
    # Survey batches: photos within this distance of a site's location join it.
    "SURVEY_SITE_RADIUS_M": 150,
    "SURVEY_MAX_PHOTOS": 200,  # photos per batch upload
    "SURVEY_MAX_UPLOAD_BYTES": 200 * 1024 * 1024,  # one batch upload, all files
}

# Environment variables understood, with their setting and type.
ENVIRONMENT: dict[str, tuple[str, type]] = {
    "WORKBENCH_ENV": ("ENV", str),
    "WORKBENCH_SECRET_KEY": ("SECRET_KEY", str),
    "WORKBENCH_DB": ("DATABASE", str),
    "WORKBENCH_MODELS_DIR": ("MODELS_DIR", str),
    "WORKBENCH_GLOSSARY_DIR": ("GLOSSARY_DIR", str),
    "WORKBENCH_UPLOAD_DIR": ("UPLOAD_DIR", str),
    "WORKBENCH_MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", int),
    "WORKBENCH_MAX_PHOTO_BYTES": ("MAX_PHOTO_BYTES", int),
    "WORKBENCH_MAX_IMPORT_BYTES": ("MAX_IMPORT_BYTES", int),
    "WORKBENCH_IMPORT_MAX_ROWS": ("IMPORT_MAX_ROWS", int),
    "WORKBENCH_IMPORT_MAX_COLUMNS": ("IMPORT_MAX_COLUMNS", int),
    "WORKBENCH_IMPORT_MAX_CELLS": ("IMPORT_MAX_CELLS", int),
    "WORKBENCH_ZIP_MAX_MEMBERS": ("ZIP_MAX_MEMBERS", int),
    "WORKBENCH_ZIP_MAX_UNCOMPRESSED_BYTES": ("ZIP_MAX_UNCOMPRESSED_BYTES", int),
    "WORKBENCH_ZIP_MAX_RATIO": ("ZIP_MAX_RATIO", int),
    "WORKBENCH_XML_MAX_ELEMENTS": ("XML_MAX_ELEMENTS", int),
    "WORKBENCH_DOCUMENT_MAX_UNCOMPRESSED_BYTES": ("DOCUMENT_MAX_UNCOMPRESSED_BYTES", int),
    "WORKBENCH_DOCUMENT_MAX_PARAGRAPHS": ("DOCUMENT_MAX_PARAGRAPHS", int),
    "WORKBENCH_DOCUMENT_MAX_SEGMENTS": ("DOCUMENT_MAX_SEGMENTS", int),
    "WORKBENCH_PHOTO_MAX_PIXELS": ("PHOTO_MAX_PIXELS", int),
    "WORKBENCH_PENDING_IMPORT_HOURS": ("PENDING_IMPORT_HOURS", int),
    "WORKBENCH_PENDING_IMPORT_MAX_BYTES": ("PENDING_IMPORT_MAX_BYTES", int),
    "WORKBENCH_PENDING_IMPORT_MAX_COUNT": ("PENDING_IMPORT_MAX_COUNT", int),
    "WORKBENCH_SECURE_COOKIES": ("SESSION_COOKIE_SECURE", bool),
    "WORKBENCH_FOUR_EYES": ("FOUR_EYES", bool),
    "WORKBENCH_MT_ENGINE": ("MT_ENGINE", str),
    "WORKBENCH_MT_THREADS": ("MT_THREADS", int),
    "WORKBENCH_MT_ENGINE_SIGNS": ("MT_ENGINE_SIGNS", str),
    "WORKBENCH_MT_FALLBACK_SIGNS": ("MT_FALLBACK_SIGNS", str),
    "WORKBENCH_MT_ENGINE_PROSE": ("MT_ENGINE_PROSE", str),
    "WORKBENCH_MT_FALLBACK_PROSE": ("MT_FALLBACK_PROSE", str),
    "WORKBENCH_MT_CONTEXT_SEGMENTS": ("MT_CONTEXT_SEGMENTS", int),
    "WORKBENCH_LLM_URL": ("LLM_URL", str),
    "WORKBENCH_LLM_MODEL": ("LLM_MODEL", str),
    "WORKBENCH_LLM_ENDPOINTS": ("LLM_ENDPOINTS", str),
    "WORKBENCH_LLM_ALLOW_REMOTE": ("LLM_ALLOW_REMOTE", bool),
    "WORKBENCH_LLM_TIMEOUT": ("LLM_TIMEOUT", float),
    "WORKBENCH_LLM_MAX_CONCURRENCY": ("LLM_MAX_CONCURRENCY", int),
    "WORKBENCH_LLM_BATCH_SIZE": ("LLM_BATCH_SIZE", int),
    "WORKBENCH_LLM_BATCH_CHARS": ("LLM_BATCH_CHARS", int),
    "WORKBENCH_LLM_RETRIES": ("LLM_RETRIES", int),
    "WORKBENCH_LLM_BACKOFF": ("LLM_BACKOFF", float),
    "WORKBENCH_LLM_JSON_MODE": ("LLM_JSON_MODE", bool),
    "WORKBENCH_LLM_TEMPERATURE": ("LLM_TEMPERATURE", float),
    "WORKBENCH_LLM_MAX_TOKENS": ("LLM_MAX_TOKENS", int),
    "WORKBENCH_LLM_TM_EXAMPLES": ("LLM_TM_EXAMPLES", int),
    "WORKBENCH_LLM_TM_MIN_SCORE": ("LLM_TM_MIN_SCORE", int),
    "WORKBENCH_TM_FUZZY_THRESHOLD": ("TM_FUZZY_THRESHOLD", int),
    "WORKBENCH_ROAD_NAME_STYLE": ("ROAD_NAME_STYLE", str),
    "WORKBENCH_ROAD_NAME_CAPITALS": ("ROAD_NAME_CAPITALS", str),
    "WORKBENCH_PINYIN_U_STYLE": ("PINYIN_U_STYLE", str),
    "WORKBENCH_ORG_NAME_STYLE": ("ORG_NAME_STYLE", str),
    "WORKBENCH_MAX_DOCUMENT_BYTES": ("MAX_DOCUMENT_BYTES", int),
    "WORKBENCH_EXPORT_DIR": ("EXPORT_DIR", str),
    "WORKBENCH_PROOF_FONT": ("PROOF_FONT", str),
    "WORKBENCH_EXTERNAL_URL": ("EXTERNAL_URL", str),
    "WORKBENCH_PROXY_COUNT": ("PROXY_COUNT", int),
    "WORKBENCH_BUSY_TIMEOUT_MS": ("BUSY_TIMEOUT_MS", int),
    "WORKBENCH_BUSY_RETRIES": ("BUSY_RETRIES", int),
    "WORKBENCH_LOGIN_FREE_FAILURES": ("LOGIN_FREE_FAILURES", int),
    "WORKBENCH_LOGIN_BASE_DELAY": ("LOGIN_BASE_DELAY", int),
    "WORKBENCH_LOGIN_MAX_DELAY": ("LOGIN_MAX_DELAY", int),
    "WORKBENCH_LOGIN_ADDRESS_FREE_FAILURES": ("LOGIN_ADDRESS_FREE_FAILURES", int),
    "WORKBENCH_JOBS_DB": ("JOBS_DB", str),
    "WORKBENCH_JOBS_IMMEDIATE": ("JOBS_IMMEDIATE", bool),
    "WORKBENCH_JOBS_WORKERS": ("JOBS_WORKERS", int),
    "WORKBENCH_JOBS_MAX_ATTEMPTS": ("JOBS_MAX_ATTEMPTS", int),
    "WORKBENCH_JOBS_RETRY_DELAY": ("JOBS_RETRY_DELAY", float),
    "WORKBENCH_JOBS_STALE_SECONDS": ("JOBS_STALE_SECONDS", float),
    "WORKBENCH_PUBLIC_URL": ("PUBLIC_URL", str),
    "WORKBENCH_TIMEZONE": ("TIMEZONE", str),
    "WORKBENCH_REPORT_MAX_PHOTO_BYTES": ("REPORT_MAX_PHOTO_BYTES", int),
    "WORKBENCH_REPORT_LIMIT_PER_ADDRESS": ("REPORT_LIMIT_PER_ADDRESS", int),
    "WORKBENCH_REPORT_ADDRESS_WINDOW": ("REPORT_ADDRESS_WINDOW", int),
    "WORKBENCH_REPORT_LIMIT_PER_SIGN": ("REPORT_LIMIT_PER_SIGN", int),
    "WORKBENCH_REPORT_SIGN_WINDOW": ("REPORT_SIGN_WINDOW", int),
    "WORKBENCH_REPORT_OCR": ("REPORT_OCR", bool),
    "WORKBENCH_REPORT_MATCH_RADIUS_M": ("REPORT_MATCH_RADIUS_M", int),
    "WORKBENCH_OCR_THREADS": ("OCR_THREADS", int),
    "WORKBENCH_OCR_MAX_SIDE": ("OCR_MAX_SIDE", int),
    "WORKBENCH_OCR_MIN_CONFIDENCE": ("OCR_MIN_CONFIDENCE", float),
    "WORKBENCH_SURVEY_SITE_RADIUS_M": ("SURVEY_SITE_RADIUS_M", float),
    "WORKBENCH_SURVEY_MAX_PHOTOS": ("SURVEY_MAX_PHOTOS", int),
    "WORKBENCH_SURVEY_MAX_UPLOAD_BYTES": ("SURVEY_MAX_UPLOAD_BYTES", int),
}

SECRET_KEY_FILE = "secret_key"


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to set."""


def default_instance_path() -> Path:
    """The instance folder: WORKBENCH_INSTANCE, else ./instance of the project."""
    return Path(os.environ.get("WORKBENCH_INSTANCE", PROJECT_DIR / "instance")).resolve()


def _parse(value: str, kind: type) -> Any:
    if kind is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return kind(value)


def load_settings(instance_path: Path | None = None,
                  overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults < instance ``config.py`` < environment < overrides.

    Relative paths are resolved; the database and upload folder default to the
    instance folder. The secret key falls back to ``<instance>/secret_key``
    (written by ``workbench init``).
    """
    instance = Path(instance_path or default_instance_path())
    settings = dict(DEFAULTS)
    settings["INSTANCE_PATH"] = str(instance)
    instance_config = instance / "config.py"
    if instance_config.exists():
        namespace: dict[str, Any] = {}
        exec(compile(instance_config.read_text(encoding="utf-8"), str(instance_config), "exec"),
             namespace)
        settings.update({k: v for k, v in namespace.items() if k.isupper()})
    for variable, (key, kind) in ENVIRONMENT.items():
        if variable in os.environ and os.environ[variable] != "":
            settings[key] = _parse(os.environ[variable], kind)
    settings.update(overrides or {})
    if not settings.get("DATABASE"):
        settings["DATABASE"] = str(instance / "workbench.sqlite3")
    if not settings.get("UPLOAD_DIR"):
        settings["UPLOAD_DIR"] = str(instance / "uploads")
    if not settings.get("EXPORT_DIR"):
        settings["EXPORT_DIR"] = str(instance / "exports")
    if not settings.get("JOBS_DB"):
        settings["JOBS_DB"] = str(jobs_db_beside(settings["DATABASE"]))
    if not settings.get("SECRET_KEY"):
        key_file = instance / SECRET_KEY_FILE
        if key_file.exists():
            settings["SECRET_KEY"] = key_file.read_text(encoding="utf-8").strip()
    return settings


def jobs_db_beside(database: str | Path) -> Path:
    """The job queue's file beside the database.

    ``workbench.sqlite3`` → ``workbench.jobs.sqlite3``.
    """
    path = Path(database)
    stem = path.name.rsplit(".", 1)[0] if "." in path.name else path.name
    return path.with_name(f"{stem}.jobs.sqlite3")


def require_secret_key(settings: dict[str, Any]) -> None:
    """Refuse to run in production without a secret key; give dev/test a throwaway one."""
    if settings.get("SECRET_KEY"):
        return
    if settings.get("ENV") in {"development", "testing"} or settings.get("TESTING"):
        settings["SECRET_KEY"] = secrets.token_hex(32)
        return
    from workbench.messages import msg

    raise ConfigError(msg(
        "No secret key is configured. Run `workbench init` (it writes %(path)s) or set "
        "WORKBENCH_SECRET_KEY.", path=str(Path(settings["INSTANCE_PATH"]) / SECRET_KEY_FILE)))


def ensure_secret_key_file(instance_path: Path) -> bool:
    """Write a random secret key into the instance folder if none exists; True if written."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / SECRET_KEY_FILE
    if key_file.exists():
        return False
    key_file.write_text(secrets.token_hex(32), encoding="utf-8")
    key_file.chmod(0o600)
    return True
