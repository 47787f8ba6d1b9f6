"""Django settings, all from the environment (see README, "Configuration"), and the checkout's `.env`.

Without DATABASE_URL the project uses its own PostGIS cluster under var/ (gis_portal.devdb).
DEBUG defaults to off: `make run` and the tests turn it on explicitly.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gis_portal import devdb
from gis_portal.env import env_bool, env_int, env_list, env_str, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
# A development checkout's .env (written by `make`, gitignored), or ENV_FILE; the environment wins over
# it. A process given its own SECRET_KEY is configured by its environment alone: a stale .env with
# DEBUG/DEMO_MODE on can never switch them on in production.
if "SECRET_KEY" not in os.environ:
    load_env_file(Path(os.environ.get("ENV_FILE") or BASE_DIR / ".env"))
TESTING = "pytest" in sys.modules or env_bool("TESTING")

DEBUG = env_bool("DEBUG", False)
DEMO_MODE = env_bool("DEMO_MODE", False)
if DEBUG or TESTING:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-not-for-production-use-0123456789")
else:
    SECRET_KEY = env_str("SECRET_KEY")  # no default in production: fail loudly
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The portal's own public address: every URL the server hands out or calls back is built from it,
# never from a request's Host header.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Outbound HTTP (webhooks, payment providers) goes through gis_portal.outbound: only public addresses,
# except these host names (exact match), e.g. an intranet receiver.
OUTBOUND_ALLOWED_HOSTS = env_list("OUTBOUND_ALLOWED_HOSTS", [])
# Online payment providers. "loopback" is a test provider that confirms its own payments: only tests,
# DEBUG and DEMO_MODE may enable it (it is their default); production refuses to start with it.
PAYMENT_PROVIDERS = env_list("PAYMENT_PROVIDERS", ["loopback"] if DEBUG or DEMO_MODE or TESTING else [])
if "loopback" in PAYMENT_PROVIDERS and not (DEBUG or DEMO_MODE or TESTING):
    raise ImproperlyConfigured("PAYMENT_PROVIDERS: the loopback test provider marks payments as paid by "
                               "itself; it is refused unless DEBUG or DEMO_MODE is on.")

INSTALLED_APPS = [
    "accounts.admin_site.PortalAdminConfig",  # django.contrib.admin, the site requiring the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "procrastinate.contrib.django",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "parcels",
    "layers",
    "addresses",
    "institutions",
    "rules",
    "workdays",
    "permits",
    "avize",
    "archive",
    "notifications",
    "demo",
    "ops",
    "web",
]

MIDDLEWARE = [
    "gis_portal.failures.ServiceFailureMiddleware",  # database down → 503, disk full → 507 (not a 500)
    "gis_portal.security.RequestBodyLimitMiddleware",  # before anything can read a body
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gis_portal.security.RejectNulBytesMiddleware",  # NUL in the query or a cookie: 400 before any lookup
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.middleware.ChosenLanguageMiddleware",  # Romanian unless chosen (not Accept-Language)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session passed the second factor
    "accounts.middleware.SessionRegistryMiddleware",  # only sessions listed per user (revocable) are honoured
    "accounts.middleware.SecondFactorMiddleware",  # staff: nothing but the second-factor pages until verified
    "accounts.middleware.LoginRateLimitMiddleware",  # every log-in path, before any password hash
    "django.contrib.messages.middleware.MessageMiddleware",
    "gis_portal.db_router.ReplicaPinMiddleware",  # read-your-writes when replicas serve reads
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gis_portal.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "gis_portal.urls"
WSGI_APPLICATION = "gis_portal.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:landing"  # each role lands on its work list (web.views.staff.landing)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gis_portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL") or devdb.database_url()
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
# A persistent connection is checked before a request reuses it: after a database restart the
# first request of each thread reconnects instead of failing on the dead connection.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Seconds a client is told to wait (Retry-After) when the database is unreachable (gis_portal.failures).
DATABASE_RETRY_AFTER_SECONDS = env_int("DATABASE_RETRY_AFTER_SECONDS", 10)
# Parallel test runs (several developers, one cluster) each set their own test database name.
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DB_NAME", "test_gis_portal")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Streaming replicas (comma-separated URLs) for reads that may be a little stale: gis_portal/db_router.py.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
REPLICA_DATABASES: list[str] = []
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _alias = f"replica_{_number}"
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    DATABASES[_alias]["ENGINE"] = DATABASES["default"]["ENGINE"]
    DATABASES[_alias]["CONN_HEALTH_CHECKS"] = True
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    DATABASES[_alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)  # a dead host is skipped fast
    REPLICA_DATABASES.append(_alias)
DATABASE_ROUTERS = ["gis_portal.db_router.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = float(env_str("REPLICA_MAX_LAG_SECONDS", "5"))  # a replica further behind is skipped
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)  # after a write the client reads from the primary
REPLICA_CHECK_SECONDS = float(env_str("REPLICA_CHECK_SECONDS", "1"))  # how long a replica's health is cached
# A replica whose WAL receiver has heard nothing from the primary for longer is skipped (the primary's
# keep-alives come every wal_sender_timeout / 2, 30 s by default; the app's role needs pg_monitor to see it).
REPLICA_MAX_SILENCE_SECONDS = float(env_str("REPLICA_MAX_SILENCE_SECONDS", "45"))
# HTTP caching of public answers (browsers, the nginx cache of deploy/nginx/): built-in and unversioned
# layer tiles, and OGC API Features answers, are fresh this long, then revalidated by their ETag.
TILE_CACHE_SECONDS = env_int("TILE_CACHE_SECONDS", 300)
OGC_CACHE_SECONDS = env_int("OGC_CACHE_SECONDS", 60)

# Log-in goes through the lockout (accounts.lockout): N failures per username + address lock that pair.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
LOGIN_LOCKOUT_FAILURES = env_int("LOGIN_LOCKOUT_FAILURES", 1000 if TESTING else 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
# API tokens (accounts.tokens): refused after this long; a new one at each token log-in.
API_TOKEN_LIFETIME_SECONDS = env_int("API_TOKEN_LIFETIME_SECONDS", 12 * 3600)
# Web sessions end this long after the log-in (accounts.sessions lists and revokes them).
SESSION_COOKIE_AGE = env_int("SESSION_LIFETIME_SECONDS", 12 * 3600)
# Two-factor authentication (accounts.mfa, django-otp): TOTP in authenticator apps and single-use
# recovery codes. After a wrong code a device waits THROTTLE_FACTOR * 2**(failures-1) seconds.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows TOTP keys or recovery codes
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Portal urbanism")
OTP_TOTP_THROTTLE_FACTOR = env_int("OTP_THROTTLE_FACTOR", 0 if TESTING else 1)
OTP_STATIC_THROTTLE_FACTOR = env_int("OTP_THROTTLE_FACTOR", 0 if TESTING else 1)
# Password reset links (Django's token generator) stay valid this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Test-only speed-up: PBKDF2 costs ~0.5 s per user on CI's 2 cores and every fixture creates a cast.
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Web map: an optional external raster base map (e.g. an OSM tile URL template). Empty by default:
# offline, the map draws streets, parcels, buildings, zoning and constraints from our own tiles.
MAP_BASEMAP_URL = env_str("MAP_BASEMAP_URL", "")
MAP_BASEMAP_ATTRIBUTION = env_str("MAP_BASEMAP_ATTRIBUTION", "")
# Attribution of the parcels and buildings on the map: the demo county's are invented.
MAP_PARCELS_ATTRIBUTION = env_str("MAP_PARCELS_ATTRIBUTION", "Parcele și clădiri: date sintetice (demo)"
                                  if DEMO_MODE else "")
MAP_BASEMAP_ORIGIN = env_str("MAP_BASEMAP_ORIGIN", "")  # added to the CSP img-src when set

LANGUAGE_CODE = "ro"
LANGUAGES = [("ro", "Română"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats per language: Romanian as Django has it (d.m.Y); English day-month-year, not the US m/d/Y.
FORMAT_MODULE_PATH = ["gis_portal.formats"]
TIME_ZONE = "Europe/Bucharest"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "gis_portal" / "static"]
# Only the built bundles of the npm packages are served (not all of node_modules: collectstatic
# would compress tens of megabytes of sources for nothing).
for _package in ("maplibre-gl", "terra-draw", "terra-draw-maplibre-gl-adapter"):
    _dist = BASE_DIR / "node_modules" / _package / "dist"
    if _dist.exists():
        STATICFILES_DIRS.append((f"vendor/{_package}/dist", _dist))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Real data of Bacău county the demo is built on (demo.bacau): the project's shared data beside the
# repository; without it the demo falls back to the derived copy in fixtures/bacau.
BACAU_DATA_DIR = Path(env_str("BACAU_DATA_DIR", str(BASE_DIR.parent / "shared" / "data" / "bacau")))
MEDIA_URL = "/media/"  # never served directly: documents go through permission-checked views
STORAGES: dict[str, dict[str, Any]] = {
    # Complete files or none (temporary file, fsync, rename): gis_portal/storage.py.
    "default": {"BACKEND": "gis_portal.storage.AtomicFileSystemStorage"},
    # Pre-compressing every asset is worth it in production, not on each local `make run`.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedStaticFilesStorage"},
}
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": env_str("S3_BUCKET"), "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None},
    }

# Upload and geometry limits (configurable; hostile-input tests rely on them).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)
GEOMETRY_MAX_VERTICES = env_int("GEOMETRY_MAX_VERTICES", 10_000)
GEOMETRY_MAX_AREA_M2 = env_int("GEOMETRY_MAX_AREA_M2", 10_000_000)
# Bodies are bounded before they are read (gis_portal.security.RequestBodyLimitMiddleware): JSON and
# forms, parsed in memory; multipart uploads, streamed to disk (documents, layer imports).
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 2 * 1024 * 1024)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 512 * 1024 * 1024)
# The digitised archive (archive app): bounds checked before a scan is parsed or stored.
ARCHIVE_MAX_FILE_BYTES = env_int("ARCHIVE_MAX_FILE_BYTES", 64 * 1024 * 1024)  # one scan
ARCHIVE_MAX_PAGES = env_int("ARCHIVE_MAX_PAGES", 200)  # pages of one scan
ARCHIVE_MAX_PIXELS = env_int("ARCHIVE_MAX_PIXELS", 120_000_000)  # one TIFF page (A0 at 300 dpi is ~110 Mpx)
ARCHIVE_MAX_BATCH_BYTES = env_int("ARCHIVE_MAX_BATCH_BYTES", 4 * 1024 * 1024 * 1024)  # a zip, uncompressed
ARCHIVE_MAX_BATCH_FILES = env_int("ARCHIVE_MAX_BATCH_FILES", 20_000)
ARCHIVE_MAX_MANIFEST_ROWS = env_int("ARCHIVE_MAX_MANIFEST_ROWS", 20_000)
ARCHIVE_OCR_TIMEOUT_SECONDS = env_int("ARCHIVE_OCR_TIMEOUT_SECONDS", 120)  # per page
ARCHIVE_OCR_DPI = env_int("ARCHIVE_OCR_DPI", 200)  # PDFs without a text layer are rasterised at this resolution
ARCHIVE_PLACE_MAX_METRES = env_int("ARCHIVE_PLACE_MAX_METRES", 100)  # a clerk's point → the nearest parcel within
# A geometry sent as a JSON string: its length is checked before it is parsed (default ~64 bytes a vertex).
GEOMETRY_MAX_BYTES = env_int("GEOMETRY_MAX_BYTES", GEOMETRY_MAX_VERTICES * 64)
# Deepest JSON nesting accepted anywhere (GeoJSON needs 6): checked on the raw text before parsing.
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 32)
# Zipped imports (shapefiles): checked before any member is read (gis_portal.security.zip_problem).
ZIP_MAX_MEMBERS = env_int("ZIP_MAX_MEMBERS", 64)
ZIP_MAX_UNCOMPRESSED_BYTES = env_int("ZIP_MAX_UNCOMPRESSED_BYTES", 4 * 1024 ** 3)
# Only these EPSG codes ever reach PROJ/GDAL (GDAL 3.6 cannot sandbox spatial references).
ALLOWED_SRIDS = (4326, 3844, 3857, 4258, 31700)
STORAGE_SRID = 3844

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gis_portal.api.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "gis_portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "gis_portal.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    # Per client (user id, else address). Tests run with generous rates (many log-ins and analyses per
    # minute from one address); tests/hardening/test_limits.py lowers them to check the limits.
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("THROTTLE_LOGIN", "10000/min" if TESTING else "20/min"),
        "login_user": env_str("THROTTLE_LOGIN_USER", "10000/min" if TESTING else "30/min"),
        # Second-factor codes per account (the web page and the token API), across workers.
        "otp": env_str("THROTTLE_OTP", "10000/min" if TESTING else "10/min"),
        "analysis": env_str("THROTTLE_ANALYSIS", "10000/min" if TESTING else "600/min"),
        "import": env_str("THROTTLE_IMPORT", "10000/min" if TESTING else "30/min"),
        "tiles": env_str("THROTTLE_TILES", "100000/min" if TESTING else "3000/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GIS Portal — urbanism permitting API",
    "DESCRIPTION": "Parcels, layers, spatial analysis, CU/AC/AD applications and avize. "
                   "GeoJSON in EPSG:4326 (RFC 7946) by default; Stereo 70 (EPSG:3844) with ?crs=3844.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from our own static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several apps have a `status`, `kind` or `action` choice set: name each one after its owner so the
    # schema is stable (no hash-suffixed enum names) and `spectacular --validate --fail-on-warn` passes.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "permits.choices.Status",
        "ApplicationKindEnum": "permits.choices.Kind",
        "ApplicationActionEnum": "permits.workflow.ACTIONS",
        "InstitutionKindEnum": "institutions.models.Institution.Kind",
        "NotificationStatusEnum": "notifications.models.Notification.Status",
        "PaymentPurposeEnum": "permits.models.Payment.Purpose",
        "ApplicationPurposeEnum": "permits.choices.APPLICATION_PURPOSES",
    },
}

# Per process: the tile rate limiter's counters. Limits that must hold across workers (log-in,
# analyses, imports) and the log-in lockout are counted in PostgreSQL (gis_portal.ratelimit, accounts.lockout).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 8025)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "GIS Portal <no-reply@gis-portal.local>")

# Background work (procrastinate, run by `manage.py worker`, see ops/worker.py). Tests shorten every delay
# through the environment; production keeps the defaults (owner: notifications).
PROCRASTINATE_WORKER_DEFAULTS = {
    "fetch_job_polling_interval": float(env_str("WORKER_POLL_SECONDS", "5")),
    "update_heartbeat_interval": float(env_str("WORKER_HEARTBEAT_SECONDS", "10")),
    "stalled_worker_timeout": float(env_str("WORKER_STALLED_SECONDS", "30")),
}
# Periodic tasks (gis_portal.tasks.periodic): cron overrides by task name, e.g. for tests.
PERIODIC_CRONS: dict[str, str] = {}
if os.environ.get("WORKER_FAST_PERIODIC"):
    PERIODIC_CRONS["retry_stalled_jobs"] = "* * * * * */1"
# Delivery retries: exponential backoff base * 2**n, capped; the defaults span about 32 hours.
NOTIFICATIONS_RETRY_BASE_SECONDS = float(env_str("NOTIFICATIONS_RETRY_BASE_SECONDS", "30"))
NOTIFICATIONS_RETRY_MAX_DELAY_SECONDS = float(env_str("NOTIFICATIONS_RETRY_MAX_DELAY_SECONDS", "21600"))
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 15)
NOTIFICATIONS_WEBHOOK_TIMEOUT = float(env_str("NOTIFICATIONS_WEBHOOK_TIMEOUT", "10"))
# Threads per worker process sending notifications (run the worker with --concurrency at least this).
NOTIFICATIONS_DELIVERY_THREADS = env_int("NOTIFICATIONS_DELIVERY_THREADS", 16)

# Backup archives are signed (HMAC-SHA256 of the manifest) with a key kept outside them: a file
# (BACKUP_SIGNING_KEY_FILE, preferred) or the value itself. Required by `manage.py backup` and `restore`.
BACKUP_SIGNING_KEY = env_str("BACKUP_SIGNING_KEY", "")
BACKUP_SIGNING_KEY_FILE = env_str("BACKUP_SIGNING_KEY_FILE", "")

# Document signing: PKCS#12 bundle; `make run` generates a demo one under var/.
SIGNING_P12_PATH = Path(env_str("SIGNING_P12_PATH", str(BASE_DIR / "var" / "signing" / "demo-signer.p12")))
SIGNING_P12_PASSWORD = env_str("SIGNING_P12_PASSWORD", "demo-signer")
# PAdES B-LT (gis_portal/signing.py): the RFC 3161 time-stamping authority, extra trust roots and CRL
# files (comma-separated paths; default: the demo CRL beside the bundle), and whether the CRL/OCSP
# URLs in the certificates may be fetched while signing.
TSA_URL = env_str("TSA_URL", "")
SIGNING_TRUST_ROOTS = [Path(p) for p in env_list("SIGNING_TRUST_ROOTS", [])]
SIGNING_CRLS = [Path(p) for p in env_list("SIGNING_CRLS", [])]
SIGNING_FETCH_REVOCATION = env_bool("SIGNING_FETCH_REVOCATION", False)
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "demo-parola-2026")

# Security: production defaults, relaxed only for local development over plain HTTP.
_secure = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _secure)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _secure)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _secure)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = _secure
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# gis.W001: GDAL < 3.7 cannot block file/network access from spatial references. Mitigated:
# only the EPSG codes in ALLOWED_SRIDS are ever turned into spatial references.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
