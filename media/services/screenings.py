"""The file of a booked public screening, for the booking's library only, from
SCREENING_DOWNLOAD_DAYS_BEFORE days before the screening to the day after, in the quality
the film's rights grant allows: HD (the master) or SD (a standard-definition rendition)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError, ConflictError
from media import selectors
from media.errors import MediaErrorCode
from media.objectstore import get_store, presign_seconds
from rights.models import RightsGrant

SD = RightsGrant.Quality.SD


@dataclass(frozen=True)
class Download:
    url: str
    expires_in: int
    asset_id: int
    kind: str
    size: int | None
    window_opens_on: datetime.date
    window_closes_on: datetime.date
    screening_quality: str


def download_window(starts_at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The first and last day the file of a screening starting at `starts_at` may be
    downloaded: SCREENING_DOWNLOAD_DAYS_BEFORE days before the day, to the day after."""
    day = timezone.localtime(starts_at).date()
    opens = day - datetime.timedelta(days=settings.SCREENING_DOWNLOAD_DAYS_BEFORE)
    return opens, day + datetime.timedelta(days=1)


def screening_days_downloadable(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last screening day whose download window is open on `today` (for a
    list's filter: the same window as `download_window`)."""
    return (
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=settings.SCREENING_DOWNLOAD_DAYS_BEFORE),
    )


def screening_download(*, booking, today: datetime.date | None = None) -> Download:
    """A presigned URL of the screening's file. The booking was checked against the
    rights when it was made; the rights engine is asked again for the screening day (the
    film may have been withdrawn since), without the yearly cap this booking counts in,
    and its grant's `screening_quality` says which file: the HD master (else the 1080p
    rendition), or for an SD grant the tallest SD rendition."""
    from rights.decisions import decide

    today = today or timezone.localdate()
    day = timezone.localtime(booking.starts_at).date()
    opens, closes = download_window(booking.starts_at)
    window = {"window_opens_on": opens.isoformat(), "window_closes_on": closes.isoformat()}
    if booking.status == "cancelled":
        raise ApplicationError(
            MediaErrorCode.BOOKING_CANCELLED, _("This screening was cancelled."), status=403
        )
    if today < opens:
        raise ApplicationError(
            MediaErrorCode.DOWNLOAD_NOT_YET_OPEN,
            _("The film can be downloaded from %(day)s.") % {"day": opens},
            status=403,
            extra=window,
        )
    if today > closes:
        raise ApplicationError(
            MediaErrorCode.DOWNLOAD_CLOSED,
            _("The download closed on %(day)s.") % {"day": closes},
            status=403,
            extra=window,
        )
    decision = decide(booking.library, booking.film, "public_screening", on=day, usage=0)
    if not decision.allowed:
        raise ApplicationError(
            decision.reason,
            _("The rights no longer allow this screening (%(reason)s).")
            % {"reason": decision.reason},
            status=403,
        )
    quality = decision.screening_quality
    if quality == SD:
        asset = selectors.sd_download_asset(booking.film_id)
        if asset is None:
            raise ConflictError(
                MediaErrorCode.NO_SD_ASSET,
                _("The rights allow this film in SD only, and no SD file of it is ready yet."),
            )
    else:
        asset = selectors.hd_download_asset(booking.film_id)
        if asset is None:
            raise ConflictError(MediaErrorCode.NO_HD_ASSET, _("No HD file of this film yet."))
    expires = presign_seconds()
    filename = f"{booking.film.reference}{asset.storage_key[asset.storage_key.rfind('.') :]}"
    return Download(
        url=get_store().download_url(asset.storage_key, expires=expires, filename=filename),
        expires_in=expires,
        asset_id=asset.pk,
        kind=asset.kind,
        size=asset.size,
        window_opens_on=opens,
        window_closes_on=closes,
        screening_quality=quality,
    )
