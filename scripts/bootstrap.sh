#!/usr/bin/env bash
# Install what is missing and start the database. Idempotent: a second run only checks.
#  1. Debian packages (PostgreSQL + PostGIS, GDAL, Chromium, Pango for PDFs, wrk for the benchmarks,
#     poppler and tesseract with its Romanian data for the archive's OCR)
#     with apt-get when root.
#  2. .venv with the pinned Python packages (reinstalled only when requirements.txt changes).
#  3. npm packages (MapLibre GL JS, terra-draw) when package.json changes.
#  4. .env with the settings make uses (DEBUG, DEMO_MODE), when missing.
#  5. Without DATABASE_URL: the project's own PostGIS cluster under var/.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
pg_major=${pg_major:-15}
apt_packages=(postgresql "postgresql-${pg_major}-postgis-3" gdal-bin libgdal-dev chromium nginx
  libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core python3-venv wrk poppler-utils libnss3-tools
  tesseract-ocr tesseract-ocr-ron)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
req_hash=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$req_hash" ]; then
  echo "==> pip install -r requirements.txt"
  .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/pip install -q -r requirements.txt 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c "import django, rest_framework_gis, procrastinate" # fail if the install did
  echo "$req_hash" > .venv/.requirements.sha256
fi

if [ -f package.json ]; then
  npm_hash=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ ! -d node_modules ] || [ "$(cat node_modules/.package.sha256 2>/dev/null)" != "$npm_hash" ]; then
    echo "==> npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$npm_hash" > node_modules/.package.sha256
  fi
fi

# The settings make uses, for manage.py, gunicorn and pytest run without make (gis_portal/settings.py
# reads .env; the environment wins). Written once: edit it freely. Development values only.
if [ ! -f .env ]; then
  cat > .env <<EOF
# Written by scripts/bootstrap.sh (make run / make test): read by gis_portal/settings.py, so
# ".venv/bin/python manage.py <command>" works without make. Variables of the environment win.
# Development settings only: never put a production secret here (the file is gitignored).
DEBUG=${DEBUG:-1}
DEMO_MODE=${DEMO_MODE:-1}
EOF
  echo "==> wrote .env (DEBUG=${DEBUG:-1} DEMO_MODE=${DEMO_MODE:-1})"
fi
# A development key that signs this checkout's backups (make backup / restore), kept outside the archives.
if ! grep -q '^BACKUP_SIGNING_KEY' .env; then
  mkdir -p var
  [ -f var/backup.key ] || (umask 077; python3 -c "import secrets; print(secrets.token_hex(32))" > var/backup.key)
  echo "BACKUP_SIGNING_KEY_FILE=$(pwd)/var/backup.key" >> .env
fi

if [ -z "${DATABASE_URL:-}" ]; then
  python3 -m gis_portal.devdb start
fi
