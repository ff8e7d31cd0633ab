"""Reads of the media app: assets visible to the cinema staff, the ready renditions and
tracks of a film, and the stream slots a subscription is using."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.access import get_or_not_found
from media.models import Asset, PlaybackSession, Upload


def assets_visible_to(user) -> QuerySet[Asset]:
    """Assets are the cinema service's working files: its staff see them, nobody else."""
    qs = Asset.objects.select_related("profile")
    return qs if user.is_authenticated and user.is_cinema_staff else qs.none()


def asset_get_for(user, asset_id) -> Asset:
    return get_or_not_found(assets_visible_to(user), asset_id, _("No such asset."))


def upload_get_for(user, upload_id) -> Upload:
    """An upload, for the staff member who started it only (others get a 404)."""
    qs = Upload.objects.select_related("asset").filter(started_by_id=user.pk)
    if not (user.is_authenticated and user.is_cinema_staff):
        qs = qs.none()
    return get_or_not_found(qs, upload_id, _("No such upload."))


def ready_renditions(film_id: int) -> list[Asset]:
    """The ready HLS renditions of a film's latest ready master, tallest first."""
    master = (
        Asset.objects.filter(film_id=film_id, kind=Asset.Kind.MASTER, status=Asset.Status.READY)
        .order_by("-pk")
        .first()
    )
    if master is None:
        return []
    return list(
        Asset.objects.filter(
            source=master, kind=Asset.Kind.HLS_RENDITION, status=Asset.Status.READY
        )
        .select_related("profile")
        .order_by("-height")
    )


def has_ready_rendition(film_id: int) -> bool:
    """Whether a film can be streamed: one query (the playback start's hot path)."""
    return Asset.objects.filter(
        film_id=film_id,
        kind=Asset.Kind.HLS_RENDITION,
        status=Asset.Status.READY,
        source__kind=Asset.Kind.MASTER,
        source__status=Asset.Status.READY,
    ).exists()


def ready_tracks(film_id: int) -> list[Asset]:
    """Ready subtitle and audio-description tracks of a film."""
    return list(
        Asset.objects.filter(
            film_id=film_id,
            kind__in=[Asset.Kind.SUBTITLES, Asset.Kind.AUDIO_DESCRIPTION],
            status=Asset.Status.READY,
        ).order_by("kind", "language", "pk")
    )


def hd_download_asset(film_id: int) -> Asset | None:
    """What a screening projects: the latest verified HD master, else the 1080p rendition."""
    master = (
        Asset.objects.filter(
            film_id=film_id,
            kind=Asset.Kind.MASTER,
            status__in=[Asset.Status.VERIFIED, Asset.Status.TRANSCODING, Asset.Status.READY],
        )
        .order_by("-pk")
        .first()
    )
    if master is not None:
        return master
    return (
        Asset.objects.filter(
            film_id=film_id,
            kind=Asset.Kind.HLS_RENDITION,
            status=Asset.Status.READY,
            height__gte=1080,
        )
        .order_by("-pk")
        .first()
    )


def heartbeat_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    return now - datetime.timedelta(seconds=settings.MEDIA_HEARTBEAT_TIMEOUT_SECONDS)


def open_sessions(now: datetime.datetime | None = None) -> QuerySet[PlaybackSession]:
    """Sessions holding a stream slot: not ended, heard from recently."""
    return PlaybackSession.objects.filter(
        ended_at__isnull=True, last_heartbeat_at__gte=heartbeat_cutoff(now)
    )
