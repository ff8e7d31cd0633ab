"""Production: every secret and host comes from the environment, and a missing one stops
the process at start-up (django-environ raises ImproperlyConfigured). So does a secret
that is a known placeholder (`.env.example`'s, the embedded default's) or too weak, and a
card pepper that is the SECRET_KEY: every process (gunicorn, Celery, manage.py — and so
`check --deploy`) refuses to start and says why. Passes `manage.py check --deploy` without
warnings."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

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

#: Values published in this repository (.env.example, the embedded defaults, old builds):
#: whoever reads it knows them.
KNOWN_PLACEHOLDER_SECRETS = frozenset(
    {
        "change-me-to-a-long-random-value-of-at-least-fifty-characters-0123",
        "change-me-to-another-long-random-value-for-the-card-digests-4567",
        "insecure-local-only-key-change-me-9f3b2c1d7e",
        "insecure-local-only-card-pepper-change-me-4c8e1a",
        "collectstatic-at-build-time-only",
    }
)
_GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_problem(name: str, value: str) -> str | None:
    """Why `value` cannot be the secret `name` in production, or None."""
    lowered = value.lower()
    if value in KNOWN_PLACEHOLDER_SECRETS or any(
        word in lowered for word in ("change-me", "changeme", "change_me")
    ):
        return f"{name} is a placeholder published in this repository (e.g. .env.example's)"
    if value.startswith("django-insecure-"):
        return f"{name} is one of Django's insecure development keys"
    if len(value) < 50 or len(set(value)) < 5:
        return f"{name} is too weak: it needs at least 50 characters, not all alike"
    return None


_problems = [
    problem
    for problem in (
        secret_problem("SECRET_KEY", SECRET_KEY),
        secret_problem("PATRON_CARD_PEPPER", PATRON_CARD_PEPPER),
    )
    if problem
]
if PATRON_CARD_PEPPER == SECRET_KEY:
    _problems.append(
        "PATRON_CARD_PEPPER is the SECRET_KEY: the card digests need a secret of their own "
        "(to keep the cards registered under it, move the value to PATRON_CARD_PEPPER and "
        "give SECRET_KEY a new one)"
    )
if _problems:
    raise ImproperlyConfigured(
        "Refusing to start: " + "; ".join(_problems) + f". Generate each secret with: {_GENERATE}"
    )
