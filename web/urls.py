"""Routes of the web client, at the site's root. French paths: the service is French
first (the language is a preference, not a path). `/films/<reference>` has no trailing
slash: it is the link the catalogue records' 856 field and the newsletter send."""

from django.urls import include, path

from web import urls_library_admin
from web.views import account, holder, patron, public, royalties

app_name = "web"

urlpatterns = [
    path("", public.home, name="home"),
    path("films/", public.film_list, name="film-list"),
    path("films/<str:reference>", public.film_detail, name="film-detail"),
    path("films/<str:reference>/affiche", public.film_poster, name="film-poster"),
    path("films/<str:reference>/regarder", patron.watch, name="watch"),
    path("films/<str:reference>/liste", patron.saved_film_toggle, name="saved-film-toggle"),
    path("films/<str:reference>/note", patron.rating_set, name="rating"),
    path("selections/<int:pk>", public.collection_detail, name="collection-detail"),
    path("realisateurs/<int:pk>", public.person_detail, name="person-detail"),
    path("themes/", public.theme_list, name="theme-list"),
    path("themes/<slug:slug>", public.theme_detail, name="theme-detail"),
    path("bibliotheques/", public.library_finder, name="library-finder"),
    path("connexion/", account.sign_in, name="sign-in"),
    path("connexion/lien/", account.link_sign_in, name="link-sign-in"),
    path("connexion/mot-de-passe/", include(urls_library_admin.password_urlpatterns)),
    path("deconnexion/", account.sign_out, name="sign-out"),
    path("langue/<str:code>/", account.language, name="language"),
    path("mon-espace/", patron.space, name="patron-space"),
    path("mon-espace/donnees/", patron.my_data, name="patron-data"),
    path("mon-espace/selections/", patron.selection_list, name="patron-selections"),
    path("mon-espace/selections/<int:pk>", patron.selection_detail, name="patron-selection"),
    path("bibliotheque/", include("web.urls_library")),
    path("ayants-droit/", holder.space, name="holder-space"),
    path("ayants-droit/releves/<int:pk>", holder.statement_detail, name="holder-statement"),
    path("ayants-droit/films/<int:pk>", holder.film_usage, name="holder-film-usage"),
    path(
        "ayants-droit/releves/<int:pk>/<str:kind>",
        holder.statement_document,
        name="holder-statement-document",
    ),
    path(
        "ayants-droit/invitation/<str:uidb64>/<str:token>/",
        holder.invitation_accept,
        name="holder-invitation",
    ),
    path("equipe/redevances/", royalties.statement_list, name="royalties-statements"),
    path(
        "equipe/redevances/releves/<int:pk>/",
        royalties.statement_detail,
        name="royalties-statement",
    ),
    path(
        "equipe/redevances/releves/<int:pk>/<str:kind>",
        royalties.statement_document,
        name="royalties-statement-document",
    ),
    path(
        "equipe/redevances/contrats/<int:contract_id>/conditions/",
        royalties.contract_terms,
        name="royalties-contract-terms",
    ),
    path(
        "equipe/redevances/ayants-droit/<int:holder_id>/utilisateurs/",
        royalties.holder_members,
        name="royalties-holder-members",
    ),
    path(
        "equipe/redevances/ayants-droit/<int:holder_id>/utilisateurs/<int:user_id>/renvoyer",
        royalties.holder_invitation_resend,
        name="royalties-holder-invitation-resend",
    ),
    path(
        "equipe/redevances/ayants-droit/<int:holder_id>/utilisateurs/<int:user_id>/annuler",
        royalties.holder_invitation_cancel,
        name="royalties-holder-invitation-cancel",
    ),
    path("accessibilite/", public.page, {"name": "accessibility"}, name="accessibility"),
    path("mentions-legales/", public.page, {"name": "legal_notice"}, name="legal-notice"),
    path("donnees-personnelles/", public.page, {"name": "privacy"}, name="privacy"),
    path("bibliotheque/", include(urls_library_admin.urlpatterns)),
    path("paiement/", include(urls_library_admin.payment_urlpatterns)),
]
