"""Production: every secret and host comes from the environment, and a missing one stops
the process at start-up (django-environ raises ImproperlyConfigured). So does a secret
that is a known placeholder (`.env.example`'s, the embedded default's) or too weak, and a
card pepper that is the SECRET_KEY: every process (gunicorn, Celery, manage.py — and so
`check --deploy`) refuses to start and says why. Passes `manage.py check --deploy` without
warnings."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env
from .secrets import GENERATE as _GENERATE
from .secrets import secrets_problems

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
# Keyed digests of library cards: a secret of its own (see subscriptions/cards.py for
# changing it without losing the patrons registered under the previous one).
PATRON_CARD_PEPPER = env.str("PATRON_CARD_PEPPER")
PATRON_CARD_PEPPER_FALLBACKS = env.list("PATRON_CARD_PEPPER_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Shared by every worker: the login throttles and lockout counters live there.
CACHES = {"default": env.cache("CACHE_URL")}
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=False)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
# Believed because only the reverse proxy reaches the app, and it sets this header itself
# (docker-compose.yml, deploy/Caddyfile).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

_problems = secrets_problems(secret_key=SECRET_KEY, card_pepper=PATRON_CARD_PEPPER)
if _problems:
    raise ImproperlyConfigured(
        "Refusing to start: " + "; ".join(_problems) + f". Generate each secret with: {_GENERATE}"
    )
