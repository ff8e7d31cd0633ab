"""The Django project: settings, URLs, WSGI/ASGI, Celery, and the API conventions
(error contract, pagination, permissions) shared by every app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
