#!/usr/bin/env bash
# The whole check, in order:
#   1. ruff check . and the layer contract (lint-imports, pyproject.toml)
#   2. pytest on SQLite: everything except tests/integration
#   3. pytest on PostgreSQL + Redis: the whole suite, including
#      tests/integration (a real Celery worker against Redis)
#   4. the API against its OpenAPI schema: schemathesis on a live server
#      (scripts/api_conformance.sh; on PostgreSQL when reachable, else SQLite)
#
# Phase 3 uses TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test;
# pytest-django creates and drops test_<name>) and TEST_BROKER_URL (default
# redis://127.0.0.1:6379/0). When they are unreachable the phase is skipped
# with a message — except in CI (CI=true), where that is a failure.
#
# Both pytest runs are parallel (pytest-xdist, one process per core). Extra
# arguments go to both: `make test ARGS="-x -k progress"`, `ARGS=-n0` to run
# serially, or `./scripts/test.sh -x`.
#
# `./scripts/test.sh --record-query-counts [pytest args]` (`make
# test-record-queries`) instead re-records the exact query counts of the list
# pages and endpoints (tests/query_counts.json): only the tests that measure
# one, serially, on SQLite and then on PostgreSQL. No lint, nothing else.
set -uo pipefail
cd "$(dirname "$0")/.."

RECORD=0
if [ "${1:-}" = "--record-query-counts" ]; then
    RECORD=1
    shift
fi

TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
TEST_BROKER_URL="${TEST_BROKER_URL:-redis://127.0.0.1:6379/0}"
case "${CI:-}" in 1 | true | TRUE | True | yes) IN_CI=1 ;; *) IN_CI=0 ;; esac

./scripts/bootstrap.sh || exit 1
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=prodcoord.settings.test
export PYTHONDONTWRITEBYTECODE=1

banner() { printf '\n======== %s ========\n' "$*"; }

# pytest's own exit codes, with "no tests collected" (5) treated as a failure:
# a phase that silently ran nothing must not pass.
run_pytest() {
    local label="$1"
    shift
    "$PY" -m pytest "$@"
    local rc=$?
    case $rc in
        0) return 0 ;;
        5) echo "FAILED: $label collected no tests (pytest exit code 5)." >&2 ;;
        *) echo "FAILED: $label (pytest exit code $rc)." >&2 ;;
    esac
    return 1
}

if [ "$RECORD" = 1 ]; then
    # One process (the file is written at the end of the run), only the measuring tests.
    PYTEST_ARGS=(-n0 -m query_baseline --record-query-counts)
    WHAT="query counts"
else
    # One process per core; a file's tests stay in one process (--dist loadfile), so the
    # browser (per module) and the Celery worker (per session) start once per process that
    # uses them. Each process gets its own test database (test_<name>_gw0, …; on SQLite an
    # in-memory database per process). A later -n (e.g. ARGS=-n0) overrides this.
    PYTEST_ARGS=(-n auto --dist loadfile)
    WHAT="tests"

    banner "lint: ruff check ."
    .venv/bin/ruff check . || { echo "FAILED: ruff check" >&2; exit 1; }

    banner "layers: lint-imports (imports point down, docs/ARCHITECTURE.md)"
    .venv/bin/lint-imports --no-cache || { echo "FAILED: the layer contract is broken (lint-imports)" >&2; exit 1; }
fi

banner "$WHAT on SQLite (all but tests/integration)"
sqlite_rc=0
# Explicit values, so a developer's .env (read by the settings) cannot point
# this phase at another database or broker.
DATABASE_URL="sqlite:///$PWD/var/test.sqlite3" CELERY_BROKER_URL="" REDIS_URL="" \
    run_pytest "$WHAT on SQLite" "${PYTEST_ARGS[@]}" --ignore=tests/integration "$@" || sqlite_rc=1

banner "$WHAT on PostgreSQL + Redis (whole suite, including tests/integration)"
pg_rc=0
problems="$("$PY" - "$TEST_DATABASE_URL" "$TEST_BROKER_URL" <<'PYCODE'
import sys

import environ
import psycopg
import redis

db_url, broker_url = sys.argv[1], sys.argv[2]
db = environ.Env.db_url_config(db_url)


def connect(dbname):
    return psycopg.connect(
        host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
        password=db["PASSWORD"] or None, dbname=dbname, connect_timeout=3,
    )


try:
    try:
        connect(db["NAME"]).close()
    except psycopg.OperationalError as exc:
        # The tests create test_<name> through the server's "postgres" database
        # (as Django does); <name> itself need not exist.
        if "does not exist" not in str(exc):
            raise
        connect("postgres").close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {db_url} ({str(exc).strip().splitlines()[0]})")
try:
    redis.Redis.from_url(broker_url, socket_connect_timeout=3).ping()
except Exception as exc:
    print(f"Redis not reachable at {broker_url} ({exc})")
PYCODE
)"
if [ -n "$problems" ]; then
    if [ "$IN_CI" = 1 ]; then
        echo "FAILED: $problems" >&2
        echo "In CI (CI=true) the PostgreSQL + Redis phase is required." >&2
        pg_rc=1
    else
        echo "skipped: $problems"
        echo "  (start them, or point TEST_DATABASE_URL / TEST_BROKER_URL at yours, to run this phase)"
    fi
else
    DATABASE_URL="$TEST_DATABASE_URL" CELERY_BROKER_URL="$TEST_BROKER_URL" \
        run_pytest "$WHAT on PostgreSQL + Redis" "${PYTEST_ARGS[@]}" "$@" || pg_rc=1
fi

api_rc=0
if [ "$RECORD" = 0 ]; then
    banner "the API against its schema: schemathesis on a live server"
    if [ -n "$problems" ]; then
        ./scripts/api_conformance.sh || api_rc=1
    else
        ./scripts/api_conformance.sh "$TEST_DATABASE_URL" || api_rc=1
    fi
    [ $api_rc = 0 ] || echo "FAILED: the API does not answer as its schema says (scripts/api_conformance.sh)." >&2
fi

banner "result"
if [ "$RECORD" = 1 ]; then
    echo "Query counts recorded in tests/query_counts.json (review: git diff tests/query_counts.json)."
    [ -n "$problems" ] && echo "PostgreSQL counts were NOT recorded: $problems"
fi
[ $sqlite_rc = 0 ] && echo "SQLite phase: passed" || echo "SQLite phase: FAILED"
if [ -n "$problems" ] && [ "$IN_CI" = 0 ]; then
    echo "PostgreSQL + Redis phase: skipped"
else
    [ $pg_rc = 0 ] && echo "PostgreSQL + Redis phase: passed" || echo "PostgreSQL + Redis phase: FAILED"
fi
if [ "$RECORD" = 0 ]; then
    [ $api_rc = 0 ] && echo "API schema conformance: passed" || echo "API schema conformance: FAILED"
fi
[ $sqlite_rc = 0 ] && [ $pg_rc = 0 ] && [ $api_rc = 0 ]
