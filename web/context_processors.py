"""What every page of the web client knows: the site's identity (DSFR header and footer),
the languages it is offered in, and the signed-in user's library; the apps' choices the
templates compare with (`{% if film.status == FilmStatus.WITHDRAWN %}`: imported, not
copied as strings)."""

from types import SimpleNamespace

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from catalogue.models import Film
from editorial.models import Collection

#: the site's identity as django-dsfr's templates read it (`SITE_CONFIG`); set here, not
#: in django-dsfr's database table, so that a page costs no query for it
SITE = SimpleNamespace(
    site_title=_("Documentary films for libraries"),
    site_tagline=_("The national catalogue of documentary films for libraries"),
    footer_brand_html="république<br>française",
    footer_description=_(
        "A national service that negotiates the rights of documentary films and offers "
        "them to libraries: DVD, streaming on site and at home, public screenings."
    ),
    accessibility_status="PART",
)


def site(request):
    return {
        "SITE_CONFIG": SITE,
        "LANGUAGES": settings.LANGUAGES,
        "SERVICE_CONTACT_EMAIL": settings.SERVICE_CONTACT_EMAIL,
        "FilmStatus": Film.Status,
        "CollectionKind": Collection.Kind,
    }
