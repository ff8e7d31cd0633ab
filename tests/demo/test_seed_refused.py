"""seed_demo writes public demo accounts, passwords and a SUSHI key: where the settings do
not allow demo data (production), it refuses before writing anything."""

import pytest
from django.core.management import call_command

from accounts.models import User
from institutions.models import Institution

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_demo_data_is_refused_where_it_is_not_allowed(settings):
    from django.core.management.base import CommandError

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="DEMO_DATA_ALLOWED"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.exists()
    assert not Institution.objects.exists()
