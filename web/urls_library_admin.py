"""Routes of the library's back office (staff accounts, patrons, subscription and
invoices, statistics, selections, catalogue records), included by `web.urls` under
`/bibliotheque/`; and the password pages, under `/connexion/`. French paths, as the rest
of the site."""

from django.urls import path

from web.views.library import patrons, staff

urlpatterns = [
    path("equipe/", staff.staff_list, name="library-staff"),
    path("equipe/<int:member_id>/", staff.staff_detail, name="library-staff-detail"),
    path("usagers/", patrons.patron_list, name="library-patrons"),
    path("usagers/<int:patron_id>/", patrons.patron_detail, name="library-patron-detail"),
    path("usagers/<int:patron_id>/donnees", patrons.patron_export, name="library-patron-export"),
    path("usagers/cle-du-portail/", patrons.portal_key, name="library-portal-key"),
    path(
        "invitation/<str:uidb64>/<str:token>/",
        staff.password_choose,
        {"invitation": True},
        name="invitation-accept",
    ),
]

password_urlpatterns = [
    path("", staff.password_reset, name="password-reset"),
    path("envoye/", staff.password_reset_sent, name="password-reset-sent"),
    path("<str:uidb64>/<str:token>/", staff.password_choose, name="password-reset-confirm"),
]
