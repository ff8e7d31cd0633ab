"""Test settings: fast password hashing, in-memory email, tasks in-process."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
MEDIA_ROOT = VAR_DIR / "test-files"  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Each test process has its own local-memory cache (the lockout's counters included).
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "axes.W001"]  # noqa: F405
