FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
        gdal-bin libgdal-dev libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core postgresql-client nodejs npm \
        poppler-utils tesseract-ocr tesseract-ocr-ron \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt package*.json ./
RUN pip install --no-cache-dir -r requirements.txt && (test ! -f package.json || npm ci --no-audit --no-fund)
COPY . .
ENV DJANGO_SETTINGS_MODULE=gis_portal.settings PYTHONUNBUFFERED=1
RUN DEBUG=1 python manage.py collectstatic --noinput -v0
EXPOSE 8000
