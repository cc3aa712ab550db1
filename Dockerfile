# prodcoord — one image for the web server, the Celery worker and Celery beat.
#   docker compose up            (see docker-compose.yml and .env.example)
#   docker run IMAGE web|worker|beat|<any command>
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=prodcoord.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 prodcoord

# Dependencies first, so code changes do not reinstall them.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
RUN pip install --no-deps . \
    && mkdir -p /app/staticfiles /app/var \
    && chown -R prodcoord:prodcoord /app/staticfiles /app/var

USER prodcoord
EXPOSE 8000
ENTRYPOINT ["/app/scripts/docker-entrypoint.sh"]
CMD ["web"]
