"""The Celery application. In `make run` and the tests, tasks run in-process
(CELERY_TASK_ALWAYS_EAGER); in docker-compose they run in the worker and beat services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.local")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
