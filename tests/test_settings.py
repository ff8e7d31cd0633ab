"""Production settings: every secret from the environment, none of them a placeholder,
`check --deploy` clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_VARIABLES = {"SECRET_KEY", "PATRON_CARD_PEPPER", "ALLOWED_HOSTS", "CACHE_URL"}
REQUIRED = {
    "ALLOWED_HOSTS": "catalogue.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "CACHE_URL": "redis://127.0.0.1:6379/1",  # not connected to by `check`
}


def env_example() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#") and "=" in line
    )
    return {name.strip(): value.strip() for name, value in pairs}


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_VARIABLES}
    env.update({"DJANGO_SETTINGS_MODULE": "backend.settings.production", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PATRON_CARD_PEPPER": secrets.token_urlsafe(50),
            **REQUIRED,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage(
        "check", env_extra={"PATRON_CARD_PEPPER": secrets.token_urlsafe(50), **REQUIRED}
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_env_example_s_placeholders_and_check_deploy_says_why():
    example = env_example()
    result = _manage(
        "check",
        "--deploy",
        env_extra={
            "SECRET_KEY": example["SECRET_KEY"],
            "PATRON_CARD_PEPPER": example["PATRON_CARD_PEPPER"],
            **REQUIRED,
        },
    )
    assert result.returncode != 0
    assert "Refusing to start: SECRET_KEY is a placeholder published in this repository" in (
        result.stderr
    )
    assert "PATRON_CARD_PEPPER is a placeholder" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr  # and how to make one


def test_the_card_pepper_is_a_secret_of_its_own():
    """It used to default to the SECRET_KEY: now production needs it, and another value."""
    key = secrets.token_urlsafe(50)
    missing = _manage("check", env_extra={"SECRET_KEY": key, **REQUIRED})
    assert missing.returncode != 0
    assert "PATRON_CARD_PEPPER" in missing.stderr
    same = _manage("check", env_extra={"SECRET_KEY": key, "PATRON_CARD_PEPPER": key, **REQUIRED})
    assert same.returncode != 0
    assert "PATRON_CARD_PEPPER is the SECRET_KEY" in same.stderr


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("change-me-to-a-long-random-value-of-at-least-fifty-characters-0123", True),
        ("insecure-local-only-key-change-me-9f3b2c1d7e", True),
        ("a-perfectly-long-value-but-it-says-CHANGEME-somewhere-in-it-0123456", True),
        ("django-insecure-" + "x1y2z3" * 10, True),
        ("short-but-random-Zq8", True),
        ("a" * 60, True),
        ("Xr4r0QGk7ltpR2nN0Zb5n2cJ3VqE1y9nWm0s-8bq3Yc0u2TgM9eL5dKxH1aV7pRs", False),
    ],
)
def test_which_secrets_production_refuses(value, refused):
    from backend.settings.secrets import secret_problem

    assert (secret_problem("SECRET_KEY", value) is not None) == refused


def test_the_cache_is_shared_in_production():
    """Login throttles and lockout counters live in the cache: one per worker would
    multiply the allowance by the number of workers."""
    env = {k: v for k, v in REQUIRED.items() if k != "CACHE_URL"}
    key = secrets.token_urlsafe(50)
    result = _manage("check", env_extra={"SECRET_KEY": key, "PATRON_CARD_PEPPER": key[::-1], **env})
    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr
