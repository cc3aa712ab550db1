#!/usr/bin/env bash
# The REST API against its own OpenAPI schema: schemathesis sends generated
# requests (valid and invalid) to every operation of a live server and checks
# that no answer is a server error and that each answer's status code, content
# type and body are the ones the schema documents.
#
#   ./scripts/api_conformance.sh [DATABASE_URL]
#
# DATABASE_URL: PostgreSQL (postgres://…/NAME; the run uses a fresh database
# NAME_api_conformance, dropped afterwards) or nothing, for a SQLite file under
# var/. The server is gunicorn on a free port of 127.0.0.1 with a demo plant
# (seed_demo) and the demo superuser's token. Bounded: SCHEMATHESIS_MAX_EXAMPLES
# examples per operation (25), a fixed SCHEMATHESIS_SEED; a JUnit report goes to
# var/api-conformance/. Exit code: schemathesis's (0 only with zero failures).
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-25}"
SEED="${SCHEMATHESIS_SEED:-20261201}"
REPORT_DIR=var/api-conformance
mkdir -p var "$REPORT_DIR"

export DJANGO_SETTINGS_MODULE=prodcoord.settings.test
export PYTHONDONTWRITEBYTECODE=1
# Tasks in process; nothing of the developer's .env decides where this runs.
export CELERY_BROKER_URL="" REDIS_URL="" CELERY_TASK_ALWAYS_EAGER=true

SOURCE_URL="${1:-}"
DROP_DB=""
if [ -n "$SOURCE_URL" ]; then
    DATABASE_URL="$("$PY" - "$SOURCE_URL" <<'PYCODE'
import sys

import environ
import psycopg
from psycopg import sql

url = sys.argv[1]
db = environ.Env.db_url_config(url)
name = f"{db['NAME']}_api_conformance"
with psycopg.connect(
    host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
    password=db["PASSWORD"] or None, dbname="postgres", autocommit=True, connect_timeout=5,
) as conn:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
base, _, _ = url.rpartition("/")
print(f"{base}/{name}")
PYCODE
)" || { echo "FAILED: could not create the API conformance database" >&2; exit 1; }
    DROP_DB="$SOURCE_URL"
else
    rm -f var/api-conformance.sqlite3*
    DATABASE_URL="sqlite:///$PWD/var/api-conformance.sqlite3"
fi
export DATABASE_URL

SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ -n "$DROP_DB" ]; then
        "$PY" - "$DROP_DB" <<'PYCODE'
import sys

import environ
import psycopg
from psycopg import sql

db = environ.Env.db_url_config(sys.argv[1])
with psycopg.connect(
    host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
    password=db["PASSWORD"] or None, dbname="postgres", autocommit=True, connect_timeout=5,
) as conn:
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(f"{db['NAME']}_api_conformance")))
PYCODE
    fi
}
trap cleanup EXIT

echo "==> database, demo plant and token"
"$PY" manage.py migrate -v0 || exit 1
PRODCOORD_ALLOW_SEED=1 "$PY" manage.py seed_demo --seed 7 >/dev/null || exit 1
TOKEN="$("$PY" manage.py createtoken admin)" || exit 1

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
echo "==> gunicorn on 127.0.0.1:$PORT"
# The server's own log (each 4xx is a warning line) goes to a file, not into the test output.
# No request-line limit (gunicorn's default answers 414 itself past 4094 bytes): generated
# requests with overlong paths and query strings reach the application, whose answer to
# them is what the schema documents and what this run checks.
.venv/bin/gunicorn prodcoord.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
    --limit-request-line 0 \
    --access-logfile /dev/null >"$REPORT_DIR/server.log" 2>&1 &
SERVER_PID=$!

# Every operation but the token rotation, which would revoke the very token the run sends
# (tests/core/test_api_tokens.py covers it).
echo "==> schemathesis: $MAX_EXAMPLES examples per operation, seed $SEED"
started=$SECONDS
.venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/schema/" \
    --wait-for-schema 30 \
    --header "Authorization: Token $TOKEN" \
    --exclude-path /api/v1/auth/token/rotate/ \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --workers 2 \
    --request-timeout 30 \
    --generation-database none \
    --suppress-health-check all \
    --no-color \
    --report junit --report-junit-path "$REPORT_DIR/junit.xml"
rc=$?
echo "==> schemathesis finished in $((SECONDS - started)) s (exit code $rc)"
if grep -q "Internal Server Error\|Traceback" "$REPORT_DIR/server.log" 2>/dev/null; then
    echo "The server logged errors; see $REPORT_DIR/server.log" >&2
    rc=1
fi
exit $rc
