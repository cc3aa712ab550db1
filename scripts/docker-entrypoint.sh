#!/usr/bin/env sh
# Container entry point: `web`, `worker`, `beat`, or any other command.
set -eu
cd /app

case "${1:-web}" in
    web)
        python manage.py migrate --no-input
        python manage.py collectstatic --no-input --verbosity 0
        exec gunicorn prodcoord.wsgi:application \
            --bind "0.0.0.0:${PORT:-8000}" \
            --workers "${GUNICORN_WORKERS:-2}" \
            --worker-class gthread \
            --threads "${GUNICORN_THREADS:-4}" \
            --timeout "${GUNICORN_TIMEOUT:-60}" \
            --access-logfile - \
            --access-logformat '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" [%({x-request-id}o)s]' \
            --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}"
        ;;
    worker)
        exec celery -A prodcoord worker --loglevel "${LOG_LEVEL:-INFO}" --concurrency "${CELERY_CONCURRENCY:-2}"
        ;;
    beat)
        exec celery -A prodcoord beat --loglevel "${LOG_LEVEL:-INFO}" --schedule /app/var/celerybeat-schedule
        ;;
    *)
        exec "$@"
        ;;
esac
