"""Routes of the library's back office (staff accounts, patrons, subscription and
invoices, statistics, selections, catalogue records), included by `web.urls` under
`/bibliotheque/`; and the password pages, under `/connexion/`. French paths, as the rest
of the site."""

from django.urls import path

from web.views.library import exports, patrons, records, selections, staff, stats, subscription

urlpatterns = [
    path("equipe/", staff.staff_list, name="library-staff"),
    path("equipe/<int:member_id>/", staff.staff_detail, name="library-staff-detail"),
    path("usagers/", patrons.patron_list, name="library-patrons"),
    path("usagers/<int:patron_id>/", patrons.patron_detail, name="library-patron-detail"),
    path("usagers/<int:patron_id>/donnees", patrons.patron_export, name="library-patron-export"),
    path("usagers/cle-du-portail/", patrons.portal_key, name="library-portal-key"),
    path("usagers/debloquer/", patrons.card_unlock, name="library-card-unlock"),
    path("abonnement/", subscription.subscription_overview, name="library-subscription"),
    path(
        "abonnement/<int:subscription_id>/",
        subscription.subscription_detail,
        name="library-subscription-detail",
    ),
    path(
        "abonnement/<int:subscription_id>/annuler",
        subscription.subscription_cancel,
        name="library-subscription-cancel",
    ),
    path(
        "abonnement/<int:subscription_id>/renouveler",
        subscription.subscription_renew,
        name="library-subscription-renew",
    ),
    path(
        "abonnement/factures/<int:invoice_id>.pdf",
        subscription.invoice_pdf,
        name="library-invoice-pdf",
    ),
    path("statistiques/", stats.stats_page, name="library-stats"),
    path("statistiques/fichiers/", stats.stats_export_new, name="library-stats-export"),
    path("statistiques/sushi/", stats.sushi_credential_new, name="library-sushi-new"),
    path(
        "statistiques/sushi/<int:credential_id>/revoquer",
        stats.sushi_credential_end,
        name="library-sushi-revoke",
    ),
    path("selections/", selections.selection_list, name="library-selections"),
    path(
        "selections/<int:selection_id>/",
        selections.selection_detail,
        name="library-selection-detail",
    ),
    path(
        "selections/<int:selection_id>/supprimer",
        selections.selection_delete,
        name="library-selection-delete",
    ),
    path("notices/", records.records_page, name="library-records"),
    path("notices/fichiers/", records.records_export_new, name="library-records-export"),
    path("fichiers/<str:kind>/<int:pk>/", exports.export_status, name="library-export"),
    path(
        "fichiers/<str:kind>/<int:pk>/telecharger",
        exports.export_download,
        name="library-export-download",
    ),
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

#: where Stripe Checkout sends the payer back (STRIPE_CHECKOUT_SUCCESS_URL / _CANCEL_URL)
payment_urlpatterns = [
    path("merci", subscription.payment_done, name="payment-done"),
    path("annule", subscription.payment_cancelled, name="payment-cancelled"),
]
