"""Settings, read from the environment. Bad values fail loudly at start-up.

Embedded default: SQLite in ``var/`` and Celery running tasks inline, so the demo needs no services.
Production: ``DATABASE_URL=postgresql://…``, ``CELERY_BROKER_URL=redis://…``, ``SECRET_KEY`` set and
``DEBUG`` off.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("SHOUHU_HOME", BASE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("SHOUHU_VAR", PROJECT_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


DEBUG = envbool("DEBUG", "false")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not envbool("SHOUHU_INSECURE_DEV_KEY", "false"):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (the demo and tests set "
            "SHOUHU_INSECURE_DEV_KEY=true to use a development-only key)."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "shouhu.regions",
    "shouhu.accounts",
    "shouhu.children",
    "shouhu.audit",
    "shouhu.escalation",
    "shouhu.visits",
    "shouhu.cases",
    "shouhu.referrals",
    "shouhu.assistance",
    "shouhu.documents",
    "shouhu.privacy",
    "shouhu.insight",
    "shouhu.imports",
    "shouhu.quarterly",
    "shouhu.exports",
    "shouhu.crosschecks",
    "shouhu.web",
    "shouhu.api",
    "shouhu.demo",
    "shouhu.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "shouhu.accounts.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",  # pages gzipped (BREACH: Django pads them, masks CSRF)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shouhu.accounts.sessions.SlidingSessionMiddleware",
    "shouhu.accounts.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "shouhu.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "shouhu.accounts.middleware.GrantsReadOnceMiddleware",
]

ROOT_URLCONF = "shouhu.urls"
WSGI_APPLICATION = "shouhu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
# The role that owns the tables (migrations, DDL, `shouhu db-roles`) when the application's own role
# (DATABASE_URL) only reads and writes rows (docs/security.md): the same database, another role.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # JIT slows the aggregate queries of dashboards without helping them.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "shouhu.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
# Expiry counts from the last request (inactivity signs out), pushed forward at most every five minutes
# (accounts/sessions.py), so that reading a page writes nothing.
SESSION_REFRESH_SECONDS = envint("SESSION_REFRESH_SECONDS", 300)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Account and web security (issue 6) -------------------------------------------------------------
# SHOUHU_PRODUCTION=true, behind HTTPS: secure cookies, HSTS and the redirect to HTTPS. The proxy in
# front must set X-Forwarded-Proto (and strip it from clients).
PRODUCTION = envbool("SHOUHU_PRODUCTION", "false")
SESSION_COOKIE_SECURE = PRODUCTION or envbool("SECURE_COOKIES", "false")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
SECURE_SSL_REDIRECT = PRODUCTION
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's check may come over plain HTTP
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(self), geolocation=(), microphone=(), payment=(), usb=()"
# Content-Security-Policy (django-csp): everything from this site, no inline script anywhere. The API
# docs page alone relaxes style-src (see api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Lock-out (django-axes): after SHOUHU_LOCKOUT_FAILURES failed sign-ins for one username from one
# address, that pair is locked for SHOUHU_LOCKOUT_MINUTES; `shouhu unlock-account USERNAME` ends it.
AUTHENTICATION_BACKENDS = [
    "shouhu.accounts.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("SHOUHU_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("SHOUHU_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "shouhu.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
# API tokens (django-rest-knox): stored hashed, expire after SHOUHU_API_TOKEN_HOURS, a few per user.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # a model's name, not a secret  # nosec B105
# knox's own migrations would create its unused table, with a foreign key that stops PostgreSQL from
# emptying the user table between tests; the token table is accounts' (migration 0003).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=envint("SHOUHU_API_TOKEN_HOURS", 12)),
    "TOKEN_LIMIT_PER_USER": envint("SHOUHU_API_TOKENS_PER_USER", 10),
    "AUTO_REFRESH": False,
}
# Two-factor sign-in (django-otp, TOTP): which roles must use it is in accounts/security.py.
OTP_TOTP_ISSUER = "Shouhu"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# WhiteNoise serves from the apps' folders until `collectstatic` fills STATIC_ROOT, then from there with
# the gzip copies collectstatic made (the apps' uncompressed originals would otherwise shadow them).
WHITENOISE_USE_FINDERS = not (STATIC_ROOT / "shouhu.css").is_file()
# Uploaded photos are private: kept outside any served directory, read only through a scoped view.
MEDIA_ROOT = Path(os.environ.get("SHOUHU_MEDIA", VAR_DIR / "private-media"))
MEDIA_URL = "/private-media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shouhu.accounts.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "shouhu.api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "shouhu.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # Views without a scope of their own are not throttled; the token endpoint ("auth") and the public
    # schema and docs pages ("anon") are (see the security block above).
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("SHOUHU_RATE_AUTH", "20/minute"),
        "anon": os.environ.get("SHOUHU_RATE_ANON", "120/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shouhu API",
    "DESCRIPTION": "守护 — child registry, scoped by jurisdiction. Token sign-in at /api/v1/auth/token/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Time alone changes categories (birthdays, months of detention); then visit schedules and the
    # children's-home checks are derived from the current categories.
    "visits-nightly": {"task": "shouhu.visits.tasks.nightly", "schedule": crontab(hour=2, minute=0)},
    # A 24-hour deadline cannot wait for the night: escalation (and the outbox) every quarter of an hour.
    "escalation-hourly": {"task": "shouhu.visits.tasks.hourly", "schedule": crontab(minute="*/15")},
    # The notification outbox: what a commit's own request to deliver missed (a broker outage), and
    # the retries that are due.
    "notifications-deliver": {"task": "shouhu.escalation.tasks.deliver_notifications", "schedule": 60.0},
    # The county's and the bureau's summary of the day, each morning.
    "notifications-digest": {
        "task": "shouhu.escalation.tasks.daily_digest",
        "schedule": crontab(hour=7, minute=30),
    },
}
SHOUHU_SMS_SENDER = os.environ.get("SHOUHU_SMS_SENDER", "shouhu.escalation.senders.LoggingSmsSender")
# Notification delivery (escalation/delivery.py): attempts before a notice counts as undeliverable
# (back-off 1, 2, 4, 8, then every 15 minutes: sixteen attempts span about three hours), and the time
# limit of each send in seconds.
NOTIFY_MAX_ATTEMPTS = envint("NOTIFY_MAX_ATTEMPTS", 16)
NOTIFY_SEND_TIMEOUT = envint("NOTIFY_SEND_TIMEOUT", 10)

# Retention (docs/security.md, "Consent and retention"). The access log is kept at least three years
# (PIPL records of processing); an archived child's file is anonymised CHILD_RETENTION_YEARS after archiving.
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", 3 * 365 + 90)
if AUDIT_RETENTION_DAYS < 3 * 365:
    raise ImproperlyConfigured(
        f"AUDIT_RETENTION_DAYS must be at least {3 * 365} days (3 years), not {AUDIT_RETENTION_DAYS}"
    )
CHILD_RETENTION_YEARS = envint("CHILD_RETENTION_YEARS", 10)
if CHILD_RETENTION_YEARS < 1:
    raise ImproperlyConfigured(f"CHILD_RETENTION_YEARS must be at least 1, not {CHILD_RETENTION_YEARS}")

# Field encryption (shouhu.children.crypto): ID numbers and phone numbers are encrypted at rest with
# SHOUHU_FIELD_KEY (32 random bytes, url-safe base64: `shouhu field-key` prints a new one). Without it the
# process refuses to start, except under the development-key switch (the demo), which makes a key once
# in var/field.key and reuses it, so that the demo's data stays readable between runs. Back the key up
# apart from the database: without it the encrypted fields cannot be read.
SHOUHU_FIELD_KEY = os.environ.get("SHOUHU_FIELD_KEY", "").strip()
if not SHOUHU_FIELD_KEY:
    if not envbool("SHOUHU_INSECURE_DEV_KEY", "false"):
        raise ImproperlyConfigured(
            "SHOUHU_FIELD_KEY is not set: ID and phone numbers are encrypted with it "
            "(`shouhu field-key` prints a new key; keep it with your backups)."
        )
    _field_key_file = VAR_DIR / "field.key"
    if not _field_key_file.exists():
        import base64 as _b64

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        try:
            _fd = os.open(_field_key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(_fd, "w") as _fh:
                _fh.write(_b64.urlsafe_b64encode(os.urandom(32)).decode("ascii"))
    SHOUHU_FIELD_KEY = _field_key_file.read_text().strip()
try:
    import base64 as _b64

    if len(_b64.urlsafe_b64decode(SHOUHU_FIELD_KEY.encode("ascii"))) != 32:
        raise ValueError
except ValueError as _exc:  # binascii.Error and UnicodeEncodeError are ValueErrors
    raise ImproperlyConfigured(
        "SHOUHU_FIELD_KEY must be 32 bytes in url-safe base64 (`shouhu field-key` prints one)"
    ) from _exc
# Rotating the field key (`shouhu rotate-field-key`, docs/operations.md): SHOUHU_FIELD_KEY is the new key,
# SHOUHU_FIELD_KEYS_OLD the previous ones (comma-separated); values are read with any of them and searched
# under each, and written with the new key only. Remove the old keys once the rotation has finished.
SHOUHU_FIELD_KEYS_OLD = [
    k.strip() for k in os.environ.get("SHOUHU_FIELD_KEYS_OLD", "").split(",") if k.strip()
]
for _old in SHOUHU_FIELD_KEYS_OLD:
    try:
        if len(_b64.urlsafe_b64decode(_old.encode("ascii"))) != 32:
            raise ValueError
    except ValueError as _exc:
        raise ImproperlyConfigured(
            "each key of SHOUHU_FIELD_KEYS_OLD must be 32 bytes in url-safe base64, separated by commas"
        ) from _exc
# Break the glass (shouhu.accounts.emergency): how long an emergency opening of a file lasts.
BREAK_GLASS_HOURS = envint("BREAK_GLASS_HOURS", 3)
if not 1 <= BREAK_GLASS_HOURS <= 24:
    raise ImproperlyConfigured(f"BREAK_GLASS_HOURS must be between 1 and 24, not {BREAK_GLASS_HOURS}")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # django-axes announces itself at every start of Django (each command, each worker): not a message.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}
