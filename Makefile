# prodcoord — the two commands a new user needs:
#
#   make run    set up .venv, migrate, load demo data, serve http://127.0.0.1:8000
#               with background work (periodic runner, or Celery worker + beat
#               when CELERY_BROKER_URL is set)
#   make test   set up .venv, lint, test on SQLite, then on PostgreSQL + Redis
#
# Everything else is a helper. The logic lives in scripts/.

.DEFAULT_GOAL := help
.PHONY: help bootstrap run test test-record-queries lint format clean

help:
	@echo "make run     run prodcoord at http://127.0.0.1:8000 (demo logins in README.md)"
	@echo "make test    lint + full test suite (SQLite, then PostgreSQL + Redis + worker)"
	@echo "make test-record-queries  re-record the exact query counts (tests/query_counts.json)"
	@echo "make lint    ruff check + format check"
	@echo "make format  ruff format + autofix"
	@echo "make clean   remove .venv, caches and the local SQLite database"

bootstrap:
	@./scripts/bootstrap.sh

run:
	@./scripts/run.sh

test:
	@./scripts/test.sh $(ARGS)

test-record-queries:
	@./scripts/test.sh --record-query-counts $(ARGS)

lint: bootstrap
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: bootstrap
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

clean:
	rm -rf .venv .pytest_cache .ruff_cache staticfiles var db.sqlite3 db.sqlite3-wal db.sqlite3-shm
