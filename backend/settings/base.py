"""Every setting, read from the environment (12-factor) with django-environ.

The defaults are those of the embedded set-up (SQLite file, local file storage, tasks
in-process). `production` removes the defaults that must never reach a real deployment.
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from corsheaders.defaults import default_headers as default_cors_headers
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-change-me-9f3b2c1d7e")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- applications ---------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "corsheaders",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as our own static files, no CDN
    "csp",
    "simple_history",
    "storages",
    "dsfr",
]
# Order matters to `seed_demo`: each app's demo data may use the previous apps' data.
LOCAL_APPS = [
    "backend.revision",  # the catalogue revision: each app registers what bumps it
    "institutions",
    "accounts",
    "catalogue",
    "rights",
    "orders",
    "subscriptions",
    "media",
    "notices",
    "stats",
    "editorial",
    "records",
    "royalties",
    "web",
    "demo",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # first: a CORS preflight is answered here, before any authentication or redirect
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "backend.security.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # last, as django-axes asks: turns a locked-out login form into its 429 page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csrf",
                "web.context_processors.site",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves parallel requests too. SQLite's default (deferred)
    # transaction reads first and asks for the write lock later: two such writers deadlock
    # and one fails at once with "database is locked", whatever the timeout. IMMEDIATE takes
    # the write lock at BEGIN, so writers queue (up to SQLITE_BUSY_TIMEOUT seconds); WAL
    # lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# axes first: it refuses a locked-out account before any backend checks a secret.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.StaffPasswordBackend",
    "subscriptions.backends.PatronCardBackend",
    "accounts.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- languages, time --------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# --- files ------------------------------------------------------------------------------
STATIC_URL = "static/"
# Third-party JavaScript from the npm registry (`make js`, pinned by package-lock.json),
# served as static files under vendor/: only the built files each page loads.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "backend" / "static",
    ("vendor/hls.js", NODE_MODULES / "hls.js" / "dist"),
    ("vendor/htmx.org", NODE_MODULES / "htmx.org" / "dist"),
]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
MEDIA_URL = "files/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "files")

# Storage goes through Django's STORAGES: local files by default, any S3-compatible store
# (django-storages + boto3) when OBJECT_STORE_BUCKET is set.
OBJECT_STORE_BUCKET = env.str("OBJECT_STORE_BUCKET", default="")
OBJECT_STORE_ENDPOINT_URL = env.str("OBJECT_STORE_ENDPOINT_URL", default="") or None
OBJECT_STORE_REGION = env.str("OBJECT_STORE_REGION", default="us-east-1")
OBJECT_STORE_ACCESS_KEY_ID = env.str("OBJECT_STORE_ACCESS_KEY_ID", default="")
OBJECT_STORE_SECRET_ACCESS_KEY = env.str("OBJECT_STORE_SECRET_ACCESS_KEY", default="")
if OBJECT_STORE_BUCKET:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": OBJECT_STORE_BUCKET,
            "endpoint_url": OBJECT_STORE_ENDPOINT_URL,
            "region_name": OBJECT_STORE_REGION,
            "access_key": OBJECT_STORE_ACCESS_KEY_ID,
            "secret_key": OBJECT_STORE_SECRET_ACCESS_KEY,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Content-Security-Policy (django-csp), on every answer -----------------------------
# Scripts and styles from our own files only: no inline script, no CDN. The player (hls.js)
# plays through MediaSource blobs and fetches segments from the object store;
# backend.security.CSPMiddleware adds the store's origin (from the OBJECT_STORE_* settings)
# to img-src, media-src and connect-src. hls.js shows subtitles through a <track> whose
# source is an empty `data:,WEBVTT` (media-src data:).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF, "blob:", "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON parser refusing bodies nested too deep and lone surrogates (400, not 500)
    "DEFAULT_PARSER_CLASSES": [
        "backend.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "backend.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "backend.api.exceptions.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    # Per client address (backend.api.throttling): every login route shares one bucket.
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="30/minute"),
        "stripe_webhook": env.str("STRIPE_WEBHOOK_THROTTLE_RATE", default="120/minute"),
    },
}

# --- logins: API tokens, failed-login lockout ------------------------------------------
# API tokens (django-rest-knox, `accounts.ApiToken`): one per login, i.e. per device; kept
# as a digest; they expire; a user may revoke one or all. Clients send `Token <key>`.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 (a model name)
# knox's own migrations create its AuthToken table even though the model is swapped for
# ours: not run, so no unused table (with a foreign key to the users) exists.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=12)
# Logging in on one more device beyond this revokes the user's oldest token.
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", default=10)
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
}
# Failed logins are counted per account — username, or library card — on the shared
# cache (django-axes, see accounts/lockout.py); an account reaching the limit is locked
# until left alone for its cool-off. Addresses are rate-limited instead (LOGIN_THROTTLE_RATE):
# a library's patrons share its address.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
CARD_LOCKOUT_HOURS = env.int("CARD_LOCKOUT_HOURS", default=24)
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = "accounts.lockout.cool_off"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # the cache handler writes no rows for the admin to show
SILENCED_SYSTEM_CHECKS = [
    # axes.W006 wants addresses locked out too: a library's patrons share one public
    # address, so addresses are throttled (LOGIN_THROTTLE_RATE), not locked.
    "axes.W006",
]
SPECTACULAR_SETTINGS = {
    "TITLE": "National documentary catalogue for libraries API",
    "DESCRIPTION": (
        "Catalogue of documentary films, the rights negotiated with rights holders per "
        "medium (DVD, streaming on site and at home, public screenings in HD), the libraries "
        "and networks that use them."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FilmStatusEnum": "catalogue.models.Film.Status",
        "FilmCreationStatusEnum": ["proposed", "in_acquisition", "in_catalogue"],
        "AssetStatusEnum": "media.models.Asset.Status",
        "UploadStatusEnum": "media.models.Upload.Status",
        "MediumEnum": "rights.models.Medium",
        "NegotiationStatusEnum": "rights.models.Negotiation.Status",
        "ContractStatusEnum": "rights.models.Contract.Status",
        "CollectionKindEnum": "editorial.models.Collection.Kind",
        "StatementStatusEnum": "royalties.models.Statement.Status",
        "UserRoleEnum": "accounts.models.User.Role",
        "StaffRoleEnum": "accounts.staff_apis.STAFF_ROLE_CHOICES",
    },
}

# --- background tasks -------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://"
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "withdrawal-notices-daily": {
        "task": "notices.tasks.withdrawal_notices_daily",
        "schedule": crontab(hour=6, minute=30),
    },
    "record-updates-daily": {
        "task": "records.tasks.record_updates_daily",
        "schedule": crontab(hour=0, minute=30),
    },
    "rights-daily": {"task": "rights.tasks.rights_daily", "schedule": crontab(hour=5, minute=30)},
    # on the first day of a statement period, the statements of the one that ended
    "royalties-statements-draft": {
        "task": "royalties.tasks.statements_draft_due",
        "schedule": crontab(hour=4, minute=30),
    },
    "subscriptions-daily": {
        "task": "subscriptions.tasks.subscriptions_daily",
        "schedule": crontab(hour=6, minute=0),
    },
    "editorial-appreciated-hourly": {
        "task": "editorial.tasks.appreciated_refresh_hourly",
        "schedule": 3600.0,
    },
    "newsletter-monthly": {
        "task": "editorial.tasks.newsletter_monthly",
        "schedule": crontab(day_of_month=1, hour=8, minute=0),
    },
    "media-abort-stale-uploads": {"task": "media.tasks.abort_stale_uploads", "schedule": 3600.0},
    "media-expire-silent-sessions": {
        "task": "media.tasks.expire_silent_sessions",
        "schedule": 60.0,
    },
    "accounts-expired-api-tokens": {
        "task": "accounts.tasks.expired_api_tokens_sweep",
        "schedule": crontab(hour=4, minute=15),
    },
    "stats-exports-sweep": {"task": "stats.tasks.stats_exports_sweep", "schedule": 900.0},
    "records-exports-sweep": {"task": "records.tasks.records_exports_sweep", "schedule": 900.0},
    "media-repair-stuck-transcodes": {
        "task": "media.tasks.repair_stuck_transcodes",
        "schedule": 900.0,
    },
}
CELERY_TASK_DEFAULT_QUEUE = "default"  # the queue docker-compose's worker consumes
# Transcoding is heavy: its own queue, with its own time limit.
CELERY_TASK_ROUTES = {"media.tasks.transcode_master": {"queue": "transcoding"}}

# --- files prepared in the background (backend/exports.py) ------------------------------
# A statistics CSV of more rows, a full MARC file of more records than these is prepared by
# a worker and offered when ready; smaller ones are written in the request.
STATS_EXPORT_BACKGROUND_ROWS = env.int("STATS_EXPORT_BACKGROUND_ROWS", default=2000)
RECORDS_EXPORT_BACKGROUND_RECORDS = env.int("RECORDS_EXPORT_BACKGROUND_RECORDS", default=250)
# How long a prepared file is kept; when a pending or running one is given up as lost: a
# worker beats every EXPORT_HEARTBEAT_SECONDS while it prepares a file, and one silent for
# EXPORT_STALE_MINUTES (or still running after EXPORT_MAX_RUNNING_MINUTES) is lost.
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)
EXPORT_STALE_MINUTES = env.int("EXPORT_STALE_MINUTES", default=30)
EXPORT_HEARTBEAT_SECONDS = env.int("EXPORT_HEARTBEAT_SECONDS", default=60)
EXPORT_MAX_RUNNING_MINUTES = env.int("EXPORT_MAX_RUNNING_MINUTES", default=360)

# --- rights -----------------------------------------------------------------------------
# Days before a grant ends at which the staff in charge are warned (one digest a day).
# Libraries that use a film are told this many days before it leaves a medium for them;
# "use" includes views by their patrons within NOTICE_RECENT_VIEWS_DAYS.
WITHDRAWAL_NOTICE_DAYS = env.int("WITHDRAWAL_NOTICE_DAYS", default=30)
NOTICE_RECENT_VIEWS_DAYS = env.int("NOTICE_RECENT_VIEWS_DAYS", default=90)
RIGHTS_EXPIRY_NOTICE_DAYS = env.list("RIGHTS_EXPIRY_NOTICE_DAYS", cast=int, default=[180, 30, 7])

# --- links to the web client -------------------------------------------------------
# The patrons' and librarians' web client: newsletter links and the playback link (856) of
# catalogue records point there.
FRONTEND_BASE_URL = env.str("FRONTEND_BASE_URL", default="http://localhost:8000").rstrip("/")
# The address the web client's legal pages give for questions and accessibility requests.
SERVICE_CONTACT_EMAIL = env.str("SERVICE_CONTACT_EMAIL", default="contact@example.org")
# Royalty statements: drafted for each quarter (or year) on the next one's first day, due
# to the rights holders so many days after the period's end.
ROYALTY_STATEMENT_PERIOD = env.str("ROYALTY_STATEMENT_PERIOD", default="quarter")
ROYALTY_STATEMENT_DUE_DAYS = env.int("ROYALTY_STATEMENT_DUE_DAYS", default=60)
# The web client: where signing in starts (the patron space and the watch page send there).
LOGIN_URL = "web:sign-in"
# Patrons' ratings: a film enters "most appreciated" with at least this many ratings.
APPRECIATED_MIN_RATINGS = env.int("APPRECIATED_MIN_RATINGS", default=3)

# --- CORS (django-cors-headers) ---------------------------------------------------------
# Web clients served from other origins may call the API and load the streams (playlists,
# segment links, the local store's files): CORS_ALLOWED_ORIGINS and FRONTEND_BASE_URL's
# origin. Credentials are tokens in the Authorization header, never cookies.
CORS_ALLOWED_ORIGINS = list(
    dict.fromkeys(
        [
            *env.list("CORS_ALLOWED_ORIGINS", default=[]),
            "{0.scheme}://{0.netloc}".format(urlsplit(FRONTEND_BASE_URL)),
        ]
    )
)
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (*default_cors_headers, "accept-language", "idempotency-key", "cache-control")
# the local store's part uploads answer the part's ETag, which the uploading page reads
CORS_EXPOSE_HEADERS = ["ETag"]
CORS_PREFLIGHT_MAX_AGE = 3600

# --- email ------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="catalogue@example.org")

# --- caches -----------------------------------------------------------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# seed_demo writes public demo accounts, passwords and a SUSHI key: allowed on the embedded
# default and in tests, refused in production unless DEMO_DATA_ALLOWED=true (benchmarks)
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=True)
# Pages of the film list are cached per caller's institution and query, keyed by the
# catalogue's revision (see catalogue/cache.py, backend/revision/counter.py); 0 turns
# the cache off.
CATALOGUE_PAGE_CACHE_SECONDS = env.int("CATALOGUE_PAGE_CACHE_SECONDS", default=300)
# how long a worker may keep the catalogue revision it read (other workers' changes show
# within this delay; 0: read it on every list request)
CATALOGUE_REVISION_TTL_SECONDS = env.float("CATALOGUE_REVISION_TTL_SECONDS", default=1.0)

# --- patrons ---------------------------------------------------------------------------
# Key of the digest that replaces library card numbers (pseudonymisation): a secret of its
# own, kept stable. To change it, list the previous value(s) in PATRON_CARD_PEPPER_FALLBACKS:
# cards are found under them too and re-keyed at the patron's next login (subscriptions/cards.py).
PATRON_CARD_PEPPER = env.str(
    "PATRON_CARD_PEPPER", default="insecure-local-only-card-pepper-change-me-4c8e1a"
)
# Until this change the pepper defaulted to SECRET_KEY: the embedded default still finds
# the cards registered under the old default key.
PATRON_CARD_PEPPER_FALLBACKS = env.list(
    "PATRON_CARD_PEPPER_FALLBACKS", default=["insecure-local-only-key-change-me-9f3b2c1d7e"]
)
# Longest lifetime of a login link signed by a library's portal, in seconds.
PORTAL_LINK_MAX_AGE = env.int("PORTAL_LINK_MAX_AGE", default=300)

# --- invoices -------------------------------------------------------------------------
INVOICE_PAYMENT_DAYS = env.int("INVOICE_PAYMENT_DAYS", default=30)
INVOICE_ISSUER_NAME = env.str(
    "INVOICE_ISSUER_NAME", default="Catalogue national du film documentaire"
)
INVOICE_ISSUER_ADDRESS = env.str("INVOICE_ISSUER_ADDRESS", default="25 rue du Renard\n75004 Paris")
INVOICE_ISSUER_SIRET = env.str("INVOICE_ISSUER_SIRET", default="000 000 000 00000")
INVOICE_ISSUER_IBAN = env.str("INVOICE_ISSUER_IBAN", default="FR76 0000 0000 0000 0000 0000 000")

# --- DVD orders ----------------------------------------------------------------------
# Most copies of one DVD edition a library may order in one order.
ORDERS_MAX_QUANTITY_PER_LINE = env.int("ORDERS_MAX_QUANTITY_PER_LINE", default=25)

# --- payments (Stripe) -----------------------------------------------------------------
# Card and SEPA debit through Stripe Checkout. Empty keys leave Stripe off: paying by card
# answers `payment_provider_error` and every webhook is refused (never verified against an
# empty secret). STRIPE_API_BASE points the client elsewhere (the tests' local fake).
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_CHECKOUT_SUCCESS_URL = env.str(
    "STRIPE_CHECKOUT_SUCCESS_URL",
    default="http://localhost:8000/paiement/merci?session={CHECKOUT_SESSION_ID}",
)
STRIPE_CHECKOUT_CANCEL_URL = env.str(
    "STRIPE_CHECKOUT_CANCEL_URL", default="http://localhost:8000/paiement/annule"
)

# --- media (HD masters, transcoding, playback) ----------------------------------------
# Validity of every presigned object-store URL (parts, segments, downloads): minutes.
MEDIA_PRESIGNED_URL_SECONDS = env.int("MEDIA_PRESIGNED_URL_SECONDS", default=600)
# A playback session's URLs (playlists, segment links) work while the session holds its
# stream slot, and at most for the stream's duration plus this margin (pauses).
MEDIA_PLAYBACK_URL_MARGIN_SECONDS = env.int("MEDIA_PLAYBACK_URL_MARGIN_SECONDS", default=3 * 3600)
# A segment link redirects to the store's URL for that segment, presigned this long: the
# player fetches it at once (and asks the link again to retry).
MEDIA_SEGMENT_URL_SECONDS = env.int("MEDIA_SEGMENT_URL_SECONDS", default=60)
# A playback session without a heartbeat for this long no longer holds a stream slot.
MEDIA_HEARTBEAT_TIMEOUT_SECONDS = env.int("MEDIA_HEARTBEAT_TIMEOUT_SECONDS", default=90)
# Players start with the first variant of the master playlist: the tallest rung whose
# peak bit rate is at most this (bit/s).
MEDIA_HLS_START_BITRATE = env.int("MEDIA_HLS_START_BITRATE", default=2_000_000)
# A viewer who stopped within the last this-many seconds of a film (the end credits; at
# most a tenth of the film) starts it again from the beginning rather than resuming.
MEDIA_RESUME_CREDITS_SECONDS = env.int("MEDIA_RESUME_CREDITS_SECONDS", default=120)
# Multipart uploads left unfinished longer than this are aborted by the periodic sweep.
MEDIA_STALE_UPLOAD_HOURS = env.int("MEDIA_STALE_UPLOAD_HOURS", default=24)
# S3's limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 parts.
MEDIA_MIN_PART_SIZE = env.int("MEDIA_MIN_PART_SIZE", default=5 * 1024 * 1024)
MEDIA_MAX_PART_SIZE = 5 * 1024**3
MEDIA_MAX_PARTS = 10_000
# the ffmpeg program (the imageio-ffmpeg wheel's where the default "ffmpeg" is not on PATH)
MEDIA_FFMPEG = env.str("MEDIA_FFMPEG", default="ffmpeg")
MEDIA_HLS_SEGMENT_SECONDS = env.int("MEDIA_HLS_SEGMENT_SECONDS", default=6)
MEDIA_X264_PRESET = env.str("MEDIA_X264_PRESET", default="veryfast")
MEDIA_TRANSCODE_MAX_RETRIES = env.int("MEDIA_TRANSCODE_MAX_RETRIES", default=2)
MEDIA_TRANSCODE_TIME_LIMIT = env.int("MEDIA_TRANSCODE_TIME_LIMIT", default=6 * 3600)
# A booked screening's HD file may be downloaded from this many days before it until the
# day after.
SCREENING_DOWNLOAD_DAYS_BEFORE = env.int("SCREENING_DOWNLOAD_DAYS_BEFORE", default=7)

# --- network ----------------------------------------------------------------------------
# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted;
# 0 means the client address is the socket's. On-site streaming depends on it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
