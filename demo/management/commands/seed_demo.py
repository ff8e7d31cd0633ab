"""Build the deterministic demo data set (the 2017 figures of the national catalogue)."""

import importlib
import importlib.util
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from backend.revision import counter as revision
from catalogue.models import Film
from demo.plan import DemoContext


def _demo_modules():
    for app in settings.LOCAL_APPS:
        name = f"{app}.demo"
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


class Command(BaseCommand):
    help = (
        "Build demo data shaped like the national catalogue's 2017 figures (881 films, "
        "645 DVD-authorised libraries, 33 subscribers covering 1,069 libraries). "
        "Safe to run twice: each app skips what is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiply every figure")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the catalogue has films"
        )

    def handle(self, *args, scale, if_empty, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data (public demo accounts, passwords and keys) is refused with these "
                "settings; set DEMO_DATA_ALLOWED=true only for a throwaway database."
            )
        if scale < 1 or scale > 100:
            raise CommandError("--scale must be between 1 and 100")
        if if_empty and Film.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        started = time.monotonic()
        ctx = DemoContext(scale=scale, stdout=self.stdout)
        for module in _demo_modules():
            with transaction.atomic():
                module.seed(ctx)
        revision.bump()  # bulk inserts send no signals: cached pages are now stale
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready (scale {scale}) in {time.monotonic() - started:.1f} s"
            )
        )
