"""Billing: administrative invoices (PDF, marked paid by staff) and Stripe webhooks."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.client import client_ip
from backend.api.permissions import IsCinemaStaff, IsInstitutionStaffOrCinemaStaff
from backend.api.throttling import StripeWebhookRateThrottle
from subscriptions import selectors
from subscriptions.models import Invoice
from subscriptions.services import billing, webhooks


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "subscription",
            "issued_on",
            "due_on",
            "amount_excl_vat",
            "vat_rate",
            "vat_amount",
            "amount_incl_vat",
            "purchase_order_reference",
            "status",
            "paid_on",
        ]
        read_only_fields = fields


class MarkPaidSerializer(serializers.Serializer):
    paid_on = serializers.DateField()


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Administrative invoices: those addressed to the caller's institution (a network's
    go to the network's staff, not to its members'); all of them for the staff, who mark
    them paid."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]
    serializer_class = InvoiceSerializer
    ordering_fields = ["issued_on", "due_on"]

    def get_queryset(self):
        return selectors.invoices_visible_to(self.request.user)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The invoice as a PDF."""
        invoice = self.get_object()
        return FileResponse(
            invoice.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"facture-{invoice.number}.pdf",
        )

    @extend_schema(request=MarkPaidSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid", permission_classes=[IsCinemaStaff])
    def mark_paid(self, request, pk=None):
        data = MarkPaidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = billing.invoice_mark_paid(
            invoice=self.get_object(), paid_on=data.validated_data["paid_on"], by=request.user
        )
        return Response(InvoiceSerializer(invoice).data)


# --- Stripe webhooks --------------------------------------------------------------------
class StripeWebhookApi(APIView):
    """Stripe's deliveries. Refused at once, with nothing stored, when Stripe is not
    configured (404 `stripe_not_configured`), when the body is over 64 KiB (413
    `payload_too_large`) or when the `Stripe-Signature` does not verify with the endpoint
    secret from the settings (400 `invalid_signature`); rate-limited per address (429). A
    verified event is stored, taken once by its id (a replay answers 200 and changes
    nothing) and processed; a processing failure is kept for `manage.py
    stripe_webhooks_replay` and answered 200."""

    permission_classes = [AllowAny]
    authentication_classes = []  # no session, hence no CSRF: the signature authenticates
    throttle_classes = [StripeWebhookRateThrottle]

    @extend_schema(
        request={"application/json": dict},
        responses={
            200: inline_serializer(
                "StripeWebhookReceipt",
                {"received": serializers.BooleanField(), "event": serializers.CharField()},
            )
        },
    )
    def post(self, request):
        address = client_ip(request)
        remote_addr = str(address) if address else None
        # before the body is read: Stripe off, or a body announced too large
        webhooks.stripe_webhook_admit(
            content_length=_declared_length(request), remote_addr=remote_addr
        )
        delivery = webhooks.stripe_webhook_receive(
            body=request.body,  # at most the declared length: Django reads no further
            headers={
                name: request.headers[name]
                for name in webhooks.KEPT_HEADERS
                if name in request.headers
            },
            remote_addr=remote_addr,
        )
        return Response({"received": True, "event": delivery.event_id})


def _declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
