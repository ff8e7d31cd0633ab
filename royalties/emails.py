"""The e-mail that carries a statement to the rights holder's contacts."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.utils.translation import gettext as _
from django.utils.translation import override

from royalties.documents import statement_filename, statement_pdf
from royalties.selectors import statement_for_document


def statement_email(statement_id: int) -> int:
    """Send the statement to the addresses it was sent to (in French, like the PDF)."""
    statement = statement_for_document(statement_id)
    if not statement.sent_to:
        return 0
    with override("fr"):
        subject = _("Royalty statement %(period)s — contract %(contract)s") % {
            "period": statement.period_label,
            "contract": statement.contract.reference,
        }
        body = _(
            "Please find attached the statement of the use of your films under contract "
            "%(contract)s for %(period)s: %(total)s EUR, due on %(due)s."
        ) % {
            "contract": statement.contract.reference,
            "period": statement.period_label,
            "total": statement.total,
            "due": statement.due_on.strftime("%d/%m/%Y"),
        }
    message = EmailMessage(subject, body, None, list(statement.sent_to))
    message.attach(
        statement_filename(statement, "pdf"), statement_pdf(statement), "application/pdf"
    )
    return message.send()
