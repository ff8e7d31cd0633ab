import pytest


@pytest.fixture(autouse=True)
def _frontend(settings):
    settings.FRONTEND_BASE_URL = "http://testserver-front"
