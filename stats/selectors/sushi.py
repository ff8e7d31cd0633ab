"""The SUSHI protocol (COUNTER_SUSHI5 API, Release 5.1): who is harvesting (requestor id
and API key), for which customer (an institution's code), over which months — every
refusal a COUNTER exception with its code, message and HTTP status.

Rules:
- `requestor_id` names an active credential (else 2000), `api_key` is its key (else
  2020); both are checked before anything else is read.
- `customer_id` is an institution's code: the credential's own institution, or for a
  network's credential one of its current members (else 2010, for an unknown code too,
  so codes reveal nothing). The report of a network counts its members' usage while they
  were members.
- other parameters (filters and attributes of COUNTER's master reports: IR_M1 and PR_P1
  are standard views with fixed filters) are ignored and named in a 3050 exception;
- `begin_date` / `end_date` are YYYY-MM or YYYY-MM-DD and cover whole months (missing:
  1030; malformed, reversed, before 2000 or after 2100, over ten years: 3020). A period
  that starts after the current month answers 3031 and no items; one that ends after it
  is cut at the end of the current month, with 3031 naming the months left out.
"""

from __future__ import annotations

import datetime
import hmac
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import ApplicationError
from institutions.models import Institution
from institutions.selectors import network_members
from stats.errors import StatsErrorCode
from stats.models import SushiCredential
from stats.selectors.counter import month_period
from stats.selectors.scope import MAX_PERIOD_DAYS, Period, StatsScope
from stats.services import sushi_key_digest

RELEASE = "5.1"
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
MAX_PARAMETER_LENGTH = 200

#: COUNTER's exception codes used here: message, HTTP status when the request fails
EXCEPTIONS = {
    1000: ("Service Not Available", 503),
    1030: ("Insufficient Information to Process Request", 400),
    2000: ("Requestor Not Authorized to Access Service", 401),
    2010: ("Requestor Not Authorized to Access Usage for Institution", 403),
    2020: ("API Key Invalid", 401),
    3000: ("Report Not Supported", 404),
    3020: ("Invalid Date Arguments", 400),
    3030: ("No Usage Available for Requested Dates", 200),
    3031: ("Usage Not Ready for Requested Dates", 200),
    3050: ("Parameter Not Recognized in this Context", 200),
}
#: the parameters a report understands; others are reported (3050) and ignored
REPORT_PARAMETERS = {"requestor_id", "api_key", "customer_id", "begin_date", "end_date"}


def platform_name() -> str:
    return getattr(settings, "SUSHI_PLATFORM", "films-documentaires")


def sushi_exception(code: int, data: str = "") -> dict:
    """An exception in COUNTER 5.1's JSON shape."""
    exception = {"Code": code, "Message": EXCEPTIONS[code][0]}
    if data:
        exception["Data"] = data
    return exception


class SushiError(Exception):
    """A request that fails as a whole: answered with the exception alone."""

    def __init__(self, code: int, data: str = ""):
        super().__init__(f"{code} {data}")
        self.code = code
        self.data = data

    @property
    def status(self) -> int:
        return EXCEPTIONS[self.code][1]

    def body(self) -> dict:
        return sushi_exception(self.code, self.data)


def service_check() -> None:
    if not getattr(settings, "SUSHI_ENABLED", True):
        raise SushiError(1000, "The SUSHI service is switched off.")


def _parameter(params, name: str, unusable_code: int) -> str:
    """A parameter's value ("" when absent); an unusable one (too long, NUL characters)
    is refused with the exception its nonsense deserves."""
    value = params.get(name, "")
    if len(value) > MAX_PARAMETER_LENGTH or "\x00" in value:
        raise SushiError(unusable_code, f"{name} is not usable.")
    return value.strip()


def credential_authenticate(params) -> SushiCredential:
    """The active credential named by `requestor_id`, if `api_key` is its key."""
    requestor_id = _parameter(params, "requestor_id", 2000)
    api_key = _parameter(params, "api_key", 2020)
    if not requestor_id:
        raise SushiError(2000, "requestor_id is required.")
    credential = (
        SushiCredential.objects.select_related("institution")
        .filter(requestor_id=requestor_id, revoked_at__isnull=True)
        .first()
    )
    if credential is None:
        raise SushiError(2000, "Unknown or revoked requestor_id.")
    if not api_key or not hmac.compare_digest(credential.key_digest, sushi_key_digest(api_key)):
        raise SushiError(2020)
    return credential


def customers_for(credential: SushiCredential) -> list[Institution]:
    """The institutions the credential may harvest: its own, and a network's members."""
    own = credential.institution
    if not own.is_network:
        return [own]
    return [own, *network_members(network=own).order_by("name", "pk")]


def customer_get(credential: SushiCredential, params, *, required: bool = True) -> Institution:
    customer_id = _parameter(params, "customer_id", 2010)
    own = credential.institution
    if not customer_id:
        if required:
            raise SushiError(1030, "customer_id is required.")
        return own
    if customer_id == own.code:
        return own
    if own.is_network:
        member = network_members(network=own).filter(code=customer_id).first()
        if member is not None:
            return member
    raise SushiError(2010, f"customer_id {customer_id}")


_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def _month_of(value: str, name: str) -> datetime.date:
    """The first day of the month a YYYY-MM or YYYY-MM-DD value names."""
    match = _MONTH.match(value)
    try:
        if match is None:
            raise ValueError(value)
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        first = datetime.date(year, month, 1)
        datetime.date(year, month, day)  # the day must exist
    except ValueError:
        raise SushiError(3020, f"{name} must be YYYY-MM or YYYY-MM-DD.") from None
    if not EARLIEST <= first <= LATEST:
        raise SushiError(3020, f"{name} must lie between 2000 and 2100.")
    return first


@dataclass
class ReportRequest:
    customer: Institution
    period: Period
    ready: bool = True  # False: the whole period is still to come (3031), nothing to report
    exceptions: list[dict] = field(default_factory=list)

    @property
    def scope(self) -> StatsScope:
        return StatsScope(self.customer)


def report_request(params, *, today: datetime.date | None = None) -> ReportRequest:
    """Authenticate, find the customer and read the months asked for."""
    service_check()
    credential = credential_authenticate(params)
    customer = customer_get(credential, params)
    begin_value = _parameter(params, "begin_date", 3020)
    end_value = _parameter(params, "end_date", 3020)
    if not begin_value or not end_value:
        raise SushiError(1030, "begin_date and end_date are required.")
    begin = _month_of(begin_value, "begin_date")
    end = _month_of(end_value, "end_date")
    if end < begin:
        raise SushiError(3020, "end_date is before begin_date.")
    period = month_period(begin, end)
    if (period.end - period.start).days > MAX_PERIOD_DAYS:
        raise SushiError(3020, "A report covers at most ten years.")
    exceptions = []
    unknown = sorted(name for name in params if name not in REPORT_PARAMETERS)[:10]
    if unknown:
        names = ", ".join(name.replace("\x00", "")[:50] for name in unknown)
        exceptions.append(sushi_exception(3050, f"Ignored: {names}."))
    current = (today or timezone.localdate()).replace(day=1)
    if begin > current:
        exceptions.append(sushi_exception(3031, f"No usage after {current:%Y-%m} yet."))
        return ReportRequest(customer, period, ready=False, exceptions=exceptions)
    if end > current:
        period = month_period(begin, current)
        exceptions.append(
            sushi_exception(3031, f"Usage after {current:%Y-%m} is not available yet.")
        )
    return ReportRequest(customer, period, exceptions=exceptions)


def sushi_manager_required(user) -> None:
    """Creating and revoking an institution's SUSHI credentials is for its administrators
    (and the cinema staff); its other staff only list them."""
    if not (user.is_cinema_staff or user.is_institution_admin):
        raise ApplicationError(
            StatsErrorCode.ADMIN_REQUIRED,
            _("Only an institution administrator can do this."),
            status=403,
        )
