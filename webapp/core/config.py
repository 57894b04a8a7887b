"""Settings, read from the environment in one place.

`load_settings()` turns the environment into a flat dict of Flask config keys. `create_app`
applies it, then any override a test or an embedding program passes. Development needs no
configuration at all: a SQLite file and a generated secret live in `./instance/`.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

ENVIRONMENTS = ("development", "production")
#: The repository root: the parent of the `webapp` package, where questionnaires/ and rules/ live.
DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2]
#: Secrets that look like someone left a placeholder in place.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development"})
MIN_SECRET_LENGTH = 32
DEFAULT_PDF_TIMEOUT = 60.0


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the variable and what to do."""


def instance_dir() -> Path:
    """The folder holding the development database and secret: `./instance` of the cwd."""
    return Path.cwd() / "instance"


def _generated_secret(folder: Path) -> str:
    """Read or create the development secret so sessions survive restarts."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    folder.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    logger.info("generated a development secret key in %s", path)
    return value


def _environment(env: Mapping[str, str]) -> str:
    value = env.get("FAULTLINE_ENV", "development").strip().lower() or "development"
    if value not in ENVIRONMENTS:
        raise ConfigError(f"FAULTLINE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {value!r}")
    return value


def _database_url(env: Mapping[str, str]) -> str:
    url = env.get("DATABASE_URL", "").strip()
    if url:
        # Heroku-style URLs name the dialect only; psycopg 3 is the driver we ship.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgres://")
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    folder = instance_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'faultline.sqlite3'}"


def _secret_key(env: Mapping[str, str], environment: str) -> str:
    value = env.get("SECRET_KEY", "").strip()
    if value or environment == "production":
        return value  # production is checked at startup, with one clear line
    return _generated_secret(instance_dir())


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 3600:  # nan fails too
        raise ConfigError(f"{name} must be a number of seconds between 0 and 3600, not {raw!r}")
    return value


def pdf_page_size(env: Mapping[str, str] | None = None) -> str:
    """FAULTLINE_PDF_PAGE_SIZE (case-insensitive), A4 when unset; the CLI reads it here too."""
    from webapp.report.data import PAGE_SIZES

    env = os.environ if env is None else env
    raw = env.get("FAULTLINE_PDF_PAGE_SIZE", "").strip()
    for size in PAGE_SIZES:
        if size.lower() == (raw.lower() or "a4"):
            return size
    raise ConfigError(f"FAULTLINE_PDF_PAGE_SIZE must be one of {', '.join(PAGE_SIZES)}, "
                      f"not {raw!r}")


def _rate_limit(env: Mapping[str, str], name: str, default: str) -> str:
    """A limit such as "10 per minute;50 per hour", checked with the limiter's own parser."""
    from limits import parse_many

    raw = env.get(name, "").strip() or default
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(f"{name} must be limits such as '10 per minute;50 per hour', "
                          f"not {raw!r}") from None
    return raw


def _folder(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name, "").strip()
    return Path(raw) if raw else None


def load_settings(
    env: Mapping[str, str] | None = None, override: Mapping[str, object] | None = None
) -> dict[str, object]:
    """Flask config keys from the environment (os.environ unless given), then `override`.

    Defaults that touch the disk (the instance folder) are only computed when neither the
    environment nor the override provides the value, so tests never write to `./instance`.
    """
    env = os.environ if env is None else env
    override = dict(override or {})
    environment = str(override.get("FAULTLINE_ENV") or _environment(env))
    settings = _plain_settings(env, environment)
    if "DATABASE_URL" not in override:
        settings["DATABASE_URL"] = _database_url(env)
    if "SECRET_KEY" not in override:
        settings["SECRET_KEY"] = _secret_key(env, environment)
    settings.update(override)
    return settings


def _base_url(env: Mapping[str, str]) -> str:
    value = env.get("FAULTLINE_BASE_URL", "").strip().rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise ConfigError(
            f"FAULTLINE_BASE_URL must start with http:// or https://, not {value!r}"
        )
    return value


SIGNUP_MODES = ("open", "invite", "closed")
SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")
OIDC_VARIABLES = (
    "FAULTLINE_OIDC_ISSUER", "FAULTLINE_OIDC_CLIENT_ID", "FAULTLINE_OIDC_CLIENT_SECRET"
)


def _signup_mode(env: Mapping[str, str]) -> str:
    value = env.get("FAULTLINE_SIGNUP", "").strip().lower() or "open"
    if value not in SIGNUP_MODES:
        choices = ", ".join(SIGNUP_MODES)
        raise ConfigError(f"FAULTLINE_SIGNUP must be one of {choices}, not {value!r}")
    return value


def _smtp_url(env: Mapping[str, str]) -> str:
    value = env.get("FAULTLINE_SMTP_URL", "").strip()
    scheme = value.split("://", 1)[0] if "://" in value else None
    if value and (scheme not in SMTP_SCHEMES or not urlsplit(value).hostname):
        raise ConfigError(
            "FAULTLINE_SMTP_URL must be a URL such as smtp://host:25, "
            "smtp+starttls://user:password@host:587 or smtps://user:password@host:465"
        )
    return value


def _oidc(env: Mapping[str, str]) -> dict[str, str]:
    values = {name: env.get(name, "").strip() for name in OIDC_VARIABLES}
    given = [name for name, value in values.items() if value]
    if given and len(given) < len(OIDC_VARIABLES):
        missing = ", ".join(name for name in OIDC_VARIABLES if name not in given)
        raise ConfigError(f"single sign-on needs {missing} as well")
    issuer = values["FAULTLINE_OIDC_ISSUER"].rstrip("/")
    if issuer and not issuer.startswith(("https://", "http://")):
        raise ConfigError(f"FAULTLINE_OIDC_ISSUER must be an http(s) URL, not {issuer!r}")
    return {**values, "FAULTLINE_OIDC_ISSUER": issuer,
            "FAULTLINE_OIDC_NAME": env.get("FAULTLINE_OIDC_NAME", "").strip() or "single sign-on"}


def served_address(host: str, port: int) -> str:
    """The address `faultline serve --host --port` answers on, as people would type it.

    A wildcard host (all interfaces) is named by this machine's name, which colleagues on the
    same network can usually reach; an IPv6 literal gets its brackets.
    """
    if host in ("", "0.0.0.0", "::"):
        host = socket.getfqdn()
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _plain_settings(env: Mapping[str, str], environment: str) -> dict[str, object]:
    base_url = _base_url(env)
    secure = base_url.startswith("https://")
    return {
        "FAULTLINE_ENV": environment,
        "FAULTLINE_BASE_URL": base_url,
        #: Set by `faultline serve` to the address it listens on; share and invitation links
        #: use it when FAULTLINE_BASE_URL is unset (never a request's Host header).
        "FAULTLINE_SERVED_AT": "",
        "FAULTLINE_CONTENT_DIR": Path(env.get("FAULTLINE_CONTENT_DIR") or DEFAULT_CONTENT_DIR),
        "RATELIMIT_STORAGE_URI": env.get("FAULTLINE_REDIS_URL", "").strip() or "memory://",
        "SIGNIN_RATE_LIMIT": _rate_limit(env, "FAULTLINE_SIGNIN_RATE_LIMIT",
                                         "10 per minute;50 per hour"),
        #: Failed sign-ins per account, from any address.
        "SIGNIN_ACCOUNT_RATE_LIMIT": _rate_limit(env, "FAULTLINE_SIGNIN_ACCOUNT_RATE_LIMIT",
                                                 "5 per 5 minutes;20 per hour"),
        #: The default sign-up mode; the admin page can change it (stored in the database).
        "FAULTLINE_SIGNUP": _signup_mode(env),
        "FAULTLINE_SMTP_URL": _smtp_url(env),
        "FAULTLINE_MAIL_FROM": env.get("FAULTLINE_MAIL_FROM", "").strip()
        or f"Faultline <faultline@{socket.getfqdn()}>",
        **_oidc(env),
        #: Failed share-link lookups a client may make, and the ceiling on any share request.
        "SHARE_GUESS_RATE_LIMIT": _rate_limit(env, "FAULTLINE_SHARE_GUESS_RATE_LIMIT",
                                              "10 per minute;50 per hour"),
        "SHARE_RATE_LIMIT": _rate_limit(env, "FAULTLINE_SHARE_RATE_LIMIT", "120 per minute"),
        #: API requests per personal access token (per client address without one).
        "API_RATE_LIMIT": _rate_limit(env, "FAULTLINE_API_RATE_LIMIT", "300 per minute"),
        "PDF_PAGE_SIZE": pdf_page_size(env),
        #: Seconds a PDF render may take before the download answers "try again".
        "PDF_TIMEOUT": _seconds(env, "FAULTLINE_PDF_TIMEOUT", DEFAULT_PDF_TIMEOUT),
        #: Folders shared by the app's processes: rendered PDFs and computed results
        #: (None: report-cache/ and result-cache/ in the instance folder).
        "REPORT_CACHE_DIR": _folder(env, "FAULTLINE_REPORT_CACHE_DIR"),
        "RESULT_CACHE_DIR": _folder(env, "FAULTLINE_RESULT_CACHE_DIR"),
        #: Seconds after which a computed result is written there, if no newer revision of
        #: the same assessment came meanwhile (0: at once).
        "RESULT_SHARE_DELAY": 1.0,
        "MAX_CONTENT_LENGTH": _int(env, "FAULTLINE_MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        #: How many reverse proxies in front set X-Forwarded-*; 0 trusts none of them.
        "PROXY_HOPS": _int(env, "FAULTLINE_PROXY_HOPS", 0),
        "SQLITE_BUSY_TIMEOUT_MS": _int(env, "FAULTLINE_SQLITE_BUSY_TIMEOUT_MS", 5_000),
        #: The task queue: Redis when set (several instances), else a SQLite file.
        "QUEUE_REDIS_URL": env.get("FAULTLINE_REDIS_URL", "").strip(),
        "QUEUE_FILE": env.get("FAULTLINE_QUEUE_FILE", "").strip()
        or str(instance_dir() / "queue.sqlite3"),
        "QUEUE_IMMEDIATE": False,
        #: Seconds a web process gathers committed changes before it queues the jobs they
        #: ask for (portfolio summaries, settle checks), each assessment once.
        "QUEUE_CHANGE_DELAY": 1.0,
        #: Seconds an assessment stays unchanged before its PDF is made ahead of time.
        "PDF_SETTLE_SECONDS": _seconds(env, "FAULTLINE_PDF_SETTLE_SECONDS", 30.0),
        "PDF_PRERENDER": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "PREFERRED_URL_SCHEME": "https" if secure else "http",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "RATELIMIT_HEADERS_ENABLED": True,
        # If Redis goes away while running, limit per instance in memory instead of failing.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "CHECK_CONTENT": True,
    }


def secret_key_problem(settings: Mapping[str, object]) -> str | None:
    """Why the secret key is not good enough for production, or None."""
    if settings.get("FAULTLINE_ENV") != "production":
        return None
    key = str(settings.get("SECRET_KEY") or "")
    if key.lower() in PLACEHOLDER_SECRETS:
        return "SECRET_KEY is not set; production needs a random secret of 32+ characters"
    if len(key) < MIN_SECRET_LENGTH:
        return f"SECRET_KEY is too short ({len(key)} characters); production needs 32 or more"
    return None


def base_url_problem(settings: Mapping[str, object]) -> str | None:
    """Why links to this installation cannot be made in production, or None."""
    if settings.get("FAULTLINE_ENV") != "production" or settings.get("FAULTLINE_BASE_URL"):
        return None
    return ("FAULTLINE_BASE_URL is not set; production needs the address people use to reach "
            "Faultline (for example https://faultline.example.com) for share and invitation links")
