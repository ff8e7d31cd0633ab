"""Models of the subscriptions app, split along its seams: the tariff grid, subscriptions
and what they cover, screening credits and bookings, patrons, billing."""

from subscriptions.models.billing import Invoice, InvoiceSequence, WebhookEvent
from subscriptions.models.grid import Plan, PriceTier, TariffGrid
from subscriptions.models.patrons import Patron, PortalKey, PortalNonce
from subscriptions.models.quotas import CapAlert, StreamingLoan
from subscriptions.models.screenings import ScreeningBooking, ScreeningCreditEntry
from subscriptions.models.subscriptions import RenewalReminder, Subscription

__all__ = [
    "CapAlert",
    "Invoice",
    "InvoiceSequence",
    "Patron",
    "Plan",
    "PortalKey",
    "PortalNonce",
    "PriceTier",
    "RenewalReminder",
    "ScreeningBooking",
    "ScreeningCreditEntry",
    "StreamingLoan",
    "Subscription",
    "TariffGrid",
    "WebhookEvent",
]
