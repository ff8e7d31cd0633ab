"""Demo update files: the demo library's dated MARC update files of the last days, so
that the records page ("Notices catalographiques") lists some after `make run`. Computed
by the daily task's service (`record_updates_compute`), run as it would have run each
morning of the last `DAYS` days, for the demo library only (every library covered would
be hundreds of thousands of records: too long for the seed). The first day's file holds
a new record of every film the library may stream, as a library's first file does; the
later days' hold what the rights engine's answer changed. Safe to run twice: a library
that already has update files is left as it is."""

from __future__ import annotations

import datetime

from django.utils import timezone

from demo import plan
from institutions.demo import DEMO_LIBRARY_CODE
from institutions.models import Institution
from records.models import RecordChange
from records.services import record_updates_compute

#: the days computed, today included
DAYS = 3


def seed(ctx: plan.DemoContext) -> None:
    library = Institution.objects.filter(code=DEMO_LIBRARY_CODE).first()
    if library is None:
        return
    if RecordChange.objects.filter(institution=library).exists():
        ctx.say("records: update files already present, skipped")
        return
    today = timezone.localdate()
    new = deleted = 0
    for back in range(DAYS - 1, -1, -1):
        day = today - datetime.timedelta(days=back)
        done = record_updates_compute(today=day, institutions=[library])
        new, deleted = new + done["new"], deleted + done["deleted"]
    ctx.say(f"records: {library.code}'s update files of {DAYS} days, {new} new, {deleted} deleted")
