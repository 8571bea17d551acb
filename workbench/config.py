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
    "SESSION_COOKIE_SECURE": False,  # set True when served over HTTPS
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_SECONDS": 15 * 60,
    "LANGUAGES": ["zh", "en"],
    "BABEL_DEFAULT_LOCALE": "zh",
    "FOUR_EYES": True,
    "MT_ENGINE": "rules",
    "MT_THREADS": 1,
    "TM_FUZZY_THRESHOLD": 75,
    # GB/T 30240 allows several ways of writing direction words in road
    # names; a project picks one and the rule engine and checks enforce it.
    "ROAD_NAME_STYLE": "direction-before",  # Longkun South Road
    "PINYIN_U_STYLE": "v",  # 万绿园 Wanlv (or "u": Wanlu, "ü": Wanlü)
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
    "WORKBENCH_SECURE_COOKIES": ("SESSION_COOKIE_SECURE", bool),
    "WORKBENCH_FOUR_EYES": ("FOUR_EYES", bool),
    "WORKBENCH_MT_ENGINE": ("MT_ENGINE", str),
    "WORKBENCH_MT_THREADS": ("MT_THREADS", int),
    "WORKBENCH_TM_FUZZY_THRESHOLD": ("TM_FUZZY_THRESHOLD", int),
    "WORKBENCH_ROAD_NAME_STYLE": ("ROAD_NAME_STYLE", str),
    "WORKBENCH_PINYIN_U_STYLE": ("PINYIN_U_STYLE", str),
    "WORKBENCH_MAX_DOCUMENT_BYTES": ("MAX_DOCUMENT_BYTES", int),
    "WORKBENCH_EXPORT_DIR": ("EXPORT_DIR", str),
    "WORKBENCH_PROOF_FONT": ("PROOF_FONT", str),
    "WORKBENCH_EXTERNAL_URL": ("EXTERNAL_URL", str),
    "WORKBENCH_PUBLIC_URL": ("PUBLIC_URL", str),
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
    if not settings.get("SECRET_KEY"):
        key_file = instance / SECRET_KEY_FILE
        if key_file.exists():
            settings["SECRET_KEY"] = key_file.read_text(encoding="utf-8").strip()
    return settings


def require_secret_key(settings: dict[str, Any]) -> None:
    """Refuse to run in production without a secret key; give dev/test a throwaway one."""
    if settings.get("SECRET_KEY"):
        return
    if settings.get("ENV") in {"development", "testing"} or settings.get("TESTING"):
        settings["SECRET_KEY"] = secrets.token_hex(32)
        return
    raise ConfigError(
        "No secret key is configured. Run `workbench init` (it writes "
        f"{Path(settings['INSTANCE_PATH']) / SECRET_KEY_FILE}) or set WORKBENCH_SECRET_KEY."
    )


def ensure_secret_key_file(instance_path: Path) -> bool:
    """Write a random secret key into the instance folder if none exists; True if written."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / SECRET_KEY_FILE
    if key_file.exists():
        return False
    key_file.write_text(secrets.token_hex(32), encoding="utf-8")
    key_file.chmod(0o600)
    return True
