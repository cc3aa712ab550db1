"""Settings shared by every environment.

Everything that differs between machines comes from the environment (see the
README's "Configuration" table). With nothing configured prodcoord runs on a
SQLite file and executes background tasks in process.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# An empty SECRET_KEY (as in a fresh copy of .env.example) means "not set" here; production requires one.
SECRET_KEY = env("SECRET_KEY", default="") or "insecure-development-key-change-me"
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the app: the docs work without internet access
    "django_htmx",
    # bottom layer: cross-cutting core, event log
    "prodcoord.core",
    "prodcoord.events",
    # domain apps, in layer order (bottom to top; docs/ARCHITECTURE.md)
    "plant",
    "materials",
    "workorders",
    "planning",
    "reports",
    # demo and benchmark plants: stands apart, no domain app imports it
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "prodcoord.core.idempotency.IdempotencyKeyMiddleware",
]

ROOT_URLCONF = "prodcoord.urls"
WSGI_APPLICATION = "prodcoord.wsgi.application"

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
                "prodcoord.core.context_processors.plant",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the periodic runner share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = ["prodcoord.core.auth.RoleBackend"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Timestamps are stored in UTC; the plant's own clock decides shifts and dates.
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
PLANT_TIME_ZONE = env("PLANT_TIME_ZONE", default="America/Chicago")
TIME_ZONE = PLANT_TIME_ZONE
PLANT_NAME = env("PLANT_NAME", default="prodcoord")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- E-mail (notifications) -----------------------------------------------------
# Django's MAILERS setting, built from the EMAIL_* environment variables: the
# console here, SMTP in production (or wherever EMAIL_BACKEND says so).
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def mailers_from_env(*, default_backend):
    backend = env("EMAIL_BACKEND", default=default_backend)
    mailer = {"BACKEND": backend}
    if backend == SMTP_BACKEND:
        mailer["OPTIONS"] = {
            "host": env("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=25),
            "username": env("EMAIL_HOST_USER", default=""),
            "password": env("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            "use_ssl": env.bool("EMAIL_USE_SSL", default=False),
            # A slow mail server must not hold a worker for minutes.
            "timeout": env.int("EMAIL_TIMEOUT", default=30),
        }
    return {"default": mailer}


MAILERS = mailers_from_env(default_backend="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="prodcoord@localhost")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["prodcoord.core.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "prodcoord.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "prodcoord.core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "prodcoord API",
    "DESCRIPTION": "Production tracking for manufacturing plants: work orders, schedule, holds, materials.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {},
}

# --- Background work ----------------------------------------------------------
# No broker configured: tasks run in process (eagerly). With a broker, a real
# worker runs them, and beat runs the periodic schedule below.
_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = not _BROKER_URL
# With no broker the in-memory transport stands in, so Celery never goes looking for one.
CELERY_BROKER_URL = _BROKER_URL or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = PLANT_TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not fail the request that queued the work.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}

CELERY_BEAT_SCHEDULE = {
    "purge-idempotency-keys": {
        "task": "prodcoord.core.tasks.idempotency_keys_purge_task",
        "schedule": crontab(minute=17),
    },
    "flag-overdue-work-orders": {
        "task": "workorders.tasks.work_orders_flag_overdue_task",
        "schedule": crontab(minute="*/15"),
    },
}

# How long an Idempotency-Key is remembered.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own "django" logger prints to the console when DEBUG is on;
        # everything goes through the root handler instead, so each line appears once.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Cache, API tokens, the cost of a request (docs/PERFORMANCE.md) ----------------------
# Django's cache holds each user with their permissions, keyed by the auth stamp (prodcoord.core.auth):
# local memory in each process unless CACHE_URL (or else REDIS_URL) names a shared one. Correct either
# way — the stamp is read from the database on every request; a shared cache only saves each process
# its own first read after a change.
_CACHE_URL = env("CACHE_URL", default="") or env("REDIS_URL", default="")


def cache_from_url(url):
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "prodcoord"}
    backend = "django.core.cache.backends.redis.RedisCache" if url.startswith(("redis", "rediss")) else None
    config = environ.Env.cache_url_config(url, backend=backend)
    config.setdefault("KEY_PREFIX", env("CACHE_KEY_PREFIX", default="prodcoord"))
    return config


CACHES = {"default": cache_from_url(_CACHE_URL)}

# API tokens stop working this many days after they were issued (0: never); POST /api/v1/auth/token/
# gives a new one once the old has expired, POST /api/v1/auth/token/rotate/ replaces it at any time.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)
# PostgreSQL: the work-order list's page statement is prepared once per connection (off for a
# pooler that cannot keep prepared statements, e.g. PgBouncer in transaction mode before 1.21).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "prodcoord.core.auth.ExpiringTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
