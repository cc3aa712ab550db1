"""Production: secrets, hosts and the database must come from the environment.

``python manage.py check --deploy --settings=prodcoord.settings.production``
reports no issues with SECRET_KEY (50+ random characters), ALLOWED_HOSTS and
DATABASE_URL set and the defaults below left alone.
"""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, SMTP_BACKEND, env, mailers_from_env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: refuse to start without one
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")  # no default either

# A production database is configured, never the embedded SQLite file.
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Mail really leaves the building: SMTP unless EMAIL_BACKEND says otherwise.
MAILERS = mailers_from_env(default_backend=SMTP_BACKEND)

# Served over HTTPS behind a proxy that sets X-Forwarded-Proto. HTTPS_ONLY=false
# exists only to try the production stack on a laptop over plain http.
HTTPS_ONLY = env.bool("HTTPS_ONLY", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
