"""Replay the media jobs left half-way: checksums of assets still `uploaded` and content
checks of assets `verified` but never inspected (their task was lost), and transcodings
stuck in `transcoding` (their worker died). The tasks are idempotent, so replaying one
that is in fact running does no harm."""

import datetime

from django.core.management.base import BaseCommand

from media.services.transcoding import transcodes_stuck
from media.services.uploads import assets_awaiting_inspection, assets_awaiting_verification
from media.tasks import inspect_asset, transcode_master, verify_asset


class Command(BaseCommand):
    help = "Re-queue lost checksum verifications and content checks, and stuck transcodings."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="only jobs untouched for at least this long (default 60)",
        )

    def handle(self, *args, older_than_minutes, **options):
        age = datetime.timedelta(minutes=older_than_minutes)
        verifications = assets_awaiting_verification(older_than=age)
        for asset_id in verifications:
            verify_asset.delay(asset_id)
        inspections = assets_awaiting_inspection(older_than=age)
        for asset_id in inspections:
            inspect_asset.delay(asset_id)
        transcodings = transcodes_stuck(older_than=age)
        for asset_id in transcodings:
            transcode_master.delay(asset_id)
        self.stdout.write(
            f"re-queued {len(verifications)} verification(s), {len(inspections)} content "
            f"check(s), {len(transcodings)} transcoding(s)"
        )
