"""The e-mail that carries a statement to the rights holder's contacts."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User
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


def invitation_email(user_id: int) -> int:
    """The invitation: the space it opens, the username, and the one-time token with
    which to choose a password (in French and English)."""
    from royalties.services.members import invitation_token

    user = (
        User.objects.select_related("rights_holder_membership__rights_holder")
        .filter(pk=user_id)
        .first()
    )
    # cancelled (the account deleted) or accepted since it was queued: nothing to send
    if user is None or user.has_usable_password() or not user.email:
        return 0
    uid, token = invitation_token(user)
    holder = user.rights_holder_membership.rights_holder.name
    link = settings.FRONTEND_BASE_URL + reverse(
        "web:holder-invitation", kwargs={"uidb64": uid, "token": token}
    )
    api = f"{settings.FRONTEND_BASE_URL}/api/v1/rights-holder-invitations/accept/"
    body = (
        f"Le service vous ouvre un espace de consultation pour {holder} : contrats, droits, "
        f"utilisation de vos films et relevés.\n"
        f"You are invited to the read-only space of {holder}.\n\n"
        f"Identifiant / username : {user.username}\n\n"
        f"Pour choisir votre mot de passe (ce lien ne sert qu'une fois) / "
        f"to choose your password (this link works once):\n{link}\n\n"
        f"Par l'API / through the API: POST {api} uid={uid} token={token}\n"
    )
    return send_mail(f"{settings.INVOICE_ISSUER_NAME} — {holder}", body, None, [user.email])
