"""The library's back office through Django's test client: who may open it, the
dashboard, public screenings (find, book, cancel, attendance, download window) and the
DVD ordering interface (cart checks, idempotent submission, following and cancelling an
order). Every page at a constant number of queries. The journeys in a real browser are
in tests/browser/web/test_library_journeys.py."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from orders import services as order_services
from orders.models import Order, StockMovement
from rights.models import Medium
from subscriptions.models import CapAlert, ScreeningBooking, StreamingLoan
from subscriptions.selectors import credit_balance
from tests.editorial.conftest import day, film_with
from tests.factories import FilmFactory, InstitutionFactory, MembershipFactory, UserFactory
from tests.orders.conftest import available, grant_dvd, make_edition
from tests.web.conftest import csrf_of
from tests.web.library_data import NOT_YET_DAYS, buy_pack, screening_films, tomorrow

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    assert "{#" not in body and "{%" not in body and "{{" not in body
    return re.sub(r"\s+", " ", body)


def post(client, url, data=None, **headers):
    return client.post(
        url, {"csrfmiddlewaretoken": csrf_of(client, "/connexion/"), **(data or {})}, **headers
    )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.fixture
def librarian(library_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(library_admin)
    return client


@pytest.fixture
def dvd_library(library):
    library.dvd_authorised_since = datetime.date(2015, 1, 1)
    library.save(update_fields=["dvd_authorised_since"])
    return library


# --- who may come in ----------------------------------------------------------------------


def test_visitors_sign_in_first_and_patrons_are_told_it_is_for_staff(web, patron):
    response = web.get("/bibliotheque/projections/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=/bibliotheque/projections/")
    web.force_login(patron)
    response = web.get("/bibliotheque/")
    assert response.status_code == 403
    assert "personnel des bibliothèques" in response.content.decode()


def test_a_network_s_staff_see_the_dashboard_but_not_the_library_pages(network):
    admin = UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network)
    client = Client()
    client.force_login(admin)
    body = text(client.get("/bibliotheque/"))
    assert "Projections publiques" not in body  # not in its menu
    for url in ("/bibliotheque/projections/", "/bibliotheque/dvd/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "chaque bibliothèque du réseau" in response.content.decode()


def test_library_staff_land_on_their_dashboard_after_signing_in(web, library_admin):
    library_admin.set_password("correct horse battery")
    library_admin.save()
    response = post(
        web,
        "/connexion/",
        {"staff-username": library_admin.username, "staff-password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/bibliotheque/"


# --- dashboard ------------------------------------------------------------------------------


def test_the_dashboard_shows_the_pack_its_end_credits_and_what_needs_doing(
    librarian, library, library_admin
):
    pack = buy_pack(library)
    films = screening_films()
    # a screening in three days: its download window is open
    booking = ScreeningBooking.objects.create(
        library=library,
        subscription=pack,
        film=films["screenable"],
        starts_at=timezone.now() + datetime.timedelta(days=3),
        venue="Auditorium",
        expected_audience=40,
    )
    body = text(librarian.get("/bibliotheque/"))
    assert "Forfait découverte 3" in body
    assert f"Se termine le {pack.ends_on.day}" in body
    assert 'data-credits="3"' in body
    assert "Les Glaneurs et la Glaneuse" in body and "peut être téléchargé" in body
    assert f"#booking-{booking.pk}" in body


def test_the_dashboard_shows_streaming_use_against_the_annual_cap_and_alerts(
    librarian, library, streaming_subscription
):
    streaming_subscription.library_annual_films = 10
    streaming_subscription.save(update_fields=["library_annual_films"])
    from subscriptions.models import StreamingLoan

    viewer = UserFactory(role=User.Role.PATRON, institution=library)
    now = timezone.now()
    for _ in range(8):
        StreamingLoan.objects.create(
            subscription=streaming_subscription,
            library=library,
            user=viewer,
            film=film_with(Medium.STREAM_HOME),
            started_at=now,
            window_ends_at=now,
            day=timezone.localdate(),
        )
    for threshold in (70, 80):
        CapAlert.objects.create(
            subscription=streaming_subscription,
            library=library,
            threshold=threshold,
            used=8,
            cap=10,
            reached_at=now,
        )
    body = text(librarian.get("/bibliotheque/"))
    assert "8 films sur 10 (80 %)" in body
    assert "70 % atteint" in body and "80 % atteint" in body
    assert "90 % non atteint" in body and "100 % non atteint" in body


def test_the_dashboard_lists_used_films_leaving_soon_only(
    librarian, library, streaming_subscription
):
    from editorial.models import LibrarySelection, LibrarySelectionItem

    leaving = film_with(Medium.STREAM_HOME, ends_in=10, title="Bientôt parti")
    film_with(Medium.STREAM_HOME, ends_in=10, title="Parti sans nous")  # not used by it
    selection = LibrarySelection.objects.create(institution=library, title="Nos choix")
    LibrarySelectionItem.objects.create(selection=selection, film=leaving, position=0)
    body = text(librarian.get("/bibliotheque/"))
    assert "Bientôt parti" in body
    assert f"jusqu’au {day(10).day}" in body or f"jusqu'au {day(10).day}" in body
    assert "Parti sans nous" not in body


def test_the_dashboard_costs_a_constant_number_of_queries(
    librarian, library, streaming_subscription
):
    pack = buy_pack(library)
    films = screening_films()

    def book():
        ScreeningBooking.objects.create(
            library=library,
            subscription=pack,
            film=films["screenable"],
            starts_at=timezone.now() + datetime.timedelta(days=2),
            venue="Salle",
            expected_audience=10,
        )

    book()
    first = queries(librarian, "/bibliotheque/")
    book()
    book()
    assert queries(librarian, "/bibliotheque/") == first


# --- screenings -----------------------------------------------------------------------------


def test_the_finder_offers_a_booking_only_where_the_engine_allows_and_says_why_not(
    librarian, library
):
    buy_pack(library)
    films = screening_films()
    body = text(librarian.get(f"/bibliotheque/projections/?q=&on={tomorrow().isoformat()}"))
    assert "Réserver une projection de « Les Glaneurs et la Glaneuse »" in body
    assert "Réserver une projection de « La Pointe courte »" not in body
    opens = day(NOT_YET_DAYS)
    assert "Pas encore : votre bibliothèque le pourra à partir du" in body
    assert f"{opens.day}" in body
    # on a day when its rights have started, it may be booked
    later = text(
        librarian.get(f"/bibliotheque/projections/?q=Pointe&on={day(NOT_YET_DAYS + 1).isoformat()}")
    )
    assert "Réserver une projection de « La Pointe courte »" in later
    assert films["not_yet"].title in later


def test_the_finder_filters_to_films_that_may_be_screened(librarian, library):
    buy_pack(library)
    screening_films()
    first = text(librarian.get("/bibliotheque/projections/"))  # tomorrow's, at first
    assert "Les Glaneurs et la Glaneuse" in first and "La Pointe courte" not in first
    body = text(
        librarian.get(f"/bibliotheque/projections/?on={tomorrow().isoformat()}&available=on")
    )
    assert "Les Glaneurs et la Glaneuse" in body and "La Pointe courte" not in body


def test_booking_spends_a_credit_and_cancelling_before_the_day_gives_it_back(librarian, library):
    pack = buy_pack(library)
    films = screening_films()
    url = f"/bibliotheque/projections/films/{films['screenable'].reference}/reserver"
    response = post(
        librarian,
        url,
        {
            "on": tomorrow().isoformat(),
            "at": "18:30",
            "venue": "Auditorium",
            "expected_audience": "45",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = ScreeningBooking.objects.get()
    assert (booking.venue, booking.expected_audience) == ("Auditorium", 45)
    assert credit_balance(pack.pk) == 2
    body = text(librarian.get("/bibliotheque/projections/"))
    assert "Crédits restants : 2" in body and 'data-credits="2"' in body

    response = post(librarian, f"/bibliotheque/projections/{booking.pk}/annuler")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == ScreeningBooking.Status.CANCELLED
    assert credit_balance(pack.pk) == 3
    assert 'data-credits="3"' in text(librarian.get("/bibliotheque/projections/"))


def test_a_refused_booking_says_why_in_a_sentence_and_spends_nothing(librarian, library):
    pack = buy_pack(library)
    films = screening_films()
    url = f"/bibliotheque/projections/films/{films['not_yet'].reference}/reserver"
    page = text(librarian.get(f"{url}?on={tomorrow().isoformat()}"))
    assert "Aucune projection possible le" in page and "à partir du" in page
    # the date input holds the day as a date input reads it (not a localised date)
    assert f'type="date" id="id_on" name="on" value="{tomorrow().isoformat()}"' in page
    finder = text(librarian.get("/bibliotheque/projections/"))
    assert f'name="on" value="{tomorrow().isoformat()}"' in finder
    response = post(
        librarian,
        url,
        {
            "on": tomorrow().isoformat(),
            "at": "18:30",
            "venue": "Auditorium",
            "expected_audience": "45",
        },
    )
    body = text(response)
    assert "Pas encore : votre bibliothèque le pourra à partir du" in body
    assert not ScreeningBooking.objects.exists()
    assert credit_balance(pack.pk) == 3


def test_booking_form_errors_show_in_place(librarian, library):
    buy_pack(library)
    films = screening_films()
    url = f"/bibliotheque/projections/films/{films['screenable'].reference}/reserver"
    body = text(
        post(
            librarian,
            url,
            {"on": day(-2).isoformat(), "at": "", "venue": "", "expected_audience": "0"},
        )
    )
    assert 'id="id_on-error"' in body and "date à venir" in body
    assert 'id="id_at-error"' in body and 'id="id_venue-error"' in body
    assert 'id="id_expected_audience-error"' in body
    assert not ScreeningBooking.objects.exists()


def test_attendance_is_recorded_after_the_screening_and_the_window_is_shown(librarian, library):
    pack = buy_pack(library)
    films = screening_films()
    past = ScreeningBooking.objects.create(
        library=library,
        subscription=pack,
        film=films["screenable"],
        starts_at=timezone.now() - datetime.timedelta(days=2),
        venue="Auditorium",
        expected_audience=40,
    )
    later = ScreeningBooking.objects.create(
        library=library,
        subscription=pack,
        film=films["screenable"],
        starts_at=timezone.now() + datetime.timedelta(days=30),
        venue="Auditorium",
        expected_audience=40,
    )
    body = text(librarian.get("/bibliotheque/projections/"))
    assert f'id="attendance-{past.pk}"' in body
    assert f"/bibliotheque/projections/{later.pk}/telecharger" not in body
    assert "Le fichier pourra être téléchargé à partir du" in body
    response = post(
        librarian, f"/bibliotheque/projections/{past.pk}/frequentation", {"attendance": "37"}
    )
    assert response.status_code == 302
    past.refresh_from_db()
    assert (past.status, past.actual_attendance) == ("held", 37)
    # too early for the later one: the service refuses, nothing written
    post(librarian, f"/bibliotheque/projections/{later.pk}/frequentation", {"attendance": "5"})
    later.refresh_from_db()
    assert later.status == "booked" and later.actual_attendance is None


def test_another_library_s_screening_is_a_404(librarian, other_library):
    pack = buy_pack(other_library)
    film = screening_films()["screenable"]
    theirs = ScreeningBooking.objects.create(
        library=other_library,
        subscription=pack,
        film=film,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        venue="Salle",
        expected_audience=5,
    )
    assert post(librarian, f"/bibliotheque/projections/{theirs.pk}/annuler").status_code == 404
    assert librarian.get(f"/bibliotheque/projections/{theirs.pk}/telecharger").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "booked"


def test_the_screenings_page_costs_a_constant_number_of_queries(librarian, library):
    pack = buy_pack(library, size=8)
    films = screening_films()
    for i in range(3):
        film_with(Medium.PUBLIC_SCREENING, title=f"Film {i}")

    def book(days):
        ScreeningBooking.objects.create(
            library=library,
            subscription=pack,
            film=films["screenable"],
            starts_at=timezone.now() + datetime.timedelta(days=days),
            venue="Salle",
            expected_audience=10,
        )

    book(3)
    book(-3)
    url = f"/bibliotheque/projections/?on={tomorrow().isoformat()}"
    first = queries(librarian, url)
    book(4)
    book(-4)
    for i in range(3):
        film_with(Medium.PUBLIC_SCREENING, title=f"Autre {i}")
    assert queries(librarian, url) == first


# --- DVD ordering -------------------------------------------------------------------------


def test_the_dvd_page_lists_editions_with_free_copies_and_what_the_rights_say(
    librarian, dvd_library
):
    shown = make_edition(stock=4, film=film_with(title="Le Sel de la terre"))
    make_edition(stock=0, film=film_with(title="Épuisé"))
    ended = make_edition(stock=2, rights=False, film=film_with(title="Droits finis"))
    grant_dvd(ended.film, starts_on=datetime.date(2010, 1, 1), ends_on=day(-5))
    body = text(librarian.get("/bibliotheque/dvd/"))
    assert "Le Sel de la terre" in body and "4 exemplaires disponibles" in body
    assert "Épuisé" not in body
    assert "Droits finis" in body and "Les droits pour cet usage ont pris fin." in body
    assert shown.ean in body


ONLY_ORDERABLE = "/bibliotheque/dvd/?available=on"


def _refused_editions():
    """Editions in stock the rights engine refuses on DVD today: a withdrawn film, rights
    ended, no rights at all."""
    withdrawn = make_edition(
        stock=3, film=FilmFactory(title="B Parti", status="withdrawn", withdrawn_on=day(-10))
    )
    ended = make_edition(stock=2, rights=False, film=film_with(title="C Droits finis"))
    grant_dvd(ended.film, starts_on=datetime.date(2010, 1, 1), ends_on=day(-5))
    never = make_edition(stock=2, rights=False, film=FilmFactory(title="D Sans droits"))
    return [withdrawn, ended, never]


def test_only_what_my_library_may_order(librarian, dvd_library):
    """The filter keeps the editions the rights engine lets the library order on DVD
    today (each with its add button); the others, listed without it, are left out."""
    orderable = make_edition(stock=4, film=film_with(title="A Commandable"))
    refused = _refused_editions()
    everything = unescape(text(librarian.get("/bibliotheque/dvd/")))
    assert "4 éditions avec des exemplaires en stock" in everything
    assert 'name="available" value="on" >' in everything  # offered, not ticked
    assert "Seulement ce que ma bibliothèque peut commander" in everything
    body = unescape(text(librarian.get(ONLY_ORDERABLE)))
    assert "1 édition avec des exemplaires en stock" in body
    assert 'name="available" value="on" checked' in body
    assert "Ajouter « A Commandable » au panier" in _entry_of(body, orderable)
    for edition in refused:
        assert edition.ean not in body and edition.film.title not in body
    assert "Cette édition ne peut pas être ajoutée au panier." not in body


def test_only_what_my_library_may_order_pages_by_twenty(librarian, dvd_library):
    """The filter is the list's query: 25 orderable editions among refused ones make two
    pages of 20 and 5, every one orderable, the pages' links keep the filter."""
    titles = [f"Film {n:02d}" for n in range(25)]
    for title in titles:
        make_edition(stock=1, film=film_with(title=title))
    for n, edition in zip((3, 12, 21), _refused_editions(), strict=True):  # among them
        edition.film.title = f"Film {n:02d} refusé"
        edition.film.save(update_fields=["title"])
    first = unescape(text(librarian.get(ONLY_ORDERABLE)))
    assert "25 éditions avec des exemplaires en stock" in first
    assert first.count("Ajouter « Film ") == 20
    assert all(f"« {title} »" in first for title in titles[:20])
    assert "Cette édition ne peut pas être ajoutée au panier." not in first
    assert "?available=on&amp;page=2" in text(librarian.get(ONLY_ORDERABLE))
    second = unescape(text(librarian.get(ONLY_ORDERABLE + "&page=2")))
    assert second.count("Ajouter « Film ") == 5
    assert all(f"« {title} »" in second for title in titles[20:])
    assert "Cette édition ne peut pas être ajoutée au panier." not in second
    assert librarian.get(ONLY_ORDERABLE + "&page=3").status_code == 404


def test_the_dvd_list_with_the_filter_costs_a_constant_number_of_queries(librarian, dvd_library):
    make_edition(stock=1, film=film_with(title="Un"))
    first = {url: queries(librarian, url) for url in ("/bibliotheque/dvd/", ONLY_ORDERABLE)}
    for n in range(4):
        make_edition(stock=2, film=film_with(title=f"Autre {n}"))
    _refused_editions()
    assert {url: queries(librarian, url) for url in first} == first


def test_cart_lines_are_checked_with_their_reason_and_a_refused_submission_reserves_nothing(
    librarian, dvd_library, settings
):
    settings.ORDERS_MAX_QUANTITY_PER_LINE = 5
    good = make_edition(stock=10, film=film_with(title="Bon titre"))
    ended = make_edition(stock=10, rights=False, film=film_with(title="Droits finis"))
    ending = grant_dvd(ended.film, starts_on=datetime.date(2010, 1, 1), ends_on=day(30))
    scarce = make_edition(stock=1, film=film_with(title="Rare"))
    for edition, copies in ((good, "2"), (ended, "1"), (scarce, "1")):
        response = post(
            librarian,
            "/bibliotheque/dvd/panier/ajouter",
            {"edition": edition.pk, "quantity": copies},
        )
        assert response.status_code == 302
    # a line whose rights end while it waits in the cart
    ending.ends_on = day(-5)
    ending.save()
    # the stock moves under the cart's feet
    order_services.stock_record(edition=scarce, kind="write_off", quantity=1)
    # above the cap: refused at once, with the sentence
    post(librarian, "/bibliotheque/dvd/panier/ajouter", {"edition": good.pk, "quantity": "9"})
    body = text(librarian.get("/bibliotheque/dvd/panier/"))
    assert "Au plus 5 exemplaires d’une même édition par commande." in body or "Au plus 5" in body
    assert "DVD : Les droits pour cet usage ont pris fin." in body
    assert "Pas assez d’exemplaires disponibles en stock." in body or "Pas assez" in body
    order = Order.objects.get(status="cart")
    key = re.search(r'name="submission_key" value="([0-9a-f]+)"', body).group(1)
    response = post(
        librarian, "/bibliotheque/dvd/panier/envoyer", {"order": order.pk, "submission_key": key}
    )
    assert response.status_code == 302 and response["Location"] == "/bibliotheque/dvd/panier/"
    order.refresh_from_db()
    assert order.status == "cart"
    assert not StockMovement.objects.filter(kind="reservation").exists()


def _entry_of(body: str, edition) -> str:
    """The list's entry of an edition (its `<li>`), found by its EAN."""
    start = body.index(edition.ean)
    return body[body.rindex('<li class="web-result">', 0, start) : body.index("</li>", start)]


def test_an_edition_the_rights_refuse_on_dvd_offers_no_add_button_but_says_why(
    librarian, dvd_library
):
    """The engine's answer decides: a withdrawn film, rights ended, no rights at all —
    each row keeps its title, EAN and stock and says why, without a form; a film the
    library may order keeps its button."""
    orderable = make_edition(stock=4, film=film_with(title="Commandable"))
    withdrawn = make_edition(
        stock=3,
        film=FilmFactory(title="Parti", status="withdrawn", withdrawn_on=day(-10)),
    )
    grant_dvd(withdrawn.film)  # its grant still runs: the withdrawal decides
    ended = make_edition(stock=2, rights=False, film=film_with(title="Droits finis"))
    grant_dvd(ended.film, starts_on=datetime.date(2010, 1, 1), ends_on=day(-5))
    never = make_edition(stock=2, rights=False, film=FilmFactory(title="Sans droits"))
    body = unescape(text(librarian.get("/bibliotheque/dvd/")))
    entry = _entry_of(body, orderable)
    assert "<form" in entry and "Ajouter « Commandable » au panier" in entry
    for edition, reason in (
        (withdrawn, "Le film a quitté le catalogue."),
        (ended, "Les droits pour cet usage ont pris fin."),
        (never, "Le service ne détient pas de droits pour cet usage."),
    ):
        entry = _entry_of(body, edition)
        assert edition.film.title in entry and "disponible" in entry
        assert f"DVD : {reason}" in entry, entry
        assert "Cette édition ne peut pas être ajoutée au panier." in entry
        assert "<form" not in entry and "Ajouter" not in entry
        assert f'id="quantity-{edition.pk}"' not in entry


def test_a_forged_add_of_a_refused_edition_is_refused_with_the_reason_and_writes_nothing(
    librarian, dvd_library
):
    withdrawn = make_edition(
        stock=3,
        film=FilmFactory(title="Parti", status="withdrawn", withdrawn_on=day(-10)),
    )
    grant_dvd(withdrawn.film)
    url = "/bibliotheque/dvd/panier/ajouter"
    data = {"edition": withdrawn.pk, "quantity": "1", "back": "/bibliotheque/dvd/?q=parti"}
    response = post(librarian, url, data)
    assert response.status_code == 302 and response["Location"] == "/bibliotheque/dvd/?q=parti"
    shown = unescape(text(librarian.get(response["Location"])))
    assert "DVD : Le film a quitté le catalogue." in shown
    assert 'class="fr-alert fr-alert--error' in shown  # the message, as an error
    # under htmx: the cart's summary, beside the list, says why
    summary = unescape(text(post(librarian, url, data, HTTP_HX_REQUEST="true")))
    assert summary.startswith('<div id="cart-summary"')
    assert (
        '<p class="fr-message fr-message--error">DVD : Le film a quitté le catalogue.</p>'
        in summary
    )
    assert "Votre panier est vide." in summary
    # nothing written: no cart, no line
    assert not Order.objects.exists()
    # a cart with other lines keeps them as they were
    kept = make_edition(stock=5)
    assert post(librarian, url, {"edition": kept.pk, "quantity": "2"}).status_code == 302
    post(librarian, url, data)
    order = Order.objects.get(status="cart")
    assert list(order.lines.values_list("edition_id", "quantity")) == [(kept.pk, 2)]


def test_a_double_submission_orders_once(librarian, dvd_library):
    first = make_edition(stock=10)
    second = make_edition(stock=6)
    post(librarian, "/bibliotheque/dvd/panier/ajouter", {"edition": first.pk, "quantity": "2"})
    post(librarian, "/bibliotheque/dvd/panier/ajouter", {"edition": second.pk, "quantity": "3"})
    body = text(librarian.get("/bibliotheque/dvd/panier/"))
    order = Order.objects.get(status="cart")
    key = re.search(r'name="submission_key" value="([0-9a-f]+)"', body).group(1)
    answers = [
        post(
            librarian,
            "/bibliotheque/dvd/panier/envoyer",
            {"order": order.pk, "submission_key": key},
        )
        for _ in range(2)
    ]
    assert [a["Location"] for a in answers] == [f"/bibliotheque/dvd/commandes/{order.pk}/"] * 2
    assert Order.objects.exclude(status="cart").count() == 1
    assert (available(first), available(second)) == (8, 3)


def test_an_order_is_followed_to_shipped_with_its_note_and_cancelled_only_before(
    librarian, dvd_library, editor
):
    edition = make_edition(stock=10, film=film_with(title="Suivi"))
    order, _ = order_services.cart_get_or_create(library=dvd_library)
    order_services.cart_line_add(order=order, edition=edition, quantity=2)
    order_services.order_submit(order=order)
    body = text(librarian.get(f"/bibliotheque/dvd/commandes/{order.pk}/"))
    assert "Étape 1 sur 4" in body and "Annuler la commande" in body
    order_services.order_validate(order=order, by=editor)
    order_services.order_ship(order=order, carrier_reference="COLIS-123", by=editor)
    body = text(librarian.get(f"/bibliotheque/dvd/commandes/{order.pk}/"))
    assert "Étape 3 sur 4" in body and "COLIS-123" in body
    assert "Annuler la commande" not in body
    note = librarian.get(f"/bibliotheque/dvd/commandes/{order.pk}/bon-de-livraison")
    assert note.status_code == 200 and note["Content-Type"] == "application/pdf"
    assert b"".join(note.streaming_content).startswith(b"%PDF")
    post(librarian, f"/bibliotheque/dvd/commandes/{order.pk}/annuler")
    order.refresh_from_db()
    assert order.status == "shipped"
    history = text(librarian.get("/bibliotheque/dvd/commandes/"))
    assert f"Commande n° {order.pk}" in history and "Expédiée" in history


def test_cancelling_before_shipping_puts_the_copies_back(librarian, dvd_library):
    edition = make_edition(stock=5)
    order, _ = order_services.cart_get_or_create(library=dvd_library)
    order_services.cart_line_add(order=order, edition=edition, quantity=3)
    order_services.order_submit(order=order)
    assert available(edition) == 2
    response = post(librarian, f"/bibliotheque/dvd/commandes/{order.pk}/annuler")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled" and available(edition) == 5


def test_another_library_s_order_is_a_404(librarian, other_library):
    edition = make_edition(stock=5)
    other_library.dvd_authorised_since = datetime.date(2015, 1, 1)
    other_library.save()
    theirs, _ = order_services.cart_get_or_create(library=other_library)
    order_services.cart_line_add(order=theirs, edition=edition, quantity=1)
    order_services.order_submit(order=theirs)
    assert librarian.get(f"/bibliotheque/dvd/commandes/{theirs.pk}/").status_code == 404
    assert post(librarian, f"/bibliotheque/dvd/commandes/{theirs.pk}/annuler").status_code == 404
    assert (
        post(
            librarian,
            "/bibliotheque/dvd/panier/envoyer",
            {"order": theirs.pk, "submission_key": "k"},
        ).status_code
        == 404
    )


def test_the_dvd_pages_cost_a_constant_number_of_queries(librarian, dvd_library):
    earlier, _ = order_services.cart_get_or_create(library=dvd_library)
    order_services.cart_line_add(order=earlier, edition=make_edition(stock=5), quantity=1)
    order_services.order_submit(order=earlier)
    editions = [make_edition(stock=5) for _ in range(2)]
    for edition in editions:
        post(
            librarian, "/bibliotheque/dvd/panier/ajouter", {"edition": edition.pk, "quantity": "1"}
        )
    order = Order.objects.get(status="cart")
    urls = ["/bibliotheque/dvd/", "/bibliotheque/dvd/panier/", "/bibliotheque/dvd/commandes/"]
    before = [queries(librarian, url) for url in urls]
    order_services.order_submit(order=order)
    detail = queries(librarian, f"/bibliotheque/dvd/commandes/{order.pk}/")
    more = [make_edition(stock=5) for _ in range(3)]
    for edition in more:
        post(
            librarian, "/bibliotheque/dvd/panier/ajouter", {"edition": edition.pk, "quantity": "1"}
        )
    new_cart = Order.objects.get(status="cart")
    after = [queries(librarian, url) for url in urls]
    assert after == before
    order_services.order_submit(order=new_cart)
    assert queries(librarian, f"/bibliotheque/dvd/commandes/{new_cart.pk}/") == detail


def test_adding_to_the_cart_under_htmx_answers_the_cart_summary(librarian, dvd_library):
    edition = make_edition(stock=5, film=film_with(title="Par htmx"))
    response = post(
        librarian,
        "/bibliotheque/dvd/panier/ajouter",
        {"edition": edition.pk, "quantity": "2"},
        HTTP_HX_REQUEST="true",
    )
    body = text(response)
    assert body.startswith('<div id="cart-summary"')
    assert "« Par htmx » est dans le panier" in body and "2 exemplaires" in body


def test_the_booking_page_costs_the_same_queries_whatever_the_library_booked(librarian, library):
    pack = buy_pack(library, size=8)
    film = screening_films()["screenable"]
    url = f"/bibliotheque/projections/films/{film.reference}/reserver?on={tomorrow().isoformat()}"
    first = queries(librarian, url)
    for days in (2, 3, 4):
        ScreeningBooking.objects.create(
            library=library,
            subscription=pack,
            film=film,
            starts_at=timezone.now() + datetime.timedelta(days=days),
            venue="Salle",
            expected_audience=10,
        )
    assert queries(librarian, url) == first


def test_a_network_s_administrator_sees_each_member_s_streaming_use(
    network, library, other_library, streaming_subscription
):
    """The network's subscription covers its members: its dashboard has a row per member
    library, none for a library outside it."""
    assert streaming_subscription.subscriber_id == network.pk
    admin = UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network)
    client = Client()
    client.force_login(admin)
    body = text(client.get("/bibliotheque/"))
    assert f'<th scope="row">{library.name}</th>' in body
    assert other_library.name not in body


def _refusal_beside(body: str, line) -> str:
    """The sentence shown beside the line's copies field, checking the field points at it."""
    field = re.search(rf'<input [^>]*id="line-quantity-{line.pk}"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="line-error-{line.pk}"' in field
    group = body[: body.index(field)].rsplit('<div class="fr-input-group', 1)[1]
    assert group.startswith(' fr-input-group--error"')
    return re.search(
        rf'<p class="fr-error-text web-line-refusal" id="line-error-{line.pk}">([^<]*)</p>', body
    ).group(1)


def test_a_refused_change_of_copies_is_shown_beside_the_line_s_field(
    librarian, dvd_library, settings
):
    settings.ORDERS_MAX_QUANTITY_PER_LINE = 5
    order, _ = order_services.cart_get_or_create(library=dvd_library)
    kept = order_services.cart_line_add(
        order=order, edition=make_edition(stock=10, film=film_with(title="Gardé")), quantity=1
    )
    line = order_services.cart_line_add(
        order=order, edition=make_edition(stock=10, film=film_with(title="Trop")), quantity=2
    )
    url = f"/bibliotheque/dvd/panier/lignes/{line.pk}"
    for typed, sentence in (
        ("9", "Au plus 5 exemplaires d'une même édition par commande."),
        ("0", "Commandez au moins un exemplaire."),
        ("", "Commandez au moins un exemplaire."),
    ):
        response = post(librarian, url, {"action": "update", "quantity": typed})
        assert response.status_code == 400, typed
        body = re.sub(r"\s+", " ", unescape(response.content.decode()))
        assert _refusal_beside(body, line) == sentence
        assert f'value="{typed}" id="line-quantity-{line.pk}"' in body  # what was typed
        # the summary above the lines links to the field
        summary = body[body.index('id="cart-refusals"') : body.index('id="cart-lines"')]
        assert f'<a href="#line-quantity-{line.pk}">Trop</a> — {sentence}' in summary
        assert 'role="alert"' in summary
        # the other line is as it was: no error on it
        assert f'aria-describedby="line-error-{kept.pk}"' not in body
    line.refresh_from_db()
    assert line.quantity == 2
    changed = post(librarian, url, {"action": "update", "quantity": "4"})
    assert changed.status_code == 302
    line.refresh_from_db()
    assert line.quantity == 4


def test_lines_refused_by_the_checks_say_why_beside_their_field(librarian, dvd_library):
    order, _ = order_services.cart_get_or_create(library=dvd_library)
    ended = make_edition(stock=3, rights=False, film=film_with(title="Droits finis"))
    ending = grant_dvd(ended.film, starts_on=datetime.date(2010, 1, 1), ends_on=day(30))
    no_rights = order_services.cart_line_add(order=order, edition=ended, quantity=1)
    ending.ends_on = day(-5)  # the rights end while the line waits in the cart
    ending.save()
    scarce = make_edition(stock=2, film=film_with(title="Rare"))
    short = order_services.cart_line_add(order=order, edition=scarce, quantity=2)
    order_services.stock_record(edition=scarce, kind="write_off", quantity=1)
    body = unescape(text(librarian.get("/bibliotheque/dvd/panier/")))
    assert _refusal_beside(body, no_rights) == "DVD : Les droits pour cet usage ont pris fin."
    assert _refusal_beside(body, short) == "Pas assez d’exemplaires disponibles en stock."
    summary = body[body.index('id="cart-refusals"') : body.index('id="cart-lines"')]
    assert (
        '<div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-3w" id="cart-refusals">' in body
    )
    assert 'role="alert"' not in summary  # nothing just refused: a warning, not an alert
    assert f'href="#line-quantity-{no_rights.pk}">Droits finis</a>' in summary
    assert f'href="#line-quantity-{short.pk}">Rare</a>' in summary


def test_a_refused_change_costs_the_same_queries_with_more_lines(librarian, dvd_library, settings):
    settings.ORDERS_MAX_QUANTITY_PER_LINE = 5
    order, _ = order_services.cart_get_or_create(library=dvd_library)
    line = order_services.cart_line_add(order=order, edition=make_edition(stock=9), quantity=1)
    url = f"/bibliotheque/dvd/panier/lignes/{line.pk}"
    token = csrf_of(librarian, "/connexion/")

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = librarian.post(
                url, {"csrfmiddlewaretoken": token, "action": "update", "quantity": "9"}
            )
        assert response.status_code == 400
        return len(captured)

    few = count()
    for _ in range(3):
        order_services.cart_line_add(order=order, edition=make_edition(stock=9), quantity=1)
    assert count() == few


def test_a_network_s_dashboard_lists_its_most_streaming_members_first_with_their_alerts(
    network, library, streaming_subscription
):
    """A network may have a hundred members: the most used come first, and each shows
    the highest alert it reached (a dash when none), not four badges per member."""
    quiet = InstitutionFactory(name="Bibliothèque tranquille")
    busy = InstitutionFactory(name="Médiathèque très active")
    for member in (quiet, busy):
        MembershipFactory(network=network, library=member)
    streaming_subscription.library_annual_films = 2
    streaming_subscription.save(update_fields=["library_annual_films"])
    now = timezone.now()
    for film in (FilmFactory(), FilmFactory()):
        StreamingLoan.objects.create(
            subscription=streaming_subscription,
            library=busy,
            user=UserFactory(role=User.Role.PATRON, institution=busy),
            film=film,
            started_at=now,
            window_ends_at=now + datetime.timedelta(hours=72),
            day=timezone.localdate(),
        )
    for threshold in CapAlert.THRESHOLDS:
        CapAlert.objects.create(
            subscription=streaming_subscription,
            library=busy,
            threshold=threshold,
            used=2,
            cap=2,
            reached_at=now,
        )
    client = Client()
    client.force_login(UserFactory(role=User.Role.INSTITUTION_ADMIN, institution=network))
    body = text(client.get("/bibliotheque/"))
    rows = re.findall(r'<th scope="row">([^<]+)</th>', body)
    assert rows[0] == busy.name and quiet.name in rows[1:]
    assert "100 % atteint" in body and "90 % atteint" not in body
    assert "non atteint" not in body
    assert "L’abonnement de votre réseau, pour ses membres." in body
