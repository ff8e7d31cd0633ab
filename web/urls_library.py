"""Routes of the library's back office, under `/bibliotheque/` (French paths, like the
rest of the site). Each part of the back office adds its own patterns here."""

from django.urls import path

from web.views.library import dashboard, dvd, screenings

urlpatterns = [
    path("", dashboard.dashboard, name="library-dashboard"),
    path("projections/", screenings.screenings, name="library-screenings"),
    path(
        "projections/films/<str:reference>/reserver",
        screenings.book,
        name="library-screening-book",
    ),
    path("projections/<int:pk>/annuler", screenings.cancel, name="library-screening-cancel"),
    path(
        "projections/<int:pk>/frequentation",
        screenings.attendance,
        name="library-screening-attendance",
    ),
    path(
        "projections/<int:pk>/telecharger",
        screenings.download,
        name="library-screening-download",
    ),
    path("dvd/", dvd.editions, name="library-dvd"),
    path("dvd/panier/", dvd.cart, name="library-dvd-cart"),
    path("dvd/panier/ajouter", dvd.cart_add, name="library-dvd-cart-add"),
    path("dvd/panier/lignes/<int:line_id>", dvd.cart_line, name="library-dvd-cart-line"),
    path("dvd/panier/envoyer", dvd.cart_submit, name="library-dvd-cart-submit"),
    path("dvd/commandes/", dvd.orders, name="library-dvd-orders"),
    path("dvd/commandes/<int:pk>/", dvd.order_detail, name="library-dvd-order"),
    path("dvd/commandes/<int:pk>/annuler", dvd.order_cancel, name="library-dvd-order-cancel"),
    path(
        "dvd/commandes/<int:pk>/bon-de-livraison",
        dvd.delivery_note,
        name="library-dvd-delivery-note",
    ),
]
