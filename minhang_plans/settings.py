"""Settings for the Minhang task-tracking dashboard.

Everything that differs between a laptop, CI and production comes from the
environment (see `.env.example`); the helpers in `env.py` refuse bad values.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_date, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# The suite runs with DEBUG off, like production; it only needs a stand-in key.
TESTING = "pytest" in sys.modules
DEBUG = env_bool("DEBUG", False)
_DEV_ONLY_KEY = "django-insecure-dev-only-key-never-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEV_ONLY_KEY if (DEBUG or TESTING) else None)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The district whose plans this deployment tracks (plans are identified by district, kind and years).
DISTRICT_NAME = env_str("DISTRICT_NAME", "闵行区")

# Demo accounts exist only when explicitly asked for (the quick start does).
DEMO_MODE = env_bool("DEMO_MODE", False)
# The demo's "today" (the quick start pins one inside the seed plans' year, so the first dashboard
# shows a plan in progress, not a year-old plan all red). Ignored outside demo mode.
DEMO_TODAY = env_date("DEMO_TODAY") if DEMO_MODE else None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "minhang_plans.apps.AxesConfig",  # django-axes, named in Chinese
    "csp",
    "tasks",
    "imports",
    "insights",
    "documents",  # 督查通报, 督办单, bulletin templates, PDF copies
    "accounts",  # security audit log, accounts page, password and session rules (等保 2.0)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_cas_ng",
    "django_q",  # django-q2: the job queue and schedules, in this database (ORM broker)
    "jobs",  # long work with a progress page; the worker's schedules
    "notifications",  # 站内消息 and the one sending interface (in-app + e-mail); reminders
    "supervision",  # 督办: 我的待办, 催办, 批示
    "yearend",  # 年终办结: final states, closing a plan, carry-over
    "trends",  # figures over time: status snapshots at each period's close, trends, the leader's cockpit
    "assessment",  # 考评: rule sets, unit scores traceable to events, rankings, burden
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the guard, so that its refusals carry the same headers as every page.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Refuses control characters, oversized and chunked bodies before the session or body is read.
    "minhang_plans.middleware.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Inside CommonMiddleware, which still turns a 404 into the slash redirect.
    "minhang_plans.middleware.DebugNotFoundMiddleware",
    # A POST-only address opened directly: the Chinese 405 page, not an empty one.
    "minhang_plans.middleware.MethodNotAllowedPageMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before CSRF, the first to read a body: anonymous uploads are refused unread.
    "minhang_plans.middleware.UploadGuardMiddleware",
    "minhang_plans.middleware.CacheControlMiddleware",
    # Idle/absolute session limits and the forced password change (reads only the session).
    "accounts.middleware.SessionSecurityMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A refused form that redirects keeps what was typed for the next page (minhang_plans/refill.py).
    "minhang_plans.refill.RefusedInputMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",  # Django's, reading the role with the account
]
# Password guessing: 5 failures for one username from one address lock that username there
# for 15 minutes; 30 failures from one address, whatever the usernames, lock the address.
# Attempts live in the database, so every app server sees them.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 30, minimum=1)  # ours: see login_throttle.py
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "minhang_plans.login_throttle.TwoLimitDatabaseHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# The client address (login_throttle.client_ip_address, through django-ipware): the
# X-Forwarded-For entry the proxy wrote, else REMOTE_ADDR. AXES_IPWARE_PROXY_COUNT counts the
# proxies that appended an address after the client's: 0 with deploy/nginx.conf, which writes
# the address it saw as the header's only entry. The app must only be reachable through it.
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0, minimum=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
AXES_CLIENT_IP_CALLABLE = "minhang_plans.login_throttle.client_ip_address"

# The pages need nothing from any other origin (no CDN, no fonts, no scripts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "minhang_plans.urls"
WSGI_APPLICATION = "minhang_plans.wsgi.application"
ASGI_APPLICATION = "minhang_plans.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tasks.context_processors.navigation",
                "accounts.context_processors.navigation",
                "supervision.context_processors.header_counts",  # 站内消息 and 我的待办 badges, one query
                "minhang_plans.refill.refused_input",
            ],
            # join_messages: a field's errors in one line without "。；" (minhang_plans/wording.py).
            "builtins": ["minhang_plans.wording"],
        },
    },
]

# Embedded SQLite by default (zero setup); DATABASE_URL=postgres://… for PostgreSQL.
_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db),
        conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise RuntimeError("DATABASE_URL must point to SQLite or PostgreSQL.")
# PG_JIT_OFF=0 on a PostgreSQL-compatible database without a `jit` parameter (信创 databases
# such as openGauss, PostgreSQL before 11): it would refuse every connection that sets it.
_pg_options: list[str] = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("PG_JIT_OFF", True):
    # The status queries' cost estimates exceed jit_above_cost, and PostgreSQL
    # would JIT-compile them again on every request: measured at city scale,
    # 3.5 of 5.3 s of the dashboard's heaviest query (bench/results/explain.md).
    _pg_options.append("-c jit=off")
# PostgreSQL's default (4) prices an index probe as a spinning disk's seek: joining a plan's few
# hundred tasks to their statuses and links, it scanned all 19,064 statuses and 27,779 links at
# city scale instead. 1.1 is the usual figure for SSDs and a working set in memory (the
# district's whole database is). Empty leaves the server's setting.
_random_page_cost = env_float("PG_RANDOM_PAGE_COST", 1.1, minimum=0.01)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _random_page_cost is not None:
    _pg_options.append(f"-c random_page_cost={_random_page_cost:g}")
# Prepared statements with generic plans. Under the soak (bench/soak.py --pg-statements), PostgreSQL
# spent 3.3 of its 4.7 ms per request planning the same few dozen statements again; prepared once
# per connection (psycopg's server-side binding, prepared at their second use) and planned once
# (plan_cache_mode), 0.7 ms, and the soak went from 88-100 to 114 req/s. Not at the first use:
# a migration's multi-statement SQL cannot be prepared, and runs once. PG_PREPARED_STATEMENTS=0 on
# a PostgreSQL-compatible database without plan_cache_mode (PostgreSQL before 12, some 信创 ones).
_prepared = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "PG_PREPARED_STATEMENTS", True
)
if _prepared:
    _pg_options.append("-c plan_cache_mode=force_generic_plan")
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
if _pg_options:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_pg_options)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing for a file database.
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# 等保 2.0 身份鉴别: at least 8 characters of 3 of the 4 classes, not containing the username,
# not one of the last 5 (accounts.validators keeps the history), plus Django's own checks.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "accounts.validators.UsernameNotContainedValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.PasswordHistoryValidator", "OPTIONS": {"count": 5}},
]
# A password older than this must be changed at the next login (0 turns expiry off).
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90, minimum=0)
# Security audit log: kept at least 180 days (网络安全法 Art. 21); a lower value refuses to start.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180, minimum=180)
# Two-factor sign-in (TOTP, django-otp): the roles that must use it, or everyone. The suite's
# personas sign in without it; tests/test_two_factor.py turns it on.
TWO_FACTOR_ROLES = env_list("TWO_FACTOR_ROLES", [] if TESTING else ["系统管理员", "安全管理员", "审计管理员"])
TWO_FACTOR_ALL = env_bool("TWO_FACTOR_ALL", False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "闵行区规划任务跟踪系统")

# Single sign-on (统一身份认证), only from the environment (accounts/sso.py). A sign-on maps to the
# local account of the same username; a new one gets no role and no unit.
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_ENABLED = bool(OIDC_OP_AUTHORIZATION_ENDPOINT)
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "") or None
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid profile email")
OIDC_USERNAME_CLAIM = env_str("OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_AUTHENTICATION_CALLBACK_URL = "security:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
CAS_SERVER_URL = env_str("CAS_SERVER_URL", "")
CAS_ENABLED = bool(CAS_SERVER_URL)
CAS_VERSION = env_str("CAS_VERSION", "3")
CAS_REDIRECT_URL = "security:home"
CAS_CREATE_USER = True
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("accounts.sso.OIDCBackend")
if CAS_ENABLED:
    AUTHENTICATION_BACKENDS.append("accounts.sso.CASBackend")
# -- LDAP sign-in (optional; accounts/ldap_config.py, requirements-ldap.txt) -----------------
# On when LDAP_SERVER_URI is set: the directory checks the password of the login form; the
# account is local, and a new one gets no role and no unit (the security admin assigns them).
from accounts.ldap_config import BACKEND as _LDAP_BACKEND  # noqa: E402
from accounts.ldap_config import ldap_settings as _ldap_settings  # noqa: E402

globals().update(_ldap_settings())
LDAP_ENABLED = bool(globals().get("AUTH_LDAP_SERVER_URI"))
if LDAP_ENABLED:
    AUTHENTICATION_BACKENDS.append(_LDAP_BACKEND)
# -- end LDAP ----------------------------------------------------------------------------------
# SSO deployments may turn local passwords off (the login form then signs nobody in).
LOCAL_PASSWORD_LOGIN = env_bool("LOCAL_PASSWORD_LOGIN", True)
if not LOCAL_PASSWORD_LOGIN:
    AUTHENTICATION_BACKENDS.remove("accounts.backends.ModelBackend")

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
# The UI is Simplified Chinese whatever the browser asks for (a German browser got English widgets).
LANGUAGES = [(LANGUAGE_CODE, "简体中文" if LANGUAGE_CODE == "zh-hans" else LANGUAGE_CODE)]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
# Chinese for third-party strings that ship no Chinese translation (django-axes, django-cas-ng).
LOCALE_PATHS = [BASE_DIR / "minhang_plans" / "locale"]
USE_TZ = True
# Date/datetime inputs render ISO (yyyy-mm-dd), which <input type="date"> needs (see formats/zh_Hans).
FORMAT_MODULE_PATH = "minhang_plans.formats"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests run with DEBUG off; they must not depend on a prior collectstatic.
WHITENOISE_MANIFEST_STRICT = not TESTING
# -- Files shared by every app server (attachments, job results) -------------------------
# Default: MEDIA_ROOT, on a filesystem every app server mounts (NFS). With S3_BUCKET set, an
# S3-compatible object store instead (django-storages; how on-premises object stores are
# reached), and the servers need no shared directory. Import originals, pending uploads and
# Word templates live in the database. Files are served only through the app (attachments).
S3_BUCKET = env_str("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        # STORAGES was first written with string values only, which fixed its inferred type.
        "OPTIONS": {  # type: ignore[dict-item]
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", ""),
            "region_name": env_str("S3_REGION", "us-east-1"),
            "location": env_str("S3_PREFIX", ""),
            # Path-style URLs: on-premises stores rarely have a DNS name per bucket.
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            # Never overwrite (names are random anyway); objects stay private.
            "file_overwrite": False,
            "default_acl": None,
            "verify": env_str("S3_CA_BUNDLE", "") or None,
        },
    }
# -- end shared files -----------------------------------------------------------------------

LOGIN_URL = "login"
# Each role's own start page (the security and audit administrators do not read tasks).
LOGIN_REDIRECT_URL = "security:home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after a working day of inactivity, and when the browser closes.
# Database sessions, read with SQL written once (accounts/session_store.py).
SESSION_ENGINE = "accounts.session_store"
# Django's fallback storage, which also notes a refusal (minhang_plans/refill.py).
MESSAGE_STORAGE = "minhang_plans.refill.MessageStorage"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=300)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
# Signed out after this long without a request, and this long after signing in whatever happens.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 8, minimum=1)

# Production hardening; a local quick start runs over plain HTTP with DEBUG on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# A refused form gets the product's Chinese 403 page (Django's own is English under DEBUG).
CSRF_FAILURE_VIEW = "minhang_plans.errors.csrf_failure"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Import limits (documented in the README): refused before anything is parsed.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000, minimum=10)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The first handler stops an upload once its files pass the largest allowed file (import or
# attachment); bodies over that plus 1 MiB are refused by Content-Length before being read.
FILE_UPLOAD_HANDLERS = [
    "minhang_plans.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", "") or None

# jieba's word table as JSON, read by the link suggestions (insights/segmenter.py): the offline
# bundle ships it here; elsewhere the first process that needs it writes it, where it can.
WORDS_CACHE_DIR = Path(env_str("WORDS_CACHE_DIR", "") or BASE_DIR / "var" / "words")

# Cached page fragments: keyed by the data version that database triggers bump on every
# write (tasks.DataVersion), so never stale. In-process memory, one cache per worker; a
# shared backend would also be correct, but must be flushed on deploy (templates change).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_ENTRIES", 2000, minimum=10)},
    }
}
# Compiled SQL of the status queries kept per worker (minhang_plans.compiled): building the
# status rule's expressions cost more than running them. 0 compiles every time.
COMPILED_SQL_ENTRIES = env_int("COMPILED_SQL_ENTRIES", 512, minimum=0)
# Per-task pieces of pages (rows, cockpit links) kept per worker under the task's version
# (tasks.selectors.row_reuse): a report then re-reads one task, not the page's hundred. 0 turns it off.
TASK_PIECE_ENTRIES = env_int("TASK_PIECE_ENTRIES", 5000, minimum=0)

# Progress reports: warning lights (三色预警) and attachments.
LIGHT_DUE_SOON_DAYS = env_int("LIGHT_DUE_SOON_DAYS", 30, minimum=0)
# Yellow when percent complete trails the share of time elapsed by more than this many points.
LIGHT_BEHIND_SCHEDULE_POINTS = env_int("LIGHT_BEHIND_SCHEDULE_POINTS", 15, minimum=0)
LIGHT_STAGNANT_PERIODS = env_int("LIGHT_STAGNANT_PERIODS", 3, minimum=2)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
ATTACHMENT_EXTENSIONS = env_list(
    "ATTACHMENT_EXTENSIONS", ["pdf", "docx", "xlsx", "doc", "xls", "jpg", "jpeg", "png", "txt", "zip"]
)
# An attachment's content must match its extension (minhang_plans/file_types.py); a zip-based one
# (docx, xlsx, pptx, zip) may declare at most this much uncompressed, in at most this many files.
ATTACHMENT_MAX_UNCOMPRESSED_BYTES = env_int("ATTACHMENT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024, minimum=1024)
ATTACHMENT_MAX_ZIP_MEMBERS = env_int("ATTACHMENT_MAX_ZIP_MEMBERS", 10000, minimum=1)
REMINDER_FROM_EMAIL = env_str("REMINDER_FROM_EMAIL", "duchashi@minhang.example")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
# The Date header in TIME_ZONE (+0800), not UTC written as "-0000" (Django's default).
EMAIL_USE_LOCALTIME = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

if TESTING:
    # Hashing passwords properly is slow by design; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_VERBOSE = False

# -- Background jobs, messages, reminders (apps jobs and notifications) ---------------------
# django-q2 with its ORM broker: the queue and the schedules are tables in DATABASES["default"],
# so neither the quick start nor production runs another server. `manage.py qcluster` is the
# worker (`make run` starts it; deploy/systemd/minhang-worker.service in production). Several
# workers may run at once, on several servers: each queued job is claimed by one of them (an
# UPDATE that only one can win), the scheduler locks the schedules (SELECT … FOR UPDATE on
# PostgreSQL), and every message is sent at most once per event and recipient (a unique key).
JOB_TIMEOUT_SECONDS = env_int("JOB_TIMEOUT_SECONDS", 1800, minimum=60)
Q_CLUSTER = {
    "name": "minhang",
    "orm": "default",
    "workers": env_int("JOB_WORKERS", 2, minimum=1),
    "timeout": JOB_TIMEOUT_SECONDS,
    # Longer than the timeout: a job still running is never handed to a second worker.
    "retry": JOB_TIMEOUT_SECONDS + 120,
    "max_attempts": 1,
    # A worker that was down runs each missed schedule once, not once per missed day.
    "catch_up": False,
    "poll": 2,
    "save_limit": 1000,
    "label": "后台任务",
}
# Finished jobs' files (the ledger built in the background) are kept this many days.
JOB_FILE_DAYS = env_int("JOB_FILE_DAYS", 7, minimum=1)
# Reporting deadline, until plans carry their own window: this day of the period's last month.
REPORT_DUE_DAY = env_int("REPORT_DUE_DAY", 25, minimum=1)
# Reminders go out this many working days before the deadline (N) to the liaisons of units that
# have not reported; after the deadline they are escalated to the liaisons, and this many more
# working days later (M) to the tasks' lead leaders and the office, as one digest each.
REMINDER_WORKDAYS_BEFORE = env_int("REMINDER_WORKDAYS_BEFORE", 3, minimum=0)
ESCALATION_WORKDAYS_AFTER = env_int("ESCALATION_WORKDAYS_AFTER", 3, minimum=1)
# When the daily jobs run (local time), and the weekday of the office's weekly digest (1 = Monday).
REMINDER_HOUR = env_int("REMINDER_HOUR", 8, minimum=0)
WEEKLY_DIGEST_WEEKDAY = env_int("WEEKLY_DIGEST_WEEKDAY", 1, minimum=1)
if REPORT_DUE_DAY > 28 or WEEKLY_DIGEST_WEEKDAY > 7 or REMINDER_HOUR > 23:
    raise ImproperlyConfigured("REPORT_DUE_DAY must be 1–28, WEEKLY_DIGEST_WEEKDAY 1–7, REMINDER_HOUR 0–23.")
# Messages are e-mailed through Django's mail backend (console in the quick start).
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", REMINDER_FROM_EMAIL)
# The site's address in e-mailed links (the worker has no request to build it from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
