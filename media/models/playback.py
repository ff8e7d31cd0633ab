"""Playback sessions (one per "play", holding a concurrent-stream slot while heartbeats
arrive) and the view events they leave for statistics."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class StreamMedium(models.TextChoices):
    """The rights medium a session streams under (values of `rights.models.Medium`)."""

    ONSITE = "stream_onsite", _("Streaming in the library")
    HOME = "stream_home", _("Streaming at home")


class PlaybackSession(models.Model):
    """A patron (or library staff member) watching a film. It occupies one of the
    subscription's concurrent streams while it is not ended and its last heartbeat is
    recent (MEDIA_HEARTBEAT_TIMEOUT_SECONDS)."""

    id = models.UUIDField(_("id"), primary_key=True, default=uuid.uuid4, editable=False)
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.PROTECT, related_name="+", verbose_name=_("film")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="playback_sessions",
        verbose_name=_("user"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
    )
    subscription = models.ForeignKey(
        "subscriptions.Subscription",
        on_delete=models.PROTECT,
        related_name="playback_sessions",
        verbose_name=_("subscription"),
    )
    medium = models.CharField(_("medium"), max_length=20, choices=StreamMedium.choices)
    started_at = models.DateTimeField(_("started at"))
    last_heartbeat_at = models.DateTimeField(_("last heartbeat at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    seconds_watched = models.PositiveIntegerField(_("seconds watched"), default=0)
    # Where the player is in the film (its last heartbeat; at the start, where it resumes)
    # and how long the stream is: a position beyond it is refused.
    position_seconds = models.FloatField(_("position (seconds)"), default=0)
    duration_seconds = models.FloatField(_("stream duration (seconds)"), null=True, blank=True)

    class Meta:
        verbose_name = _("playback session")
        verbose_name_plural = _("playback sessions")
        ordering = ["-started_at"]
        indexes = [
            models.Index(
                fields=["subscription", "last_heartbeat_at"],
                condition=Q(ended_at__isnull=True),
                name="playback_open_by_subscription",
            ),
            # the viewer's last session of a film: where to resume, which one to end
            models.Index(fields=["user", "film", "-started_at"], name="playback_viewer_film"),
        ]
        constraints = [
            # One open session per viewer and film: a new start ends the earlier one.
            models.UniqueConstraint(
                fields=["user", "film"],
                condition=Q(ended_at__isnull=True),
                name="playback_one_open_session_per_viewer_film",
            ),
            models.CheckConstraint(
                name="playback_position_not_negative", condition=Q(position_seconds__gte=0)
            ),
        ]

    def __str__(self):
        return str(self.id)


class ViewEvent(models.Model):
    """A view for statistics: which film, which library, on site or at home, how long.
    The viewer is a keyed pseudonym, not a foreign key: it survives the patron's erasure
    and cannot be turned back into an account."""

    session = models.OneToOneField(
        PlaybackSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="view",
        verbose_name=_("playback session"),
    )
    film = models.ForeignKey(
        "catalogue.Film", on_delete=models.PROTECT, related_name="+", verbose_name=_("film")
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("institution"),
    )
    viewer_pseudonym = models.CharField(_("viewer pseudonym"), max_length=64, db_index=True)
    medium = models.CharField(_("medium"), max_length=20, choices=StreamMedium.choices)
    seconds_watched = models.PositiveIntegerField(_("seconds watched"))
    started_at = models.DateTimeField(_("started at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("view event")
        verbose_name_plural = _("view events")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["institution", "started_at"]),
            # statistics over a period for every library (national series, by film, by
            # department): a range scan on the day the view started
            models.Index(fields=["started_at"], name="view_event_started_at_idx"),
        ]

    def __str__(self):
        return f"{self.film_id}@{self.institution_id} {self.seconds_watched}s"
