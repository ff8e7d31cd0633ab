"""Routes of the editorial app, included under /api/v1/ by backend.urls."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from editorial import apis, library_selections, patron_apis

router = SimpleRouter()
router.register("collections", apis.CollectionViewSet, basename="collection")
router.register(
    "library-selections",
    library_selections.LibrarySelectionViewSet,
    basename="library-selection",
)

urlpatterns = [
    path("editorial/most-watched/", apis.MostWatchedApi.as_view(), name="editorial-most-watched"),
    path(
        "editorial/most-screened/", apis.MostScreenedApi.as_view(), name="editorial-most-screened"
    ),
    path(
        "editorial/leaving-soon/",
        apis.LeavingSoonCollectionApi.as_view(),
        name="editorial-leaving-soon",
    ),
    path(
        "editorial/most-appreciated/",
        patron_apis.MostAppreciatedApi.as_view(),
        name="editorial-most-appreciated",
    ),
    path("films/<int:pk>/rating/", patron_apis.FilmRatingApi.as_view(), name="film-rating"),
    path("me/ratings/", patron_apis.MyRatingsApi.as_view(), name="my-ratings"),
    path("me/saved-films/", patron_apis.MySavedFilmsApi.as_view(), name="my-saved-films"),
    path(
        "me/saved-films/<int:film_id>/",
        patron_apis.MySavedFilmApi.as_view(),
        name="my-saved-film",
    ),
    path("newsletter/preview/", apis.NewsletterPreviewApi.as_view(), name="newsletter-preview"),
    path("", include(router.urls)),
]
