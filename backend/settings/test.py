"""Test settings: fast password hashing, in-memory email, tasks in-process.

Files the tests store go to a temporary directory of their own process (each parallel
worker has one), never into the checkout; it is deleted when the process ends."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="catalogue-test-files-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Each test process has its own local-memory cache (the lockout's counters included).
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "axes.W001"]  # noqa: F405
