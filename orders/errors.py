"""Reason codes of the orders app (stable: clients branch on them).

A refused submission or validation answers `order_refused` with one `LineRefusal` code
per refused line; the rights engine's own reasons (`no_rights`, `expired`, `territory`…)
are passed on unchanged as line codes.
"""

from django.db import models


class OrderErrorCode(models.TextChoices):
    ORDER_REFUSED = "order_refused"
    EMPTY_CART = "empty_cart"
    INVALID_STATUS_TRANSITION = "invalid_status_transition"
    UNKNOWN_EDITION = "unknown_edition"
    UNKNOWN_LINE = "unknown_line"
    QUANTITY_INVALID = "quantity_invalid"
    QUANTITY_ABOVE_CAP = "quantity_above_cap"
    NO_LINE_ACCEPTED = "no_line_accepted"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    NOT_A_LIBRARY = "not_a_library"
    INSUFFICIENT_STOCK = "insufficient_stock"


class LineRefusal(models.TextChoices):
    """Why one line of an order cannot be accepted (besides the rights engine's reasons)."""

    LIBRARY_NOT_AUTHORISED = "library_not_authorised"
    LIBRARY_SUSPENDED = "library_suspended"
    FILM_WITHDRAWN = "film_withdrawn"
    OUT_OF_STOCK = "out_of_stock"
    QUANTITY_INVALID = "quantity_invalid"
    QUANTITY_ABOVE_CAP = "quantity_above_cap"
    REJECTED_BY_STAFF = "rejected_by_staff"
