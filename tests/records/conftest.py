import pytest
from django.utils import timezone

from subscriptions.models import TariffGrid
from subscriptions.services.subscriptions import subscription_activate, subscription_quote_create
from tests.subscriptions.conftest import make_grid


@pytest.fixture(autouse=True)
def _frontend(settings):
    settings.FRONTEND_BASE_URL = "http://testserver-front"


def subscribe(subscriber, *, plan="platform"):
    """An active subscription of `subscriber` (a library or a network) from today."""
    today = timezone.localdate()
    grid = TariffGrid.objects.filter(year=today.year).first() or make_grid(today.year)
    quote = subscription_quote_create(
        subscriber=subscriber, plan=grid.plans.get(code=plan), starts_on=today
    )
    return subscription_activate(subscription=quote)


@pytest.fixture
def subscribed(network, library):
    """The library's network subscribes to the platform (streaming included)."""
    return subscribe(network)
