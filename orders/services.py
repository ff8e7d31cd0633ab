"""Operations on DVD orders: the cart, submission (stock reserved), validation by the
cinema staff, shipment, delivery, cancellation; and the stock movements the staff record.

Every operation is atomic and takes its row locks through `orders.locks` (the order,
then the editions by primary key). Each line is checked on the day of submission and
again on the day of validation (see `_line_refusals`); a refusal names a reason code per
line and writes nothing — no reservation, no event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from backend.errors import ApplicationError, ConflictError
from catalogue.models import Film
from institutions.models import Institution
from orders.documents import delivery_note_pdf
from orders.errors import LineRefusal, OrderErrorCode
from orders.locks import lock_editions, lock_order
from orders.models import DvdEdition, Order, OrderEvent, OrderLine, StockMovement, SubmissionKey
from orders.selectors import reserved_by_line, stock_available
from rights.decisions import decide_many
from rights.models import Medium

DVD = Medium.DVD
Status = Order.Status
LineStatus = OrderLine.Status
Kind = StockMovement.Kind


def max_quantity_per_line() -> int:
    return settings.ORDERS_MAX_QUANTITY_PER_LINE


# --- checks -----------------------------------------------------------------------------
def _quantity_refusal(quantity: int) -> str | None:
    if quantity < 1:
        return LineRefusal.QUANTITY_INVALID
    if quantity > max_quantity_per_line():
        return LineRefusal.QUANTITY_ABOVE_CAP
    return None


def _library_refusal(library: Institution, on: datetime.date) -> str | None:
    """The authorised network: a library orders DVDs from the day it was authorised,
    unless its ordering is suspended."""
    if library.dvd_authorised_since is None or library.dvd_authorised_since > on:
        return LineRefusal.LIBRARY_NOT_AUTHORISED
    if library.dvd_suspended:
        return LineRefusal.LIBRARY_SUSPENDED
    return None


def _line_refusals(
    library: Institution,
    lines: list[OrderLine],
    *,
    on: datetime.date,
    stock_ok: Mapping[int, bool],
) -> dict[int, str]:
    """`{line id: reason code}` for the lines that cannot be accepted on `on`. The rights
    are the rights engine's answer for the DVD medium (its reason passed on unchanged);
    `stock_ok` says, per line, whether the stock counted under lock covers it."""
    library_refusal = _library_refusal(library, on)
    films = list({line.edition.film_id: line.edition.film for line in lines}.values())
    decisions = decide_many(library, films, DVD, on=on) if library_refusal is None else {}
    refusals: dict[int, str] = {}
    for line in lines:
        film = line.edition.film
        code = library_refusal or _quantity_refusal(line.quantity)
        if code is None:  # a withdrawn film too: the engine's `film_withdrawn`, dated
            decision = decisions[film.pk][DVD]
            code = None if decision.allowed else decision.reason
        if code is None and not stock_ok[line.pk]:
            code = LineRefusal.OUT_OF_STOCK
        if code is not None:
            refusals[line.pk] = str(code)
    return refusals


def _refused(refusals: Mapping[int, str], lines: list[OrderLine]) -> ApplicationError:
    by_id = {line.pk: line for line in lines}
    return ApplicationError(
        OrderErrorCode.ORDER_REFUSED,
        _("Some lines of this order cannot be accepted; nothing was reserved."),
        extra={
            "lines": [
                {"line": pk, "edition": by_id[pk].edition_id, "code": code}
                for pk, code in sorted(refusals.items())
            ]
        },
    )


def _wrong_status(order: Order, action: str) -> ConflictError:
    return ConflictError(
        OrderErrorCode.INVALID_STATUS_TRANSITION,
        _("An order in status “%(status)s” cannot be %(action)s.")
        % {"status": order.get_status_display(), "action": action},
    )


def cart_check(*, order: Order, on: datetime.date | None = None) -> dict[int, str]:
    """`{line id: reason code}` of the cart's lines that a submission on `on` would refuse
    (the same checks as `order_submit`, on the stock as it is now, without locks: what a
    librarian is shown before submitting; the submission checks again under lock)."""
    on = on or timezone.localdate()
    lines = list(order.lines.all())
    if not lines:
        return {}
    available = stock_available({line.edition_id for line in lines})
    stock_ok = {line.pk: available[line.edition_id] >= line.quantity for line in lines}
    return _line_refusals(order.library, lines, on=on, stock_ok=stock_ok)


# --- status changes ---------------------------------------------------------------------
def _transition(
    order: Order, to_status: str, *, by: User | None, at: datetime.datetime, note: str = ""
) -> OrderEvent:
    """Move the order (locked by the caller) to `to_status`: log the event and, once the
    transaction commits, e-mail the library."""
    from orders.tasks import order_status_email_send

    event = OrderEvent.objects.create(
        order=order, from_status=order.status, to_status=to_status, by=by, at=at, note=note
    )
    order.status = to_status
    transaction.on_commit(partial(order_status_email_send.delay, event.pk))
    return event


def _lines_of(order: Order, statuses: Iterable[str] | None = None) -> list[OrderLine]:
    lines = order.lines.select_related("edition", "edition__film").order_by("pk")
    if statuses is not None:
        lines = lines.filter(status__in=list(statuses))
    return list(lines)


def _release(lines: list[OrderLine], *, by: User | None, at: datetime.datetime, note: str):
    """Give back exactly what each line still holds reserved (reservations minus the
    releases already written); the editions must be locked by the caller."""
    held = reserved_by_line(line.pk for line in lines)
    StockMovement.objects.bulk_create(
        StockMovement(
            edition_id=line.edition_id,
            kind=Kind.RELEASE,
            quantity=held[line.pk],
            order_line=line,
            created_by=by,
            created_at=at,
            note=note,
        )
        for line in lines
        if held.get(line.pk)
    )
    return held


# --- cart -------------------------------------------------------------------------------
def cart_get_or_create(*, library: Institution, by: User | None = None) -> tuple[Order, bool]:
    """The library's cart (one at a time, held by a unique constraint), created if absent."""
    return Order.objects.get_or_create(
        library=library, status=Status.CART, defaults={"created_by": by}
    )


def _check_cart_quantity(quantity: int) -> None:
    code = _quantity_refusal(quantity)
    if code == LineRefusal.QUANTITY_INVALID:
        raise ApplicationError(
            OrderErrorCode.QUANTITY_INVALID,
            _("Order at least one copy."),
            field="quantity",
        )
    if code == LineRefusal.QUANTITY_ABOVE_CAP:
        raise ApplicationError(
            OrderErrorCode.QUANTITY_ABOVE_CAP,
            _("At most %(cap)s copies of one edition per order.")
            % {"cap": max_quantity_per_line()},
            field="quantity",
        )


def _locked_cart(order: Order) -> Order:
    order = lock_order(order.pk)
    if order.status != Status.CART:
        raise _wrong_status(order, _("changed"))
    return order


@transaction.atomic
def cart_line_add(*, order: Order, edition: DvdEdition, quantity: int) -> OrderLine:
    """Put copies of an edition in the cart; an edition already there gets the copies
    added to its line. Refused with the rights engine's reason (`no_rights`, `expired`,
    `film_withdrawn`…, `valid_until` in `extra`) when the library may not order the
    film's DVD today: what is in a cart can be ordered, unless its rights end while it
    waits (`cart_check` and the submission then refuse the line)."""
    order = _locked_cart(order)
    line = order.lines.filter(edition=edition).first()
    total = quantity + (line.quantity if line else 0)
    _check_cart_quantity(quantity)
    _check_cart_quantity(total)
    film = edition.film
    decision = decide_many(order.library, [film], DVD, on=timezone.localdate())[film.pk][DVD]
    if not decision.allowed:
        raise ApplicationError(
            decision.reason,
            _("The rights of this film do not allow ordering its DVD today."),
            extra={"condition": "rights", "valid_until": decision.valid_until},
        )
    if line is None:
        line = OrderLine(order=order, edition=edition, quantity=quantity)
    else:
        line.quantity = total
    line.full_clean()
    line.save()
    return line


@transaction.atomic
def cart_add(
    *, library: Institution, by: User | None, edition: DvdEdition, quantity: int
) -> OrderLine:
    """`cart_line_add` to the library's cart, opened if absent: a refused line opens no
    cart (the web client's "Add to cart")."""
    order, _created = cart_get_or_create(library=library, by=by)
    return cart_line_add(order=order, edition=edition, quantity=quantity)


@transaction.atomic
def cart_line_update(*, line: OrderLine, quantity: int) -> OrderLine:
    _locked_cart(line.order)
    _check_cart_quantity(quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line


@transaction.atomic
def cart_line_remove(*, line: OrderLine) -> None:
    _locked_cart(line.order)
    line.delete()


# --- submission -------------------------------------------------------------------------
def _claim_submission_key(*, order: Order, key: str) -> Order | None:
    """Claim `key` for this library by inserting it; `None` when claimed now, otherwise
    the order a previous submission with the same key submitted. The claim is part of
    the caller's transaction: a refused submission releases it with everything else."""
    try:
        with transaction.atomic():
            SubmissionKey.objects.create(library_id=order.library_id, key=key, order=order)
    except IntegrityError:
        claimed = SubmissionKey.objects.select_related("order").get(
            library_id=order.library_id, key=key
        )
        if claimed.order_id != order.pk:
            raise ConflictError(
                OrderErrorCode.IDEMPOTENCY_KEY_REUSED,
                _("This Idempotency-Key was already used to submit another order."),
            ) from None
        return claimed.order
    return None


@transaction.atomic
def order_submit(
    *,
    order: Order,
    by: User | None = None,
    idempotency_key: str | None = None,
    now: datetime.datetime | None = None,
) -> Order:
    """Submit the cart: every line must pass the checks of the day (the library is in the
    authorised network, the film is not withdrawn, the rights engine allows `dvd`, the
    quantity is between 1 and the cap, the stock covers it); then the copies are
    reserved. With an `idempotency_key` already used by the library for this order, the
    order is returned as it is and nothing more is reserved."""
    now = now or timezone.now()
    if idempotency_key:
        previous = _claim_submission_key(order=order, key=idempotency_key)
        if previous is not None:
            return previous
    order = lock_order(order.pk)
    if order.status != Status.CART:
        raise _wrong_status(order, _("submitted"))
    lines = _lines_of(order)
    if not lines:
        raise ApplicationError(OrderErrorCode.EMPTY_CART, _("The cart is empty."))
    editions = lock_editions(line.edition_id for line in lines)
    available = stock_available(editions)
    stock_ok = {line.pk: available[line.edition_id] >= line.quantity for line in lines}
    refusals = _line_refusals(order.library, lines, on=timezone.localdate(now), stock_ok=stock_ok)
    if refusals:
        raise _refused(refusals, lines)
    StockMovement.objects.bulk_create(
        StockMovement(
            edition_id=line.edition_id,
            kind=Kind.RESERVATION,
            quantity=-line.quantity,
            order_line=line,
            created_by=by,
            created_at=now,
        )
        for line in lines
    )
    for line in lines:
        line.status = LineStatus.RESERVED
        line.unit_price = editions[line.edition_id].price
    OrderLine.objects.bulk_update(lines, ["status", "unit_price"])
    _transition(order, Status.SUBMITTED, by=by, at=now)
    order.submitted_at = now
    order.save(update_fields=["status", "submitted_at"])
    return order


# --- validation, shipment, delivery -----------------------------------------------------
@transaction.atomic
def order_validate(
    *,
    order: Order,
    by: User | None = None,
    rejected: Mapping[int, str] | None = None,
    now: datetime.datetime | None = None,
) -> Order:
    """The cinema staff validate a submitted order, wholly or without the lines in
    `rejected` (`{line id: reason code}`), whose reservations are released. The lines
    kept are checked again as on the day of submission; a line that no longer passes
    refuses the validation with its code (reject it explicitly, or cancel the order)."""
    now = now or timezone.now()
    rejected = dict(rejected or {})
    order = lock_order(order.pk)
    if order.status != Status.SUBMITTED:
        raise _wrong_status(order, _("validated"))
    lines = _lines_of(order, [LineStatus.RESERVED])
    unknown = set(rejected) - {line.pk for line in lines}
    if unknown:
        raise ApplicationError(
            OrderErrorCode.UNKNOWN_LINE,
            _("Line %(line)s is not a line of this order awaiting validation.")
            % {"line": min(unknown)},
            field="reject",
        )
    kept = [line for line in lines if line.pk not in rejected]
    if not kept:
        raise ApplicationError(
            OrderErrorCode.NO_LINE_ACCEPTED,
            _("Keep at least one line, or cancel the order."),
            field="reject",
        )
    lock_editions(line.edition_id for line in lines)
    held = reserved_by_line(line.pk for line in kept)
    available = stock_available(line.edition_id for line in kept)
    stock_ok = {
        line.pk: held.get(line.pk) == line.quantity and available[line.edition_id] >= 0
        for line in kept
    }
    refusals = _line_refusals(order.library, kept, on=timezone.localdate(now), stock_ok=stock_ok)
    if refusals:
        raise _refused(refusals, lines)
    dropped = [line for line in lines if line.pk in rejected]
    _release(dropped, by=by, at=now, note=_("line rejected"))
    for line in dropped:
        line.status = LineStatus.REJECTED
        line.rejection_reason = rejected[line.pk] or LineRefusal.REJECTED_BY_STAFF
    for line in kept:
        line.status = LineStatus.ACCEPTED
    OrderLine.objects.bulk_update(lines, ["status", "rejection_reason"])
    note = _("%(count)s line(s) rejected") % {"count": len(dropped)} if dropped else ""
    _transition(order, Status.VALIDATED, by=by, at=now, note=note)
    order.validated_at = now
    order.save(update_fields=["status", "validated_at"])
    return order


@transaction.atomic
def order_ship(
    *,
    order: Order,
    carrier_reference: str,
    by: User | None = None,
    now: datetime.datetime | None = None,
) -> Order:
    """Ship a validated order: the accepted lines' reservations become shipments (the
    copies leave the shelf), and the delivery note (PDF) is stored with the order."""
    now = now or timezone.now()
    carrier_reference = carrier_reference.strip()
    if not carrier_reference:
        raise ApplicationError(
            "required", _("The carrier reference is required."), field="carrier_reference"
        )
    order = lock_order(order.pk)
    if order.status != Status.VALIDATED:
        raise _wrong_status(order, _("shipped"))
    lines = _lines_of(order, [LineStatus.ACCEPTED])
    lock_editions(line.edition_id for line in lines)
    held = _release(lines, by=by, at=now, note=_("shipped"))
    StockMovement.objects.bulk_create(
        StockMovement(
            edition_id=line.edition_id,
            kind=Kind.SHIPMENT,
            quantity=-held[line.pk],
            order_line=line,
            created_by=by,
            created_at=now,
        )
        for line in lines
        if held.get(line.pk)
    )
    _transition(order, Status.SHIPPED, by=by, at=now)
    order.shipped_at = now
    order.carrier_reference = carrier_reference
    order.delivery_note.save(
        f"bon-de-livraison-{order.pk}.pdf",
        ContentFile(delivery_note_pdf(order, lines)),
        save=False,
    )
    order.save(update_fields=["status", "shipped_at", "carrier_reference", "delivery_note"])
    return order


@transaction.atomic
def order_deliver(
    *, order: Order, by: User | None = None, now: datetime.datetime | None = None
) -> Order:
    """The parcel reached the library."""
    now = now or timezone.now()
    order = lock_order(order.pk)
    if order.status != Status.SHIPPED:
        raise _wrong_status(order, _("marked delivered"))
    _transition(order, Status.DELIVERED, by=by, at=now)
    order.delivered_at = now
    order.save(update_fields=["status", "delivered_at"])
    return order


@transaction.atomic
def order_cancel(
    *, order: Order, by: User | None = None, now: datetime.datetime | None = None
) -> Order:
    """Cancel an order before it ships: exactly the copies its lines still hold reserved
    go back to the available stock."""
    now = now or timezone.now()
    order = lock_order(order.pk)
    if order.status not in (Status.CART, Status.SUBMITTED, Status.VALIDATED):
        raise _wrong_status(order, _("cancelled"))
    lines = _lines_of(order, [LineStatus.PENDING, LineStatus.RESERVED, LineStatus.ACCEPTED])
    lock_editions(line.edition_id for line in lines)
    _release(lines, by=by, at=now, note=_("order cancelled"))
    for line in lines:
        line.status = LineStatus.CANCELLED
    OrderLine.objects.bulk_update(lines, ["status"])
    _transition(order, Status.CANCELLED, by=by, at=now)
    order.cancelled_at = now
    order.save(update_fields=["status", "cancelled_at"])
    return order


# --- editions and stock -----------------------------------------------------------------
@transaction.atomic
def edition_create(
    *, film: Film, ean: str, price, label: str = "", initial_stock: int = 0, by: User | None = None
) -> DvdEdition:
    edition = DvdEdition(film=film, ean=ean, price=price, label=label)
    edition.full_clean()
    edition.save()
    if initial_stock:
        stock_record(edition=edition, kind=Kind.RECEIPT, quantity=initial_stock, by=by)
    return edition


#: the movements the staff record by hand (the others belong to orders)
MANUAL_KINDS = (Kind.RECEIPT, Kind.RETURN, Kind.WRITE_OFF)


@transaction.atomic
def stock_record(
    *, edition: DvdEdition, kind: str, quantity: int, by: User | None = None, note: str = ""
) -> StockMovement:
    """Record copies received, returned or written off (`quantity` counts copies, > 0).
    A write-off may not take copies that are reserved for orders."""
    if kind not in MANUAL_KINDS:
        raise ApplicationError("invalid_choice", _("Not a manual stock movement."), field="kind")
    if quantity < 1:
        raise ApplicationError(
            OrderErrorCode.QUANTITY_INVALID, _("Count at least one copy."), field="quantity"
        )
    lock_editions([edition.pk])
    signed = -quantity if kind == Kind.WRITE_OFF else quantity
    if signed < 0 and stock_available([edition.pk])[edition.pk] + signed < 0:
        raise ConflictError(
            OrderErrorCode.INSUFFICIENT_STOCK,
            _("Fewer copies are free than that (the others are reserved for orders)."),
            field="quantity",
        )
    movement = StockMovement(edition=edition, kind=kind, quantity=signed, created_by=by, note=note)
    movement.full_clean()
    movement.save()
    return movement
