"""Subscriptions API (see each module): plans and quotes (`plans`, public),
subscriptions with coverage, credits and fair-use quotas (`subscriptions`), screening
bookings (`screenings`), patrons and their login (`patrons`), invoices and Stripe webhooks
(`billing`). Views validate, call one service or selector, and serialize; every private
object is fetched through `selectors.*_get_for(user, id)`."""

from subscriptions.apis.billing import InvoiceViewSet, StripeWebhookApi
from subscriptions.apis.patrons import (
    MyStreamingQuotaApi,
    PatronLinkLoginApi,
    PatronLoginApi,
    PatronViewSet,
    PortalKeyApi,
)
from subscriptions.apis.plans import PlanViewSet
from subscriptions.apis.screenings import ScreeningBookingViewSet
from subscriptions.apis.subscriptions import SubscriptionViewSet

__all__ = [
    "InvoiceViewSet",
    "MyStreamingQuotaApi",
    "PatronLinkLoginApi",
    "PatronLoginApi",
    "PatronViewSet",
    "PlanViewSet",
    "PortalKeyApi",
    "ScreeningBookingViewSet",
    "StripeWebhookApi",
    "SubscriptionViewSet",
]
