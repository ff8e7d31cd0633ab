"""WSGI entry point (gunicorn in production and in `make bench`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.production")

application = get_wsgi_application()
