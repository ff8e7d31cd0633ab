"""The e-mail a library receives at each status change of its DVD orders."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from orders.models import OrderEvent


def order_status_email(event: OrderEvent) -> int:
    """Send the e-mail for one status change; the number of messages sent (0 when the
    library has no address)."""
    order = event.order
    recipients = account_selectors.institution_recipients(order.library)
    if not recipients:
        return 0
    values = {
        "number": order.pk,
        "status": order.Status(event.to_status).label,
        "library": order.library.name,
    }
    body = _("The DVD order no. %(number)s of %(library)s is now: %(status)s.") % values
    if order.carrier_reference and event.to_status == order.Status.SHIPPED:
        body += "\n" + _("Carrier reference: %(reference)s") % {
            "reference": order.carrier_reference
        }
    if event.note:
        body += "\n" + event.note
    return send_mail(_("DVD order no. %(number)s: %(status)s") % values, body, None, recipients)
