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

# The same mixed load with reads served by a streaming hot standby on this machine, stopped a third
# into the run and started again (target: 0 errors). Shorter: make load-replica DURATION=30 PARCELS=100000
.PHONY: load-replica
load-replica: bootstrap
	$(PY) bench/load_prepare.py --parcels $(or $(PARCELS),1000000)
	$(PY) bench/load_mixed.py --replica-restart --duration $(or $(DURATION),60) --min-parcels $(or $(PARCELS),1000000)

# National scale (BENCHMARKS.md, "National scale"): 20M synthetic parcels over ~3,200 UATs, imported
# in steps (1M, 5M, 20M) against ogr2ogr, reads over HTTP at each size; ~45-60 min, ~40 GB of disk
# while it runs (database, ogr2ogr's scratch table, the parcel files; removed at the end).
# Not part of `make test`. Rehearsal: make bench-national SIZES=100000,200000 PER_UAT=625
.PHONY: bench-national
bench-national: bootstrap
	$(PY) bench/national.py $(if $(SIZES),--sizes $(SIZES)) $(if $(PER_UAT),--per-uat $(PER_UAT))
