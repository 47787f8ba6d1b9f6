#!/usr/bin/env bash
# Migrate, load the demo county when the database is empty, then serve the web app and the
# background worker until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py migrate --noinput -v0
$PY manage.py signing_demo_cert
$PY manage.py collectstatic --noinput -v0
$PY manage.py demo_setup
echo
echo "Portal: http://127.0.0.1:8000/   API docs: http://127.0.0.1:8000/api/v1/docs/"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
if $PY manage.py help procrastinate >/dev/null 2>&1; then
  $PY manage.py procrastinate worker --concurrency 4 &
  pids+=($!)
fi
.venv/bin/gunicorn -c scripts/gunicorn.conf.py gis_portal.wsgi --bind 127.0.0.1:8000 &
pids+=($!)
wait -n "${pids[@]}"
