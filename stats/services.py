"""Writes of the stats app: SUSHI credentials (created with a key shown once, revoked),
and the statistics CSVs prepared in the background (`stats_export_request`, prepared by
`stats_export_prepare` in the task; see `backend.exports`)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import exports
from backend.errors import ApplicationError, ConflictError
from institutions.models import Institution
from stats.errors import StatsErrorCode
from stats.exports import table_csv_bytes
from stats.locks import lock_sushi_credential
from stats.models import StatsExport, SushiCredential
from stats.selectors.scope import Period, StatsScope, period_from, stats_scope_get_for
from stats.selectors.tables import GROUPINGS, TABLES, stats_table


def sushi_key_digest(api_key: str) -> str:
    """The keyed digest stored in place of an API key."""
    return hmac.new(settings.SECRET_KEY.encode(), api_key.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class NewSushiCredential:
    credential: SushiCredential
    api_key: str  # in clear only here, to be shown once


@transaction.atomic
def sushi_credential_create(
    *, institution: Institution, created_by=None, label: str = ""
) -> NewSushiCredential:
    api_key = secrets.token_urlsafe(32)
    credential = SushiCredential(
        institution=institution,
        requestor_id=secrets.token_hex(12),
        key_digest=sushi_key_digest(api_key),
        label=label,
        created_by=created_by,
    )
    credential.full_clean()
    credential.save()
    return NewSushiCredential(credential=credential, api_key=api_key)


@transaction.atomic
def sushi_credential_revoke(*, credential: SushiCredential) -> SushiCredential:
    credential = lock_sushi_credential(credential.pk)
    if credential.revoked_at is not None:
        raise ConflictError(
            StatsErrorCode.CREDENTIAL_REVOKED, _("This SUSHI credential is already revoked.")
        )
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    return credential


def stats_export_request(
    *,
    user,
    table: str,
    scope: StatsScope,
    period: Period,
    group_by: str = "month",
    estimated_rows: int | Callable[[], int] = 0,
) -> StatsExport:
    """Ask for a table's CSV to be prepared in the background, for the staff of `user`'s
    institution; the same CSV asked for again while it is prepared or ready is the same
    export. `estimated_rows` may be a function, called only once the request is admitted
    and only for a new export. `scope` is what `stats_scope_get_for` gave the user (checked again when the
    file is prepared)."""
    if table not in TABLES:
        raise ApplicationError(StatsErrorCode.INVALID_TABLE, _("No such table."), field="table")
    if group_by not in GROUPINGS:
        raise ApplicationError(
            StatsErrorCode.INVALID_TABLE, _("No such grouping."), field="group_by"
        )
    if scope.institution is None or user.institution_id is None:
        raise ApplicationError(
            StatsErrorCode.INSTITUTION_REQUIRED, _("Choose an institution."), field="institution"
        )
    if table == "home_areas" and scope.is_network:
        raise ApplicationError(
            StatsErrorCode.INVALID_TABLE, _("This table describes one library."), field="table"
        )
    from stats.tasks import stats_export_prepare  # imported here: the task imports services

    who = scope.institution
    return exports.export_request(
        StatsExport,
        task=stats_export_prepare,
        institution=user.institution,
        requested_by=user,
        kind=table,
        parameters={
            "table": table,
            "group_by": group_by,
            "institution": who.pk,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        filename=f"{table}-{who.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv",
        content_type="text/csv; charset=utf-8",
        estimated_rows=estimated_rows,
    )


def _stats_csv(export: StatsExport) -> exports.Produced:
    """The CSV of an export's table, for the scope its requester may still read."""
    wanted = export.parameters
    user = export.requested_by
    if user is None or not user.is_active:
        raise ApplicationError(
            StatsErrorCode.INSTITUTION_REQUIRED,
            _("The account that asked for this file is closed."),
        )
    scope = stats_scope_get_for(user, wanted["institution"])  # no longer theirs: failed
    period = period_from(
        datetime.date.fromisoformat(wanted["start"]), datetime.date.fromisoformat(wanted["end"])
    )
    rows = stats_table(wanted["table"], scope=scope, period=period, group_by=wanted["group_by"])
    return table_csv_bytes(rows, list(rows[0]) if rows else []), len(rows)


def stats_export_prepare(*, export_id: int) -> str:
    """Prepare a pending statistics export (its task's body)."""
    return exports.export_run(StatsExport, export_id=export_id, produce=_stats_csv)


def stats_exports_sweep() -> dict[str, int]:
    """Delete expired statistics exports, fail the stale ones."""
    return exports.exports_sweep(StatsExport)
