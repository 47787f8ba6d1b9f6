# Everyday commands. `make run` and `make test` are the two a newcomer needs (see README).
PY := .venv/bin/python
export DEBUG ?= 1
export DEMO_MODE ?= 1
export PYTHONUNBUFFERED := 1

.PHONY: bootstrap run test test-fast lint bench db-stop backup restore

bootstrap:
	@scripts/bootstrap.sh

run: bootstrap
	@scripts/run.sh

test: bootstrap
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

test-fast:
	$(PY) -m pytest --reuse-db -x -q

lint:
	.venv/bin/ruff check .

bench: bootstrap
	$(PY) bench/run_all.py

db-stop:
	python3 -m gis_portal.devdb stop
