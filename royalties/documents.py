"""A statement as a PDF (reportlab, like the invoices and delivery notes; in French, like
the service's paperwork) and as CSV. Both show usage by film and medium, over the period,
by month and by department (with its region) only: never a library, never a patron."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.http import HttpResponse

from rights.models import Medium

MEDIUM_FR = {
    Medium.DVD: "DVD",
    Medium.STREAM_ONSITE: "Streaming sur place",
    Medium.STREAM_HOME: "Streaming à domicile",
    Medium.PUBLIC_SCREENING: "Projection publique",
}
UNIT_FR = {
    "view": "par vue",
    "minute": "par minute vue",
    "screening": "par projection",
    "copy": "par exemplaire",
}
STATUS_FR = {"draft": "brouillon", "approved": "approuvé", "sent": "envoyé", "paid": "payé"}


def statement_filename(statement, extension: str) -> str:
    return f"releve-{statement.contract.reference}-{statement.period_label}.{extension}"


def _minutes(seconds: int) -> str:
    return f"{seconds / 60:.2f}"


def _quantity(line) -> str:
    if line.unit == "minute":
        return f"{_minutes(line.quantity)} min"
    return str(line.quantity)


def _figures_fr(row) -> str:
    if row.medium == Medium.DVD:
        return f"{row.copies} exemplaire(s) expédié(s)"
    if row.medium == Medium.PUBLIC_SCREENING:
        return f"{row.screenings} projection(s), {row.attendance} spectateur(s)"
    return (
        f"{row.views} vue(s), {_minutes(row.seconds)} min, {row.viewers} spectateur(s) distinct(s)"
    )


def _usage_by(statement, breakdown: str) -> list:
    return [row for row in statement.usage.all() if row.breakdown == breakdown]


def statement_pdf(statement) -> bytes:
    """The statement: issuer, rights holder, contract and period, the usage per film and
    medium, the per-use lines, the flat-fee payments and the totals; then, as annexes,
    the usage by month and by department."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Relevé de droits {statement.contract.reference} {statement.period_label}")
    _width, height = A4
    y = height - 25 * mm

    def line(text: str, size: int = 10, gap: float = 6) -> None:
        nonlocal y
        if y < 20 * mm:
            pdf.showPage()
            y = height - 25 * mm
        pdf.setFont("Helvetica", size)
        pdf.drawString(20 * mm, y, text[:115])
        y -= gap * mm

    contract = statement.contract
    line(settings.INVOICE_ISSUER_NAME, 14, 8)
    for part in settings.INVOICE_ISSUER_ADDRESS.split("\n"):
        line(part)
    line(f"Relevé de droits — {statement.period_label}", 13, 8)
    line(f"Ayant droit : {contract.rights_holder.name}")
    line(f"Contrat : {contract.reference}")
    line(
        f"Période : du {statement.period_start:%d/%m/%Y} au {statement.period_end:%d/%m/%Y}"
        f" — statut : {STATUS_FR.get(statement.status, statement.status)}"
    )
    line(f"Échéance : {statement.due_on:%d/%m/%Y}", gap=10)
    line("Utilisation par film et support", 12, 7)
    totals = _usage_by(statement, "period")
    if not totals:
        line("Aucune utilisation sur la période.", 9, 5)
    for row in totals:
        medium = MEDIUM_FR.get(row.medium, row.medium)
        line(f"{row.film.title} — {medium} : {_figures_fr(row)}", 9, 5)
    line("", gap=3)
    line("Montants à l'usage (arrondis au centime, au plus proche)", 12, 7)
    for item in statement.lines.all():
        line(
            f"{item.film.title} — {MEDIUM_FR.get(item.medium, item.medium)} : {_quantity(item)}"
            f" × {item.rate} EUR {UNIT_FR.get(item.unit, item.unit)} = {item.amount} EUR",
            9,
            5,
        )
    for fee in statement.fee_lines.all():
        line(f"Forfait ({fee.label}, échéance {fee.due_on:%d/%m/%Y}) : {fee.amount} EUR", 9, 5)
    line("", gap=3)
    line(f"Total à l'usage : {statement.per_use_amount} EUR")
    line(f"Minimum garanti de la période : {statement.minimum_guarantee} EUR")
    line(f"Complément au minimum garanti : {statement.guarantee_top_up} EUR")
    line(
        f"Avance restant à récupérer : {statement.advance_balance} EUR"
        f" — récupérée sur ce relevé : {statement.advance_recouped} EUR"
    )
    line(f"Forfait dû sur la période : {statement.flat_fee_amount} EUR")
    line(f"Total dû : {statement.total} EUR", 12, 10)
    for breakdown, title, where in (
        ("month", "Annexe : utilisation par mois", lambda row: f"{row.month:%m/%Y}"),
        (
            "department",
            "Annexe : utilisation par département (des établissements)",
            lambda row: f"département {row.department_code}",
        ),
        (  # statements drafted before 8 December 2026 kept months and departments at once
            "cell",
            "Annexe : utilisation par mois et département",
            lambda row: f"{row.month:%m/%Y}, département {row.department_code}",
        ),
    ):
        rows = _usage_by(statement, breakdown)
        if rows:
            line(title, 12, 7)
        for row in rows:
            medium = MEDIUM_FR.get(row.medium, row.medium)
            line(f"{row.film.title} — {medium} — {where(row)} : {_figures_fr(row)}", 9, 5)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


CSV_HEADER = [
    "breakdown",
    "film_reference",
    "film_title",
    "medium",
    "month",
    "department",
    "region",
    "views",
    "minutes",
    "distinct_viewers",
    "screenings_held",
    "attendance",
    "dvd_copies_shipped",
]


def statement_csv(statement) -> str:
    """The usage rows (breakdown `period`: per film and medium; `month`; `department`,
    with its region; `cell`, month and department at once, in a statement drafted before
    8 December 2026), then the per-use lines, the flat-fee payments and the totals, each
    block with its own header."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for breakdown in ("period", "month", "department", "cell"):
        for row in _usage_by(statement, breakdown):
            writer.writerow(
                [
                    breakdown,
                    row.film.reference,
                    row.film.title,
                    row.medium,
                    row.month.strftime("%Y-%m") if row.month else "",
                    row.department_code,
                    row.region_code,
                    row.views,
                    _minutes(row.seconds),
                    row.viewers,
                    row.screenings,
                    row.attendance,
                    row.copies,
                ]
            )
    writer.writerow([])
    writer.writerow(["film_reference", "medium", "unit", "quantity", "rate_eur", "amount_eur"])
    for item in statement.lines.all():
        quantity = _minutes(item.quantity) if item.unit == "minute" else item.quantity
        writer.writerow(
            [item.film.reference, item.medium, item.unit, quantity, item.rate, item.amount]
        )
    writer.writerow([])
    writer.writerow(["flat_fee_due_on", "label", "amount_eur"])
    for fee in statement.fee_lines.all():
        writer.writerow([fee.due_on.isoformat(), fee.label, fee.amount])
    writer.writerow([])
    writer.writerow(["total", "amount_eur"])
    for name in (
        "per_use_amount",
        "minimum_guarantee",
        "guarantee_top_up",
        "advance_recouped",
        "flat_fee_amount",
        "total",
    ):
        writer.writerow([name, getattr(statement, name)])
    return out.getvalue()


def document_response(statement, kind: str) -> HttpResponse:
    """The statement's PDF or CSV as a download (the API's and the web client's)."""
    from royalties.selectors import statement_for_document

    statement = statement_for_document(statement.pk)
    if kind == "pdf":
        body, content_type = statement_pdf(statement), "application/pdf"
    else:
        body, content_type = statement_csv(statement), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{statement_filename(statement, kind)}"'
    )
    return response
