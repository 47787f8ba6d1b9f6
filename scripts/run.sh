#!/usr/bin/env bash
# Migrate, load the demo county when the database is empty, then serve the web app and the
# background worker until Ctrl-C. Each process is supervised: if one exits (a crash, an OOM kill),
# it is started again after a short pause, and the other keeps running.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py migrate --noinput -v0
$PY manage.py signing_demo_cert
$PY manage.py collectstatic --noinput -v0
$PY manage.py demo_setup
echo
PORT=${PORT:-8000}
echo "Portal: http://127.0.0.1:$PORT/   API docs: http://127.0.0.1:$PORT/api/v1/docs/"

# supervise NAME COMMAND...: run COMMAND, restarting it whenever it exits, until we are stopped.
supervise() {
  local name=$1; shift
  local child=
  trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
  while true; do
    "$@" &
    child=$!
    wait "$child" && status=0 || status=$?
    echo "run.sh: $name exited (status $status); restarting in 2 s" >&2
    sleep 2
  done
}

pids=()
cleanup() { trap - EXIT INT TERM; kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
supervise worker $PY manage.py worker --concurrency 4 &
pids+=($!)
supervise web .venv/bin/gunicorn -c scripts/gunicorn.conf.py gis_portal.wsgi --bind "127.0.0.1:$PORT" &
pids+=($!)
wait
