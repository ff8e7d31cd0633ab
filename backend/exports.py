"""Files prepared in the background and offered when ready (a large statistics CSV, a full
MARC file): what every such export shares, whichever app owns it.

An app that exports a long file owns a concrete model on `PreparedExport` (with its
`institution`: whose staff may see the file), a service that asks for one
(`export_request`), a Celery task that prepares it (`export_run`, with the app's producer)
and a sweep (`exports_sweep`) that deletes expired files and fails the ones whose worker
is lost. Small exports stay immediate: the app decides by a threshold on the estimated
number of rows or records.

When is a worker lost? Not when a file simply takes long: while the producer runs, a
thread of the worker refreshes the export's `heartbeat_at` every
`EXPORT_HEARTBEAT_SECONDS` (60). The sweep fails a running export whose last heartbeat
(or claim) is older than `EXPORT_STALE_MINUTES` (30) — its process died, or was killed by
a time limit — and a pending one asked for that long ago and never claimed (its task was
lost). A producer that hangs while its process lives keeps beating: it is given up after
`EXPORT_MAX_RUNNING_MINUTES` (360) since its claim. Either way a worker that ends later
finds its export failed and throws its file away.

States: pending (asked, the task queued once the transaction commits) → running (claimed
by one worker: a conditional UPDATE, so two workers never both prepare it) → ready (the
file in the default storage) or failed (with a sentence saying why; never a 500). The
same file asked for again while pending, running or ready is the same export (a unique
constraint on the live ones, so a double click asks once). Files expire after
`EXPORT_KEEP_HOURS`.
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
import uuid
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.errors import ApplicationError, NotFoundError

logger = logging.getLogger(__name__)


class ExportState(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


LIVE_STATES = (ExportState.PENDING, ExportState.RUNNING)


def export_upload_to(instance, filename: str) -> str:
    return f"exports/{instance._meta.app_label}/{uuid.uuid4().hex}/{filename}"


class PreparedExport(models.Model):
    """A file asked for by an institution's staff, prepared by a worker. Concrete models
    add `institution` (the owner: only its staff see the export) and their kinds."""

    State = ExportState

    kind = models.CharField(_("kind"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict)
    #: `kind` and `parameters` as canonical JSON: the same file asked for twice
    parameters_key = models.CharField(_("parameters key"), max_length=500)
    state = models.CharField(
        _("state"), max_length=10, choices=ExportState.choices, default=ExportState.PENDING
    )
    language = models.CharField(_("language"), max_length=10, default="fr")
    estimated_rows = models.PositiveIntegerField(_("estimated rows"), default=0)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    #: refreshed by the worker while it prepares the file: the sweep's sign of life
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.kind} {self.pk} ({self.state})"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES

    @property
    def is_ready(self) -> bool:
        return self.state == ExportState.READY


def live_export_constraint(name: str) -> models.UniqueConstraint:
    """One pending or running export per institution and file (concrete models' Meta)."""
    return models.UniqueConstraint(
        fields=["institution", "parameters_key"],
        condition=Q(state__in=LIVE_STATES),
        name=name,
    )


def parameters_key(kind: str, parameters: dict) -> str:
    return json.dumps([kind, parameters], sort_keys=True, separators=(",", ":"), default=str)


def exports_visible(model, institution_id, *, now=None) -> models.QuerySet:
    """The institution's exports not yet expired, newest first."""
    return model.objects.filter(
        institution_id=institution_id, expires_at__gt=now or timezone.now()
    ).order_by("-created_at", "-pk")


def export_get_for(model, user, pk) -> PreparedExport:
    """An export the user may see: their own institution's, not expired (404 otherwise,
    as every private object; the cinema staff do not read libraries' files here)."""
    not_found = NotFoundError("not_found", gettext("No such file."))
    if not (user.is_authenticated and user.is_institution_staff and user.institution_id):
        raise not_found
    try:
        return exports_visible(model, user.institution_id).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise not_found from None


def export_request(
    model,
    *,
    task,
    institution,
    requested_by,
    kind: str,
    parameters: dict,
    filename: str,
    content_type: str,
    estimated_rows: int | Callable[[], int] = 0,
) -> PreparedExport:
    """Ask for a file to be prepared: the live or ready export of the same file when there
    is one, else a new pending export whose task is queued once the transaction commits.
    `estimated_rows` may be a function (a count costing a query): called only for a new
    export."""
    now = timezone.now()
    key = parameters_key(kind, parameters)
    with transaction.atomic():
        found = (
            exports_visible(model, institution.pk, now=now)
            .filter(parameters_key=key, state__in=[*LIVE_STATES, ExportState.READY])
            .first()
        )
        if found is not None:
            return found
        if callable(estimated_rows):
            estimated_rows = estimated_rows()
        try:
            with transaction.atomic():
                export = model.objects.create(
                    institution=institution,
                    requested_by=requested_by,
                    kind=kind,
                    parameters=parameters,
                    parameters_key=key,
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                    filename=filename,
                    content_type=content_type,
                    estimated_rows=estimated_rows,
                    created_at=now,
                    expires_at=now + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS),
                )
        except IntegrityError:
            # the same file asked for at the same moment: that one, whatever became of it
            # since (prepared already, or failed: the newest is shown, asking again retries)
            other = (
                model.objects.filter(institution=institution, parameters_key=key)
                .order_by("-created_at", "-pk")
                .first()
            )
            if other is None:
                raise ApplicationError(
                    "export_busy", gettext("This file is being asked for; try again."), status=409
                ) from None
            return other
        transaction.on_commit(partial(task.delay, export.pk), robust=True)
    return export


#: what a producer returns: the file's bytes and its number of rows or records
Produced = tuple[bytes, int]


def export_run(model, *, export_id: int, produce: Callable[[PreparedExport], Produced]) -> str:
    """Prepare a pending export (the task's body): claim it (one worker only), produce the
    file, store it, mark it ready — or failed with the reason. Never raises for a
    producer's failure: the page shows the sentence instead. A producer may rename the
    file (`export.filename`) after what it read, e.g. the day its content is of."""
    now = timezone.now()
    claimed = model.objects.filter(pk=export_id, state=ExportState.PENDING).update(
        state=ExportState.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return "skipped"
    export = model.objects.select_related("institution", "requested_by").get(pk=export_id)
    with translation.override(export.language):
        try:
            with Heartbeat(model, export_id):
                body, rows = produce(export)
                name = export.file.storage.save(
                    export_upload_to(export, export.filename), ContentFile(body)
                )
        except ApplicationError as exc:
            return _fail(model, export_id, str(exc.message))
        except Exception:
            logger.exception("export %s %s failed", model._meta.label, export_id)
            return _fail(
                model,
                export_id,
                gettext("The file could not be prepared. Ask for it again later."),
            )
    # still ours: the sweep may have given it up meanwhile (a slow worker taken for lost)
    done = model.objects.filter(pk=export_id, state=ExportState.RUNNING).update(
        state=ExportState.READY,
        file=name,
        filename=export.filename,
        rows=rows,
        size=len(body),
        finished_at=timezone.now(),
    )
    if not done:  # it stays failed (or gone): the file would belong to no export
        export.file.storage.delete(name)
        return model.objects.filter(pk=export_id).values_list("state", flat=True).first() or (
            "skipped"
        )
    return ExportState.READY


class Heartbeat:
    """While the block runs, a thread refreshes the running export's `heartbeat_at` every
    `EXPORT_HEARTBEAT_SECONDS` (one conditional UPDATE on its own connection, closed when
    the block ends). The beats say the worker's process lives, whatever the producer does
    meanwhile (one long query, or writing); they stop with the block, or with the process."""

    def __init__(self, model, export_id: int, *, every: float | None = None) -> None:
        self.model = model
        self.export_id = export_id
        self.every = settings.EXPORT_HEARTBEAT_SECONDS if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"export-heartbeat-{export_id}", daemon=True
        )

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                self._beat()
        finally:
            connections.close_all()  # this thread's connections only

    def _beat(self) -> None:
        """One beat. A failed one (the database restarting, a dropped connection) is
        logged and its connection closed, so that the next beat opens a fresh one: the
        beats go on — only beats missed for `EXPORT_STALE_MINUTES` fail the export."""
        try:
            self.model.objects.filter(pk=self.export_id, state=ExportState.RUNNING).update(
                heartbeat_at=timezone.now()
            )
        except Exception:  # never the file's business
            logger.exception(
                "export %s %s: heartbeat failed", self.model._meta.label, self.export_id
            )
            connections.close_all()

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def _fail(model, export_id: int, message: str) -> str:
    model.objects.filter(pk=export_id, state=ExportState.RUNNING).update(
        state=ExportState.FAILED, error=message[:500], finished_at=timezone.now()
    )
    return ExportState.FAILED


def exports_sweep(model, *, now=None) -> dict[str, int]:
    """Delete expired exports and their files; fail those whose worker is lost: pending
    and never claimed for `EXPORT_STALE_MINUTES` (the task was lost), running without a
    heartbeat for as long (the worker died), or running longer than
    `EXPORT_MAX_RUNNING_MINUTES` (the producer hangs)."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(minutes=settings.EXPORT_STALE_MINUTES)
    too_long = now - datetime.timedelta(minutes=settings.EXPORT_MAX_RUNNING_MINUTES)
    with translation.override(settings.LANGUAGE_CODE):
        # pending since asked for; running since its last heartbeat (the claim is the first:
        # a task may wait in the queue before a worker claims it), or since its claim
        failed = model.objects.filter(
            Q(state=ExportState.PENDING, created_at__lt=stale)
            | Q(state=ExportState.RUNNING, heartbeat_at__lt=stale)
            | Q(state=ExportState.RUNNING, heartbeat_at__isnull=True, started_at__lt=stale)
            | Q(state=ExportState.RUNNING, started_at__lt=too_long)
        ).update(
            state=ExportState.FAILED,
            error=gettext("Preparing the file took too long. Ask for it again."),
            finished_at=now,
        )
    expired = list(model.objects.filter(expires_at__lte=now).values_list("pk", "file"))
    storage = model._meta.get_field("file").storage
    for _pk, name in expired:
        if name:
            storage.delete(name)
    model.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
    return {"failed": failed, "deleted": len(expired)}
