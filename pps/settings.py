"""Settings for the Parent Partnership casework application.

Everything that differs between machines comes from environment variables, read through the
small typed helpers below. A secret may also be given as ``NAME_FILE`` (a path to a file holding
it). With ``DEBUG`` off, a missing secret stops start-up with a clear message.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from pps import password_checks

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str | None:
    """A string from the environment, or from the file named by ``NAME_FILE``."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    value = env_str(name)
    return [item.strip() for item in (default if value is None else value).split(",") if item.strip()]


def required_secret(name: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set the {name} environment variable (or {name}_FILE). "
            "For a local demo run `bash bin/demo`, which generates one."
        )
    return value


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("PPS_TESTING", False)

SECRET_KEY = required_secret("SECRET_KEY")

# Encryption at rest (pps/crypto.py): master keys that wrap each household's data key, and the
# key of the search indexes. Never derived from SECRET_KEY. Checked when the WSGI application
# starts and by `manage.py check --deploy`; `bin/demo` generates them for the demo.
FIELD_ENCRYPTION_KEYS = env_str("FIELD_ENCRYPTION_KEYS")
SEARCH_INDEX_KEY = env_str("SEARCH_INDEX_KEY")
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "guardian",
    "auditlog",
    "pps",
    "cases",
    "consent",
    "safeguarding",
    "reports",
    "rights",
    "training",
    "staff",
    "documents",
    "imports",
    "demo",
]

MIDDLEWARE = [
    # First: every response, and every log line made on the way, carries the request's id.
    "pps.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (hashed names, compressed), answered before sessions or sign-in are looked at.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware and django-otp's OTPMiddleware in one: the person, their
    # second factor and their policy agreement in one query (pps.signed_in).
    "pps.signed_in.SignedInMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After sign-in, in this order: idle lock and 12-hour limit, second factor, policy agreement.
    "pps.middleware.SessionLimitsMiddleware",
    "pps.middleware.SecondFactorMiddleware",
    "pps.middleware.PolicyAgreementMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pps.middleware.AuditContextMiddleware",
    "pps.middleware.RequestScopeMiddleware",
    "pps.middleware.NoStoreMiddleware",
    "pps.middleware.PasswordChecksBusyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the "try again later" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pps.urls"
WSGI_APPLICATION = "pps.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # ``when``: the ``date`` filter's output, formatted faster (pps/templatetags/dates.py);
            # ``url``: Django's tag, each URL's shape reversed once a process (links.py).
            "builtins": ["pps.templatetags.dates", "pps.templatetags.links"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
FORM_RENDERER = "pps.forms.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'pps.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
# A read replica (a hot standby of the primary) for the statistics, when REPLICA_DATABASE_URL is
# set: pps.db_router sends the reports' reads there, and everything else to the primary.
if replica_url := env_str("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
PPS_READ_REPLICA = "replica" if "replica" in DATABASES else None


def parallel_workers(name: str, value: str | None, default: int) -> int | None:
    """A number of PostgreSQL parallel workers from the variable ``name`` (``default`` unless
    said), or None for ``server``: the server's (or a pooler's) own setting."""
    value = str(default) if value is None else value
    if value == "server":
        return None
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a number of workers or 'server', not {value!r}")
    return int(value)


def parallel_query_options(value: str | None) -> dict:
    """The connection options for ``DB_PARALLEL_WORKERS`` (PostgreSQL): 0 unless said.

    Pages ask for a few rows by index: a parallel plan's workers (several ms to start, a core
    each) are a loss on every page, and under load they take the cores other requests need.
    ``DB_PARALLEL_WORKERS=2`` gives them back; ``=server`` leaves the server's (or a pooler's)
    own setting. The replica's statistics always keep the server's own."""
    workers = parallel_workers("DB_PARALLEL_WORKERS", value, 0)
    return {} if workers is None else {"options": f"-c max_parallel_workers_per_gather={workers}"}


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        parallel_query_options(env_str("DB_PARALLEL_WORKERS"))
    )
#: The parallel workers the statistics may plan with on the primary (no replica), or None to
#: leave the connection's own (pps.db_router.reading_statistics).
PPS_STATISTICS_PARALLEL_WORKERS = parallel_workers(
    "DB_STATISTICS_PARALLEL_WORKERS", env_str("DB_STATISTICS_PARALLEL_WORKERS"), 2
)
DATABASE_ROUTERS = ["pps.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "pps.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out address or username is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
#: Argon2id at 32 MiB, 2 passes, 1 lane, and every hash within a machine-wide slot (pps.hashers).
PASSWORD_HASHERS = [
    "pps.hashers.Argon2PasswordHasher",
    "pps.hashers.PBKDF2PasswordHasher",
]
#: Password hashes worked out at once on this machine, by every process (pps.password_checks):
#: half the cores by default, so that sign-ins never take all of them.
PPS_PASSWORD_CHECKS_AT_ONCE = env_int("PPS_PASSWORD_CHECKS_AT_ONCE", password_checks.default_slots())
#: How long a sign-in waits for a slot before "too many people are signing in" (503).
PPS_PASSWORD_CHECK_WAIT_SECONDS = env_int("PPS_PASSWORD_CHECK_WAIT_SECONDS", 10)
#: Where the slots' lock files are: the same folder for every instance on the machine.
PPS_PASSWORD_SLOTS_DIR = env_str("PPS_PASSWORD_SLOTS_DIR") or password_checks.default_directory()
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Fast hashing in tests only; production always uses Argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Second factor (django-otp TOTP). Wrong codes wait 1, 2, 4, 8… seconds before the next try.
OTP_TOTP_ISSUER = "Parent Partnership casework"
OTP_TOTP_THROTTLE_FACTOR = 1

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:dashboard"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = 12 * 60 * 60
#: Child-protection files ask for the authenticator code again when the session last passed it
#: longer ago than this (pps.step_up; SECURITY control 22).
PPS_STEP_UP_MINUTES = env_int("PPS_STEP_UP_MINUTES", 15)
#: Statistics exports (CSV, XLSX, data file, printable report) one person may make in a minute.
PPS_STATISTICS_EXPORTS_PER_MINUTE = env_int("PPS_STATISTICS_EXPORTS_PER_MINUTE", 5)

# Imports of existing records (imports/): where uploads wait, encrypted, outside any public
# folder; the largest upload; whether a confirmed import runs in this thread (tests) or another.
IMPORTS_DIR = env_str("IMPORTS_DIR") or str(BASE_DIR / "var" / "imports")
IMPORTS_MAX_UPLOAD_BYTES = env_int("IMPORTS_MAX_UPLOAD_BYTES", 300 * 1024 * 1024)
IMPORTS_RUN_INLINE = env_bool("IMPORTS_RUN_INLINE", TESTING)
#: How long a senior manager who is not a designated lead may reach a case's child-protection
#: file after breaking glass on it (safeguarding.services.break_glass).
PPS_BREAK_GLASS_MINUTES = env_int("PPS_BREAK_GLASS_MINUTES", 60)

# Email: alerts to designated safeguarding leads (they hold no personal data). In the demo the
# messages are printed; in production set EMAIL_HOST and friends (Django's SMTP settings).
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env_str("EMAIL_HOST") or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "casework@localhost"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
#: Searches one person may run per minute (cases.views.parent_search); more get a 429 page.
PPS_SEARCHES_PER_MINUTE = env_int("PPS_SEARCHES_PER_MINUTE", 30)
#: Messages ("Contact logged.") wait in the server-side session, never in a cookie; they name no
#: parent or child either, as the session table is not encrypted.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
#: A password reset link works once, for 30 minutes (Django's default is 3 days; control 18).
PASSWORD_RESET_TIMEOUT = 30 * 60


#: A new member of staff's set-up link (staff.tokens) works once, for this many hours.
PPS_SET_UP_LINK_HOURS = env_int("PPS_SET_UP_LINK_HOURS", 72)


def cache_from_url(url: str | None) -> dict:
    """The shared cache from ``CACHE_URL``: ``redis://HOST:6379/0`` (``rediss://`` for TLS; a
    comma-separated list names the primary, which takes the writes, then its replicas) for
    Redis; unset or ``db://`` for a table of the database (``pps_shared_cache``, made by migration
    pps 0010: nothing to set up). Never a per-process memory cache, which would let each worker
    count the limits on its own."""
    if not url or url.strip() in ("db://", "db:"):
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pps_shared_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    if url.split("://", 1)[0] in ("redis", "rediss", "unix"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX") or "pps",
            # A Redis that stops answering fails the request in a second, rather than holding a worker.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    raise ImproperlyConfigured(
        "CACHE_URL must start with redis://, rediss:// or unix:// (a Redis server), or be db:// "
        "(a table of the database); leave it unset for the database."
    )


#: A cache shared by every worker process and server (``CACHE_URL``: Redis in production, the
#: database by default). It counts password reset requests per address (pps.password_reset),
#: searches per person (cases.views), statistics exports (reports.services) and CSP reports, and
#: (Redis only) keeps a copy of each session. Everything else shared between requests is in the
#: database: sessions, django-axes' failed sign-ins, the authenticator apps' throttling and
#: last-used codes.
CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}


def session_engine_for(cache: dict) -> str:
    """Sessions are read from Redis when the shared cache is Redis, and written through to the
    database, so that a Redis restart signs no one out; with the database cache, from the
    database alone (a cache read would be a query as well)."""
    if cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        return "pps.session_store"  # ``cached_db``, each copy read from Redis for 5 minutes at most
    return "django.contrib.sessions.backends.db"


SESSION_ENGINE = session_engine_for(CACHES["default"])

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
#: Where `manage.py collectstatic` (run by bin/serve) writes the files whitenoise serves.
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "var" / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cached by browsers for a year) and gzip copies. Tests read the source files.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# The demo and the tests serve the source files as they change; production the collected ones.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Files: static files as usual; documents attached to cases (documents.services) in their own
# storage, encrypted, under random names, never served by the web server. By default a folder
# outside static/ (PPS_DOCUMENTS_DIR, default var/documents); with PPS_DOCUMENTS_S3_BUCKET set, an
# S3-compatible object store through django-storages (see README, "Documents and letters").
PPS_DOCUMENTS_DIR = env_str("PPS_DOCUMENTS_DIR") or str(BASE_DIR / "var" / "documents")
PPS_DOCUMENTS_S3_BUCKET = env_str("PPS_DOCUMENTS_S3_BUCKET")
if PPS_DOCUMENTS_S3_BUCKET:
    DOCUMENTS_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": PPS_DOCUMENTS_S3_BUCKET,
            "endpoint_url": env_str("PPS_DOCUMENTS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("PPS_DOCUMENTS_S3_REGION") or None,
            "access_key": env_str("PPS_DOCUMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("PPS_DOCUMENTS_S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("PPS_DOCUMENTS_S3_PREFIX", "documents"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    DOCUMENTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": PPS_DOCUMENTS_DIR,
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
STORAGES["documents"] = DOCUMENTS_STORAGE
#: A ClamAV daemon that scans every file attached (documents.clamav), e.g. tcp://127.0.0.1:3310.
CLAMAV_URL = env_str("CLAMAV_URL") or ""

# Bad or huge input gets a 400, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Audit log: configured in one file; actors and addresses recorded; reads get ACCESS entries.
from pps.auditlog_settings import *  # noqa: E402,F403

# django-guardian: no anonymous user object; object permissions only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        # Browsers report what the policy blocked here (pps.csp_reports: logged without
        # personal data, rate-limited).
        "report-uri": ["/csp-report/"],
    }
}

#: Where publish_audit_head appends the audit chain head, and verify_audit_chain reads the heads
#: published (a file the database maintainer cannot edit).
PPS_AUDIT_HEADS_FILE = env_str("PPS_AUDIT_HEADS_FILE") or ""

# How many reverse proxies stand in front of the app (their X-Forwarded-For entries are trusted).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Failed sign-ins (django-axes, pps.sign_in_lockout): 5 wrong passwords for one username from one
# address lock that username from there for 15 minutes; an address alone is locked only at
# PPS_ADDRESS_FAILURE_LIMIT wrong passwords in those 15 minutes, so that one person cannot lock a
# whole office behind a shared address out. Never for ever: a permanent lock-out would let anyone
# lock staff out. A success clears the count. The address is worked out exactly as for the audit
# log (pps.requests.client_ip, from TRUSTED_PROXY_COUNT), so a forged X-Forwarded-For cannot
# choose it; the ipware settings say the same, should the callable ever be removed.
AXES_HANDLER = "pps.sign_in_lockout.LockoutHandler"
AXES_FAILURE_LIMIT = 5
PPS_ADDRESS_FAILURE_LIMIT = env_int("PPS_ADDRESS_FAILURE_LIMIT", 100)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A keyed hash of the typed username, never the text; no log of successes (pps.auth_log has them).
AXES_USERNAME_CALLABLE = "pps.sign_in_lockout.username_key"
AXES_DISABLE_ACCESS_LOG = True
AXES_SENSITIVE_PARAMETERS = ["username", "password", "ip_address", "account", "next"]
AXES_LOCKOUT_CALLABLE = "pps.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "pps.requests.client_ip"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]
)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers often check health over plain HTTP (pps.health).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    if TRUSTED_PROXY_COUNT:
        # Only a proxy of ours says whether the browser used HTTPS: without one, a client could
        # send X-Forwarded-Proto itself and pass a plain-HTTP request off as secure.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One JSON object per line on standard error, each with its request's id and nothing personal
# (pps.logs). LOG_FORMAT=text gives plain lines, for reading in a terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "pps.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "text" if env_str("LOG_FORMAT") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Sign-in events (pps.auth_log): kept at INFO whatever LOG_LEVEL says.
        "pps.auth": {"level": "INFO"},
        "pps.csp": {"level": "WARNING"},
        # One line per request (pps.logs); PPS_REQUEST_LOG=0 turns it off.
        "pps.request": {"level": "INFO" if env_bool("PPS_REQUEST_LOG", True) else "WARNING"},
        # Django's "Not Found: /path" lines repeat what the request line says, and the path can
        # hold typed text; errors (5xx) are still logged.
        "django.request": {"level": "ERROR"},
    },
}
