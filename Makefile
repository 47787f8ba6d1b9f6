# Everyday commands. `make run` and `make test` are the two a newcomer needs (see README).
PY := .venv/bin/python
export DEBUG ?= 1
export DEMO_MODE ?= 1
export PYTHONUNBUFFERED := 1

.PHONY: bootstrap run test test-fast lint bench db-stop backup restore fuzz

bootstrap:
	@scripts/bootstrap.sh

run: bootstrap
	@scripts/run.sh

test: bootstrap
	.venv/bin/ruff check .
	$(PY) -m mypy
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

test-fast:
	$(PY) -m pytest --reuse-db -x -q

# Long API fuzzing: schemathesis' coverage phase (boundary and negative values of every parameter) plus
# many random examples per operation, against the whole OpenAPI schema. `make test` runs a short pass.
fuzz: bootstrap
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-60} FUZZ_COVERAGE=1 FUZZ_RANDOM=1 $(PY) -m pytest tests/hardening/test_fuzz.py -q

# ruff and mypy with django-stubs / djangorestframework-stubs (pyproject.toml); `make test` runs both first.
lint:
	.venv/bin/ruff check .
	$(PY) -m mypy

bench: bootstrap
	$(PY) bench/run_all.py

db-stop:
	python3 -m gis_portal.devdb stop

# Backup and restore (README, "Backup and restore"): make backup [OUT=file.tar];
# make restore ARCHIVE=file.tar [DB=new_database] [MEDIA=/new/media/dir]
backup:
	$(PY) manage.py backup $(if $(OUT),--output $(OUT))

restore:
	@test -n "$(ARCHIVE)" || (echo "usage: make restore ARCHIVE=file.tar [DB=name] [MEDIA=dir]"; exit 2)
	$(PY) manage.py restore $(ARCHIVE) $(if $(DB),--database $(DB)) $(if $(MEDIA),--media-root $(MEDIA))

# Mixed load on the 1M-parcel county under gunicorn (BENCHMARKS.md, "Mixed load"); not part of `make test`.
.PHONY: load
load: bootstrap
	$(PY) bench/load_prepare.py
	$(PY) bench/load_mixed.py
