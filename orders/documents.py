"""The delivery note of a shipped order, as a PDF (reportlab), in French like the
libraries' paperwork."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone


def delivery_note_pdf(order, lines) -> bytes:
    """The delivery note: issuer, library, carrier reference and the copies shipped."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Bon de livraison {order.pk}")
    _width, height = A4
    y = height - 25 * mm

    def line(text: str, size: int = 10, gap: float = 6) -> None:
        nonlocal y
        if y < 20 * mm:
            pdf.showPage()
            y = height - 25 * mm
        pdf.setFont("Helvetica", size)
        pdf.drawString(20 * mm, y, text[:110])
        y -= gap * mm

    line(settings.INVOICE_ISSUER_NAME, 14, 8)
    for part in settings.INVOICE_ISSUER_ADDRESS.split("\n"):
        line(part)
    line(f"Bon de livraison — commande n° {order.pk}", 13, 10)
    line(f"Destinataire : {order.library.name} ({order.library.code})")
    if order.library.commune:
        line(order.library.commune)
    shipped = timezone.localtime(order.shipped_at) if order.shipped_at else timezone.localtime()
    line(f"Expédié le : {shipped:%d/%m/%Y}")
    line(f"Référence transporteur : {order.carrier_reference}", gap=10)
    total = 0
    for item in lines:
        total += item.quantity
        film = item.edition.film
        line(f"{item.quantity} × {film.title} ({film.year}) — EAN {item.edition.ean}", 9, 5)
    line("", gap=4)
    line(f"Total : {total} exemplaire(s)", 11, 8)
    line("DVD avec droits de prêt et de consultation sur place inclus.", 8, 4)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
