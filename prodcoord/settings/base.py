"""Settings shared by every environment.

Everything that differs between machines comes from the environment (see the
README's "Configuration" table). With nothing configured prodcoord runs on a
SQLite file and executes background tasks in process.
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP

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
    "axes",  # failed logins and lockouts (the security block below)
    # bottom layer: cross-cutting core, event log, outbox
    "prodcoord.core",
    "prodcoord.events",
    "prodcoord.outbox",
    "prodcoord.notifications",
    # domain apps, in layer order (bottom to top; docs/ARCHITECTURE.md)
    "plant",
    "materials",
    "workorders",
    "planning",
    "coordination",
    "reports",
    # demo and benchmark plants: stands apart, no domain app imports it
    "demo",
]

MIDDLEWARE = [
    "prodcoord.core.request_id.RequestIdMiddleware",
    "prodcoord.outbox.relay.HandOverAfterResponseMiddleware",  # follow-ups go to the broker after the response
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "prodcoord.core.sessions.IdleSessionMiddleware",
    "prodcoord.core.floor_access.FloorOnlyMiddleware",  # operators reach floor mode only
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "prodcoord.core.idempotency.IdempotencyKeyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into its answer
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
                "prodcoord.core.navigation.navigation",
                "prodcoord.notifications.context_processors.notifications",
                "coordination.context_processors.handover_banner",
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

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before any password is checked
    "prodcoord.core.auth.RoleBackend",
    "prodcoord.core.badges.BadgePinBackend",  # floor mode: badge number and PIN
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Timestamps are stored in UTC; the plant's own clock decides shifts and dates.
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
PLANT_TIME_ZONE = env("PLANT_TIME_ZONE", default="America/Chicago")
# The window a work order's due date and planned start/end must fall in, in years around
# today's plant date (a typo such as 1926 or 9999 is refused, in the pages and the API).
PLAN_DATES_YEARS_BACK = env.int("PLAN_DATES_YEARS_BACK", default=2)
PLAN_DATES_YEARS_AHEAD = env.int("PLAN_DATES_YEARS_AHEAD", default=5)
TIME_ZONE = PLANT_TIME_ZONE
PLANT_NAME = env("PLANT_NAME", default="prodcoord")
# How often the board and a work order's page ask whether anything changed (seconds).
BOARD_REFRESH_SECONDS = env.int("BOARD_REFRESH_SECONDS", default=10)
# The morning brief is generated and e-mailed once a morning, at the first run of its periodic
# task at or after this hour on the plant's clock (0–23): after the night shift has ended.
MORNING_BRIEF_HOUR = env.int("MORNING_BRIEF_HOUR", default=6)
# Where people reach the site: the links of e-mails (the morning brief's) start with it.
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served at the site's root by WhiteNoise: /favicon.ico, which browsers and other tools ask for
# whatever a page links (the pages link static/icons/favicon.svg too).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

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
        "prodcoord.core.api.renderers.BrowsableAPIRenderer",
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

# --- API input limits -----------------------------------------------------------
# What one API request may carry. Each refusal is a 400 or 413 that names the limit;
# docs/API.md lists them. The pages' forms keep Django's own DATA_UPLOAD_* limits.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1_048_576)  # 413 above this
# Django refuses a larger body on its own (a 400 page) before the API can answer 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(2_621_440, API_MAX_BODY_BYTES)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=20)  # arrays and objects inside each other
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=500)  # ?page_size=
# Lines per BOM and steps per routing, whoever writes them (the API, imports, seed_plant).
BOM_MAX_LINES = env.int("BOM_MAX_LINES", default=1000)
ROUTING_MAX_STEPS = env.int("ROUTING_MAX_STEPS", default=500)
# Rows per schedule upload (POST schedule/bulk/): 400 on ``entries`` above it.
SCHEDULE_BULK_MAX_ROWS = env.int("SCHEDULE_BULK_MAX_ROWS", default=5000)
# The API reads JSON bodies only (the pages keep their forms).
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = ["prodcoord.core.api.parsers.JSONParser"]
# Refuses an over-long body or path before anything reads it (the Idempotency-Key middleware does).
MIDDLEWARE.insert(
    MIDDLEWARE.index("prodcoord.core.idempotency.IdempotencyKeyMiddleware"),
    "prodcoord.core.api.limits.ApiRequestLimitsMiddleware",
)

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
# Follow-up work reaches the broker through the outbox relay, over a connection
# with short timeouts of its own (OUTBOX_BROKER_TIMEOUT below).
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
    "refresh-attainment": {
        "task": "reports.tasks.attainment_refresh_task",
        "schedule": crontab(minute="*/5"),
    },
    "relay-outbox": {
        "task": "prodcoord.outbox.tasks.outbox_relay_task",
        "schedule": crontab(minute="*"),
    },
    "action-item-digests": {
        "task": "coordination.tasks.action_items_digest_task",
        "schedule": crontab(minute=5),
    },
    "notification-digests": {
        "task": "prodcoord.notifications.tasks.notifications_digest_task",
        "schedule": crontab(minute=1),
    },
    "net-shortages": {
        "task": "planning.tasks.shortages_net_task",
        "schedule": crontab(minute="*/15"),
    },
    "purge-outbox": {
        "task": "prodcoord.outbox.tasks.outbox_messages_purge_task",
        "schedule": crontab(minute=43),
    },
    "morning-brief": {
        "task": "reports.tasks.morning_brief_scheduled_task",
        "schedule": crontab(minute="*/10"),
    },
}

# --- Coordination (coordination/) -----------------------------------------------
# The plant-time hour from which each owner of open action items gets their one daily digest e-mail.
ACTION_ITEMS_DIGEST_HOUR = env.int("ACTION_ITEMS_DIGEST_HOUR", default=6)

# Shortage netting (planning/shortages.py): shortages needed within this many days of today are
# escalated (planners and the coordinators of the order's departments are notified, once); a change
# waits this many seconds for others before the debounced netting run (0: at once, still coalescing
# changes made while a run is pending; more: the minute's outbox relay picks it up).
SHORTAGE_ESCALATION_HORIZON_DAYS = env.int("SHORTAGE_ESCALATION_HORIZON_DAYS", default=3)
SHORTAGE_DEBOUNCE_SECONDS = env.int("SHORTAGE_DEBOUNCE_SECONDS", default=0)
# --- The outbox (prodcoord/outbox) ----------------------------------------------
# Follow-up work is a row written in the change's transaction; the relay hands it
# to the broker after the commit (or runs it in process with no broker), and the
# periodic relay picks up whatever is still pending. docs/ARCHITECTURE.md.
# Seconds to connect to the broker and for each of its replies when handing work over.
OUTBOX_BROKER_TIMEOUT = env.float("OUTBOX_BROKER_TIMEOUT", default=0.5)
# After the broker failed a hand-over, a process leaves it alone this long (seconds);
# new follow-ups wait, pending, for the periodic relay.
OUTBOX_BROKER_PAUSE_SECONDS = env.int("OUTBOX_BROKER_PAUSE_SECONDS", default=30)
# A message handed over and not done after this long (seconds) is handed over again.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=600)
# Hand-overs before a message is marked failed.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
# Messages the periodic relay claims at once.
OUTBOX_RELAY_BATCH_SIZE = env.int("OUTBOX_RELAY_BATCH_SIZE", default=500)
# Done messages are kept this many days, then purged.
OUTBOX_KEEP_DONE_DAYS = env.int("OUTBOX_KEEP_DONE_DAYS", default=7)

# How long an Idempotency-Key is remembered.
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# How long a key stays claimed by a request that has not answered: after that the request is
# taken for crashed or timed out and a retry runs. Longer than any request may run (GUNICORN_TIMEOUT).
IDEMPOTENCY_KEY_LEASE_SECONDS = env.int("IDEMPOTENCY_KEY_LEASE_SECONDS", default=90)

# --- Security: headers, login lockout, API rate limits, idle sessions ----------------
# Content-Security-Policy (Django's own middleware): no inline script or style, nothing from
# another origin. The pages keep their script in static/js/ and draw without style="" attributes.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
}
# Permissions-Policy (django-permissions-policy): no page needs any of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

# Failed logins (django-axes) on the login page, the admin login and the token endpoint: after
# LOGIN_FAILURE_LIMIT failures for one username from one address, that pair waits LOGIN_LOCKOUT_MINUTES.
# By the pair, so one person's typos on a shared floor tablet lock neither the tablet nor the account
# elsewhere. Recorded in the database, so every web process sees them.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures only: successful logins are not written down
AXES_LOCKOUT_CALLABLE = "prodcoord.core.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "prodcoord.core.api.throttling.client_address"
# A failure's log line (WARNING, logger "axes") names the username and address; passwords are never logged.
AXES_SENSITIVE_PARAMETERS = ["pin"]  # floor mode's PIN field
AXES_VERBOSE = False  # no banner at every start

# API rate limits (DRF throttles, 429 + Retry-After): the token endpoint per client address, writes
# per user. An empty rate turns that limit off. NUM_PROXIES: how many proxies stand in front (their
# X-Forwarded-For names the client); 0 trusts only the connection's own address.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["prodcoord.core.api.throttling.WriteRateThrottle"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "token": env("API_THROTTLE_TOKEN_RATE", default="10/minute") or None,
    "write": env("API_THROTTLE_WRITE_RATE", default="600/minute") or None,
}
REST_FRAMEWORK["NUM_PROXIES"] = env.int("NUM_PROXIES", default=0)

# A browser session ends after this many minutes without a request (shared floor tablets); 0: never.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
# Floor mode (badge and PIN on a shared tablet) signs a person out sooner: after this many seconds
# without a request or a touch on the page; 0: never.
FLOOR_IDLE_TIMEOUT_SECONDS = env.int("FLOOR_IDLE_TIMEOUT_SECONDS", default=300)
# Wrong PINs from one address (any badges) before that address waits FLOOR_PIN_LOCKOUT_MINUTES:
# django-axes locks one badge after LOGIN_FAILURE_LIMIT; this stops trying many badges in turn.
FLOOR_PIN_ADDRESS_LIMIT = env.int("FLOOR_PIN_ADDRESS_LIMIT", default=20)
FLOOR_PIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
# The wall display reloads its figures this often (seconds).
WALL_DISPLAY_REFRESH_SECONDS = env.int("WALL_DISPLAY_REFRESH_SECONDS", default=30)

# Every line names the request (or task) it belongs to: prodcoord/core/request_id.py.
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
CELERY_WORKER_LOG_FORMAT = "[%(asctime)s: %(levelname)s/%(processName)s] [%(request_id)s] %(message)s"
CELERY_WORKER_TASK_LOG_FORMAT = (
    "[%(asctime)s: %(levelname)s/%(processName)s] [%(request_id)s] %(task_name)s[%(task_id)s]: %(message)s"
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "prodcoord.core.request_id.RequestIdFilter"}},
    "formatters": {"line": {"format": LOG_FORMAT}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own "django" logger prints to the console when DEBUG is on;
        # everything goes through the root handler instead, so each line appears once.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # runserver's access lines, with the request id like every other line.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # Failed logins and lockouts are warnings; its INFO lines (every successful login) are noise.
        "axes": {"level": "WARNING"},
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
