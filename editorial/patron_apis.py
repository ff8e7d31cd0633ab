"""The patron's own lists on the API (the web client calls the same services):
`PUT/DELETE /api/v1/films/{id}/rating/` (1 to 5 stars, once watched), `GET
/api/v1/me/ratings/`, `GET/POST /api/v1/me/saved-films/` and `DELETE
/api/v1/me/saved-films/{film_id}/`; and the public ranking `GET
/api/v1/editorial/most-appreciated/`."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import ratings, saved_films
from editorial.apis import EditorialFilmSerializer
from editorial.models import FilmRating
from editorial.selectors import FILM_FIELDS, audience_for, film_entries, public_audience

MAX_ID = 2**63 - 1


class RatingInputSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)


class RatingSerializer(serializers.Serializer):
    film = serializers.IntegerField(source="film_id")
    stars = serializers.IntegerField()
    rated_at = serializers.DateTimeField()


class FilmRatingApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=RatingInputSerializer, responses=RatingSerializer)
    def put(self, request, pk):
        """Rate the film (or change the rating): patrons only (403 `patrons_only`), once
        they have started watching it (409 `not_watched`)."""
        data = RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = ratings.film_rating_set(
            user=request.user, film_id=pk, stars=data.validated_data["stars"]
        )
        return Response(RatingSerializer(rating).data)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request, pk):
        ratings.film_rating_remove(user=request.user, film_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyRatingsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=RatingSerializer(many=True))
    def get(self, request):
        """My ratings, most recent first (patrons only)."""
        if not request.user.is_patron:
            return Response([])
        rows = FilmRating.objects.filter(user=request.user).order_by("-rated_at", "pk")[:500]
        return Response(RatingSerializer(rows, many=True).data)


class SavedFilmInputSerializer(serializers.Serializer):
    film = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class SavedFilmSerializer(serializers.Serializer):
    film = EditorialFilmSerializer()
    saved_at = serializers.DateTimeField()


def _saved_rows(user, saved):
    films = [row.film for row in saved]
    entries = film_entries(films, audience_for(user), on=timezone.localdate(), keep_unusable=True)
    return [{"film": entries[row.film_id], "saved_at": row.saved_at} for row in saved]


class MySavedFilmsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SavedFilmSerializer(many=True))
    def get(self, request):
        """My list: the films I saved, most recent first, each with the media my library
        may use it on today (empty when no longer)."""
        saved = list(
            saved_films.saved_films_of(request.user).only(
                "saved_at", "film_id", *(f"film__{f}" for f in FILM_FIELDS)
            )[: saved_films.SAVED_FILMS_MAX]
        )
        return Response(SavedFilmSerializer(_saved_rows(request.user, saved), many=True).data)

    @extend_schema(request=SavedFilmInputSerializer, responses={201: SavedFilmSerializer})
    def post(self, request):
        """Save a film for later (saving it again changes nothing)."""
        data = SavedFilmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = saved_films.saved_film_add(user=request.user, film_id=data.validated_data["film"])
        row = saved_films.saved_films_of(request.user).get(pk=row.pk)
        body = SavedFilmSerializer(_saved_rows(request.user, [row])[0]).data
        return Response(body, status=status.HTTP_201_CREATED)


class MySavedFilmApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request, film_id):
        saved_films.saved_film_remove(user=request.user, film_id=film_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AppreciatedSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    average_stars = serializers.DecimalField(max_digits=3, decimal_places=2)
    ratings = serializers.IntegerField()
    film = EditorialFilmSerializer()


class AppreciatedQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class MostAppreciatedApi(APIView):
    """The films patrons appreciate most (the last hourly ranking), among those the
    caller's institution may use today; for visitors, the public catalogue's."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[AppreciatedQuerySerializer], responses=AppreciatedSerializer(many=True)
    )
    def get(self, request):
        params = AppreciatedQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        user = request.user
        if user.is_authenticated and user.institution_id is not None:
            audience = audience_for(user)
        else:
            audience = public_audience()
        rows = ratings.most_appreciated(audience, limit=params.validated_data["limit"])
        return Response(AppreciatedSerializer(rows, many=True).data)
