"""What the signed-in user's library may do with films, as the rights engine decides, put
into words. Nothing here decides: the answers come from `rights.decisions.decide_many`;
this module only says them in a sentence a librarian or a patron understands."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from editorial.selectors import Audience, audience_for, public_audience
from rights.decisions import decide_many
from rights.models import Medium

#: the uses shown on a film's page, in this order
USES = (Medium.STREAM_HOME, Medium.STREAM_ONSITE, Medium.PUBLIC_SCREENING, Medium.DVD)
USE_LABELS = {
    Medium.STREAM_HOME: gettext_lazy("Watch at home"),
    Medium.STREAM_ONSITE: gettext_lazy("Watch in the library"),
    Medium.PUBLIC_SCREENING: gettext_lazy("Public screening"),
    Medium.DVD: gettext_lazy("DVD"),
}
_ONE_DAY = datetime.timedelta(days=1)


def audience(user) -> Audience:
    """Whose eyes a page is for: a patron's library on streaming, a librarian's on every
    medium; the public catalogue for anyone else (visitors, the cinema staff)."""
    if user.is_authenticated and user.institution_id is not None:
        return audience_for(user)
    return public_audience()


def institution_of(user):
    if user.is_authenticated and user.institution_id is not None:
        return user.institution
    return None


def _date(day: datetime.date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def sentence(decision) -> str:
    """The engine's answer for one use, as a sentence with its date."""
    reason, until = decision.reason, decision.valid_until
    if decision.allowed:
        if until is None:
            return _("Your library may.")
        return _("Your library may, until %(day)s.") % {"day": _date(until)}
    return refusal_sentence(reason, until)


def refusal_sentence(reason: str, until: datetime.date | None = None) -> str:
    """A refusal of the engine (its reason code and the last day it holds) in words."""
    if reason in ("not_yet", "holdback") and until is not None:
        return _("Not yet: your library may from %(day)s.") % {"day": _date(until + _ONE_DAY)}
    messages = {
        "no_rights": _("The service holds no rights for this use."),
        "not_yet": _("Not yet: the rights for this use have not started."),
        "holdback": _("Not yet: this use is held back for now."),
        "expired": _("The rights for this use have ended."),
        "territory": _("The rights for this use do not cover your library's territory."),
        "institution_kind": _("The rights for this use do not cover libraries of this kind."),
        "film_withdrawn": _("The film has left the catalogue."),
        "cap_reached": _(
            "Your library has used this film's screenings for the year; possible again "
            "on 1 January."
        ),
        "contract_not_signed": _("The contract for this use is not signed yet."),
        "contract_terminated": _("The contract for this use has ended."),
    }
    said = messages.get(reason, _("Not possible for your library."))
    if reason in ("not_yet", "holdback", "cap_reached") or until is None:
        return said
    return _("%(reason)s This holds until %(day)s.") % {"reason": said, "day": _date(until)}


def no_end_known(decision) -> bool:
    """A refusal with no known day it ends (the sentence then says so)."""
    return not decision.allowed and decision.valid_until is None


@dataclass(frozen=True)
class Use:
    medium: str
    label: str
    allowed: bool
    reason: str
    sentence: str


def uses_of(user, film) -> list[Use]:
    """Each use of the film by the user's library today, decided by the rights engine;
    empty for a visitor or the cinema staff."""
    institution = institution_of(user)
    if institution is None:
        return []
    decisions = decide_many(institution, [film], list(USES), on=timezone.localdate())
    by_medium = decisions.get(film.pk, {})
    return [
        Use(
            medium=medium,
            label=str(USE_LABELS[medium]),
            allowed=by_medium[medium].allowed,
            reason=by_medium[medium].reason,
            sentence=sentence(by_medium[medium]),
        )
        for medium in USES
        if medium in by_medium
    ]


def usable_media(user, films) -> dict[int, list[str]] | None:
    """{film id: media the user's library may use today} for a page of films (one query);
    None for a visitor or the cinema staff."""
    institution = institution_of(user)
    if institution is None or not films:
        return None
    media = list(audience(user).media)
    decisions = decide_many(institution, films, media, on=timezone.localdate())
    return {
        film_id: [m for m in media if by_medium[m].allowed]
        for film_id, by_medium in decisions.items()
    }
