"""Which secrets production refuses: those published in this repository (.env.example's
placeholders, the embedded defaults), Django's insecure development keys, weak ones, and a
card pepper that is the SECRET_KEY."""

from __future__ import annotations

#: Values published in this repository (.env.example, the embedded defaults, old image
#: builds): whoever reads it knows them.
KNOWN_PLACEHOLDER_SECRETS = frozenset(
    {
        "change-me-to-a-long-random-value-of-at-least-fifty-characters-0123",
        "change-me-to-another-long-random-value-for-the-card-digests-4567",
        "insecure-local-only-key-change-me-9f3b2c1d7e",
        "insecure-local-only-card-pepper-change-me-4c8e1a",
        "collectstatic-at-build-time-only",
    }
)
GENERATE = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


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


def secrets_problems(*, secret_key: str, card_pepper: str) -> list[str]:
    """Every reason to refuse these secrets (empty: they will do)."""
    problems = [
        problem
        for problem in (
            secret_problem("SECRET_KEY", secret_key),
            secret_problem("PATRON_CARD_PEPPER", card_pepper),
        )
        if problem
    ]
    if card_pepper == secret_key:
        problems.append(
            "PATRON_CARD_PEPPER is the SECRET_KEY: the card digests need a secret of their "
            "own (to keep the cards registered under it, move the value to "
            "PATRON_CARD_PEPPER and give SECRET_KEY a new one)"
        )
    return problems
