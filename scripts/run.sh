#!/usr/bin/env bash
# Run prodcoord at http://$HOST:$PORT (default 127.0.0.1:8000;
# override with BIND_HOST and PORT) with its
# background work.
#
#   no CELERY_BROKER_URL   tasks run in process; `manage.py runperiodic` runs
#                          the periodic schedule next to the web server
#   CELERY_BROKER_URL set  a Celery worker and Celery beat run next to it
#
# SQLite (db.sqlite3) unless DATABASE_URL is set. DEBUG is off, as in production
# (the app's own error pages; static files through WhiteNoise): DEBUG=true for
# Django's debug pages while developing. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST="${BIND_HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-prodcoord.settings.local}"
export PYTHONUNBUFFERED=1

./scripts/bootstrap.sh
PY=.venv/bin/python

if [ -f .env ]; then
    echo "==> Reading settings from .env"
fi
# The settings read .env too; this makes CELERY_BROKER_URL/REDIS_URL from .env
# visible to the choice below.
broker="$($PY -c 'import django; django.setup(); from django.conf import settings; print("" if settings.CELERY_TASK_ALWAYS_EAGER else settings.CELERY_BROKER_URL)')"
database="$($PY -c 'import django; django.setup(); from django.db import connection; print(connection.vendor)')"

echo "==> Database: $database"
$PY manage.py migrate --no-input
# The demo plant and its logins; does nothing when the plant already has data.
PRODCOORD_ALLOW_SEED=1 $PY manage.py seed_demo

pids=()
stop() {
    trap - EXIT INT TERM
    if [ "${#pids[@]}" -gt 0 ]; then
        echo "==> Stopping background work (${pids[*]})"
        kill -TERM "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "$broker" ]; then
    mkdir -p var
    echo "==> Broker configured: starting a Celery worker and Celery beat"
    .venv/bin/celery -A prodcoord worker --loglevel=INFO --concurrency=2 &
    pids+=($!)
    .venv/bin/celery -A prodcoord beat --loglevel=INFO --schedule var/celerybeat-schedule &
    pids+=($!)
else
    echo "==> No broker configured: tasks run in process; starting the periodic runner"
    $PY manage.py runperiodic &
    pids+=($!)
fi

echo "==> prodcoord at http://$HOST:$PORT/  (Ctrl-C to stop)"
# Not exec: the EXIT trap must stop the background work when the server ends.
# --nostatic: WhiteNoise serves static files (and /favicon.ico) with DEBUG on or off.
$PY manage.py runserver "$HOST:$PORT" --noreload --nostatic &
pids+=($!)
wait "${pids[-1]}"
