"""DVD orders API: `/api/v1/dvd-editions/` (editions and their stock), `/api/v1/orders/`
(cart, submission, validation, shipment, delivery, cancellation; `?format=csv` export)
and `/api/v1/institutions/{id}/dvd-orders/`. Views validate, call one service or
selector, and serialize; every order is fetched through `selectors.order_get_for`."""

from __future__ import annotations

import io

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from backend.api.filters import IdFilter
from backend.api.permissions import IsCinemaStaff, IsInstitutionStaffOrCinemaStaff
from backend.api.renderers import CSVRenderer, csv_dict_writer
from backend.errors import ApplicationError
from catalogue.models import Film
from institutions.selectors import institution_private_get_for
from orders import selectors, services
from orders.errors import LineRefusal, OrderErrorCode
from orders.models import DvdEdition, Order, OrderEvent, OrderLine, StockMovement

EXPORT_COLUMNS = [
    "order",
    "status",
    "library_code",
    "library",
    "submitted_at",
    "shipped_at",
    "delivered_at",
    "carrier_reference",
    "film_reference",
    "film",
    "ean",
    "quantity",
    "line_status",
    "unit_price",
    "rejection_reason",
]


# --- editions ---------------------------------------------------------------------------
class DvdEditionSerializer(serializers.ModelSerializer):
    film_reference = serializers.CharField(source="film.reference", read_only=True)
    film_title = serializers.CharField(source="film.title", read_only=True)
    stock_on_hand = serializers.IntegerField(read_only=True)
    stock_available = serializers.IntegerField(read_only=True)

    class Meta:
        model = DvdEdition
        fields = [
            "id",
            "film",
            "film_reference",
            "film_title",
            "ean",
            "label",
            "price",
            "stock_on_hand",
            "stock_available",
        ]
        read_only_fields = fields


class DvdEditionInputSerializer(serializers.Serializer):
    film = serializers.PrimaryKeyRelatedField(queryset=Film.objects.all())
    ean = serializers.CharField(max_length=13)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    price = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)
    initial_stock = serializers.IntegerField(min_value=0, max_value=100_000, default=0)


class StockMovementSerializer(serializers.ModelSerializer):
    movement = serializers.CharField(source="kind", read_only=True, help_text="as in StockMovement")

    class Meta:
        model = StockMovement
        fields = ["id", "movement", "quantity", "order_line", "note", "created_at"]
        read_only_fields = fields


class StockInputSerializer(serializers.Serializer):
    movement = serializers.ChoiceField(choices=[(k.value, k.label) for k in services.MANUAL_KINDS])
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DvdEditionFilter(filters.FilterSet):
    film = IdFilter(field_name="film_id")
    ean = filters.CharFilter(field_name="ean")

    class Meta:
        model = DvdEdition
        fields = []


class DvdEditionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The DVD editions of the catalogue's films, with their stock (sums of the ledger):
    readable by the libraries' and the cinema service's staff; the staff add editions and
    record receipts, returns and write-offs."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]
    serializer_class = DvdEditionSerializer
    filterset_class = DvdEditionFilter
    ordering_fields = ["price", "ean"]

    def get_queryset(self):
        return selectors.editions_with_stock().order_by("film__title", "pk")

    @extend_schema(request=DvdEditionInputSerializer, responses={201: DvdEditionSerializer})
    def create(self, request):
        if not request.user.is_cinema_staff:
            self.permission_denied(request, message=IsCinemaStaff.message)
        data = DvdEditionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        edition = services.edition_create(**data.validated_data, by=request.user)
        edition = self.get_queryset().get(pk=edition.pk)
        return Response(DvdEditionSerializer(edition).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=StockMovementSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[IsCinemaStaff],
        filterset_class=None,  # the editions' filters do not apply to a ledger
        filter_backends=[],
    )
    def movements(self, request, pk=None):
        """The edition's stock ledger."""
        edition = self.get_object()
        page = self.paginate_queryset(edition.movements.order_by("-created_at", "-pk"))
        return self.get_paginated_response(StockMovementSerializer(page, many=True).data)

    @extend_schema(request=StockInputSerializer, responses={201: StockMovementSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsCinemaStaff])
    def stock(self, request, pk=None):
        """Record copies received, returned by a library, or written off."""
        edition = self.get_object()
        data = StockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        movement = services.stock_record(
            edition=edition,
            kind=data.validated_data["movement"],
            quantity=data.validated_data["quantity"],
            note=data.validated_data["note"],
            by=request.user,
        )
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


# --- orders -----------------------------------------------------------------------------
class OrderLineSerializer(serializers.ModelSerializer):
    film = serializers.IntegerField(source="edition.film_id", read_only=True)
    film_title = serializers.CharField(source="edition.film.title", read_only=True)
    ean = serializers.CharField(source="edition.ean", read_only=True)
    status = serializers.CharField(read_only=True, help_text="as in OrderLine")

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "edition",
            "film",
            "film_title",
            "ean",
            "quantity",
            "status",
            "unit_price",
            "rejection_reason",
        ]
        read_only_fields = fields


class OrderEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, default=None, allow_null=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = OrderEvent
        fields = ["at", "by", "from_status", "to_status", "note"]
        read_only_fields = fields


ORDER_FIELDS = [
    "id",
    "library",
    "library_name",
    "status",
    "created_at",
    "submitted_at",
    "validated_at",
    "shipped_at",
    "delivered_at",
    "cancelled_at",
    "carrier_reference",
]


class OrderListSerializer(serializers.ModelSerializer):
    library_name = serializers.CharField(source="library.name", read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    copies = serializers.IntegerField(read_only=True)

    class Meta:
        model = Order
        fields = [*ORDER_FIELDS, "line_count", "copies"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    library_name = serializers.CharField(source="library.name", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)
    has_delivery_note = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text="as in Order")

    class Meta:
        model = Order
        fields = [*ORDER_FIELDS, "has_delivery_note", "lines", "events"]
        read_only_fields = fields

    def get_has_delivery_note(self, order) -> bool:
        return bool(order.delivery_note)


class CartInputSerializer(serializers.Serializer):
    library = serializers.IntegerField(
        min_value=1, required=False, help_text="cinema staff: the library ordering"
    )


class LineInputSerializer(serializers.Serializer):
    edition = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=-1_000_000, max_value=1_000_000)


class LineUpdateSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=-1_000_000, max_value=1_000_000)


REJECTION_REASONS = [
    LineRefusal.REJECTED_BY_STAFF,
    LineRefusal.OUT_OF_STOCK,
    LineRefusal.FILM_WITHDRAWN,
    LineRefusal.LIBRARY_SUSPENDED,
    "no_rights",
    "expired",
]


class RejectionSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1)
    reason = serializers.ChoiceField(
        choices=[str(r) for r in REJECTION_REASONS], default=LineRefusal.REJECTED_BY_STAFF
    )


class ValidateInputSerializer(serializers.Serializer):
    reject = RejectionSerializer(many=True, required=False, default=list)


class ShipInputSerializer(serializers.Serializer):
    carrier_reference = serializers.CharField(max_length=100)


class OrderFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Order.Status.choices)
    library = IdFilter(field_name="library_id")
    submitted_after = filters.DateFilter(field_name="submitted_at__date", lookup_expr="gte")
    submitted_before = filters.DateFilter(field_name="submitted_at__date", lookup_expr="lte")

    class Meta:
        model = Order
        fields = []


ORDER_STATUS_PARAMETERS = [
    OpenApiParameter(
        "format", str, enum=["json", "csv"], description="csv: one row per order line"
    ),
]


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not 1 <= len(key) <= 200 or not key.isascii() or not key.isprintable():
        raise ApplicationError(
            OrderErrorCode.INVALID_IDEMPOTENCY_KEY,
            _("The Idempotency-Key header must be 1 to 200 printable ASCII characters."),
        )
    return key


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """DVD orders. A library's staff see and build their library's orders only (another
    library's order is a 404); the cinema staff see them all, filter them (status,
    library, submission dates), export them (`?format=csv`), validate, ship and mark them
    delivered."""

    permission_classes = [IsInstitutionStaffOrCinemaStaff]
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    filterset_class = OrderFilter
    ordering_fields = ["created_at", "submitted_at"]

    def get_renderers(self):
        """Only the list exports CSV (`?format=csv` elsewhere is a 404)."""
        renderers = super().get_renderers()
        return [*renderers, CSVRenderer()] if self.action == "list" else renderers

    def get_serializer_class(self):
        return OrderListSerializer if self.action == "list" else OrderSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.order_list_queryset(self.request.user).order_by("-created_at", "-pk")
        return selectors.order_detail_queryset(self.request.user)

    def get_object(self):
        return selectors.order_get_for(self.request.user, self.kwargs["pk"])

    def _detail(self, order, code=status.HTTP_200_OK):
        fresh = selectors.order_get_for(self.request.user, order.pk)
        return Response(OrderSerializer(fresh).data, status=code)

    @extend_schema(
        parameters=ORDER_STATUS_PARAMETERS,
        responses={
            200: OrderListSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
        },
    )
    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "csv":
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        buffer = io.StringIO()
        writer = csv_dict_writer(buffer, EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(selectors.order_export_rows(queryset))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="commandes-dvd-{stamp}.csv"'
        return response

    @extend_schema(
        request=CartInputSerializer, responses={200: OrderSerializer, 201: OrderSerializer}
    )
    def create(self, request):
        """The library's cart: the open one, or a new one (201)."""
        data = CartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        library_id = data.validated_data.get("library") if user.is_cinema_staff else None
        library = institution_private_get_for(user, library_id or user.institution_id)
        order, created = services.cart_get_or_create(library=library, by=user)
        return self._detail(order, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=LineInputSerializer, responses={201: OrderSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Add copies of an edition to the cart."""
        order = self.get_object()
        data = LineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        edition = DvdEdition.objects.filter(pk=data.validated_data["edition"]).first()
        if edition is None:
            raise ApplicationError(
                OrderErrorCode.UNKNOWN_EDITION, _("No such DVD edition."), field="edition"
            )
        services.cart_line_add(
            order=order, edition=edition, quantity=data.validated_data["quantity"]
        )
        return self._detail(order, status.HTTP_201_CREATED)

    def _line(self, order, line_id) -> OrderLine:
        line = next((line for line in order.lines.all() if str(line.pk) == str(line_id)), None)
        if line is None:
            raise ApplicationError(
                OrderErrorCode.UNKNOWN_LINE, _("No such line in this order."), status=404
            )
        return line

    @extend_schema(request=LineUpdateSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["patch"], url_path=r"lines/(?P<line_id>[0-9]+)")
    def line(self, request, pk=None, line_id=None):
        """Change the number of copies of a cart line."""
        order = self.get_object()
        data = LineUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cart_line_update(
            line=self._line(order, line_id), quantity=data.validated_data["quantity"]
        )
        return self._detail(order)

    @extend_schema(request=None, responses=OrderSerializer)
    @line.mapping.delete
    def line_remove(self, request, pk=None, line_id=None):
        """Take a line out of the cart."""
        order = self.get_object()
        services.cart_line_remove(line=self._line(order, line_id))
        return self._detail(order)

    @extend_schema(
        request=None,
        responses=OrderSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="repeat the same submission safely: same key, same answer",
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the cart: the copies are reserved if every line passes (library
        authorised and not suspended, film not withdrawn, DVD rights in force today,
        quantity within the cap, stock available); otherwise `order_refused` with a code
        per line, and nothing reserved."""
        key = _idempotency_key(request)
        order = services.order_submit(order=self.get_object(), by=request.user, idempotency_key=key)
        return self._detail(order)

    @extend_schema(request=ValidateInputSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsCinemaStaff])
    def validate(self, request, pk=None):
        """Validate the order, wholly or without the `reject`ed lines."""
        order = self.get_object()
        data = ValidateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rejected = {item["line"]: item["reason"] for item in data.validated_data["reject"]}
        order = services.order_validate(order=order, by=request.user, rejected=rejected)
        return self._detail(order)

    @extend_schema(request=ShipInputSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsCinemaStaff])
    def ship(self, request, pk=None):
        """Ship: carrier reference, delivery note."""
        order = self.get_object()
        data = ShipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.order_ship(
            order=order, carrier_reference=data.validated_data["carrier_reference"], by=request.user
        )
        return self._detail(order)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsCinemaStaff])
    def deliver(self, request, pk=None):
        order = services.order_deliver(order=self.get_object(), by=request.user)
        return self._detail(order)

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel before shipping; the reserved copies go back to the stock."""
        order = services.order_cancel(order=self.get_object(), by=request.user)
        return self._detail(order)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="delivery-note")
    def delivery_note(self, request, pk=None):
        """The delivery note of a shipped order (PDF)."""
        order = self.get_object()
        if not order.delivery_note:
            raise ApplicationError("not_found", _("This order has not been shipped."), status=404)
        return FileResponse(
            order.delivery_note.open("rb"),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"bon-de-livraison-{order.pk}.pdf",
        )


class InstitutionOrderListApi(generics.ListAPIView):
    """An institution's DVD orders: its own staff and the cinema staff only (404 for
    anyone else, like every private datum of an institution)."""

    permission_classes = [IsAuthenticated]  # the access helper answers 404 to the others
    serializer_class = OrderListSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        institution = institution_private_get_for(self.request.user, self.kwargs["pk"])
        return (
            selectors.order_list_queryset(self.request.user)
            .filter(library=institution)
            .order_by("-created_at", "-pk")
        )
