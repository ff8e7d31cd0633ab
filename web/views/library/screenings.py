"""Public screenings, for a library's staff: find a film the library may screen on a
day (the rights engine decides, per day; a refusal says why and until when), book it on
the pack or subscription (the credits move), cancel (the credit comes back before the
day, as `booking_cancel` rules), download the file once its window opens, record the
attendance afterwards. Booking and cancelling are open to the library's staff, as in the
API; every rule is the services'."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.errors import ApplicationError
from catalogue import selectors as catalogue_selectors
from catalogue.filters import FilmFilter
from media.services.screenings import download_window, screening_download
from rights.decisions import decide, decide_many
from rights.models import Medium
from rights.selectors import films_available
from subscriptions import selectors as subscription_selectors
from subscriptions.models import ScreeningBooking
from subscriptions.services import screenings as screening_services
from web import rights
from web.views.library.access import library_staff_required
from web.views.library.dashboard import subscriptions_of

SCREENING = Medium.PUBLIC_SCREENING
FILMS_PER_PAGE = 10
PAST_SHOWN = 20


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


def _tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


class FinderForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Title, director, theme"), max_length=200, required=False
    )
    on = forms.DateField(label=gettext_lazy("Screening date"), widget=DateInput, required=False)
    available = forms.BooleanField(
        label=gettext_lazy("Only the films my library may screen that day"), required=False
    )

    def clean_on(self):
        day = self.cleaned_data.get("on") or _tomorrow()
        if day < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        if day.year > timezone.localdate().year + 5:
            raise forms.ValidationError(_("Choose a day within the next five years."))
        return day


class BookingForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    at = forms.TimeField(label=gettext_lazy("Time"), widget=TimeInput)
    venue = forms.CharField(label=gettext_lazy("Venue"), max_length=200)
    expected_audience = forms.IntegerField(
        label=gettext_lazy("Expected audience"), min_value=1, max_value=100_000
    )

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("on"), cleaned.get("at")
        if day and day < timezone.localdate():
            self.add_error("on", _("A screening can only be booked for a future date."))
        elif day and at:
            if day.year > timezone.localdate().year + 5:
                self.add_error("on", _("Choose a day within the next five years."))
                return cleaned
            starts_at = timezone.make_aware(datetime.datetime.combine(day, at))
            if starts_at <= timezone.now():
                self.add_error("on", _("A screening can only be booked for a future date."))
            cleaned["starts_at"] = starts_at
        return cleaned


class AttendanceForm(forms.Form):
    attendance = forms.IntegerField(
        label=gettext_lazy("People who came"), min_value=0, max_value=100_000
    )


def _finder(request, library) -> dict:
    # first shown: the films the library may screen tomorrow
    form = FinderForm(
        request.GET or None, initial={"on": _tomorrow().isoformat(), "available": True}
    )
    day = _tomorrow()
    queryset = catalogue_selectors.film_list_queryset(request.user).order_by("title", "pk")
    if not form.is_bound:
        queryset = films_available(queryset, institution=library, medium=SCREENING, on=day)
    elif form.is_valid():
        day = form.cleaned_data["on"]
        if form.cleaned_data["q"]:
            queryset = FilmFilter(
                {"q": form.cleaned_data["q"]}, queryset=queryset, request=request
            ).qs
        if form.cleaned_data["available"]:
            queryset = films_available(queryset, institution=library, medium=SCREENING, on=day)
    else:
        queryset = queryset.none()
    paginator = Paginator(queryset, FILMS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        raise Http404(_("This page of results does not exist.")) from None
    films = list(page.object_list)
    decisions = decide_many(library, films, [SCREENING], on=day) if films else {}
    results = []
    for film in films:
        decision = decisions[film.pk][SCREENING]
        results.append(
            {
                "film": film,
                "allowed": decision.allowed,
                "sentence": rights.sentence(decision),
                "no_end_known": rights.no_end_known(decision),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "finder": form,
        "day": day,
        "page": page,
        "results": results,
        "query_without_page": query.urlencode(),
    }


def _bookings(user) -> dict:
    today = timezone.localdate()
    now = timezone.now()
    rows = list(
        subscription_selectors.bookings_visible_to(user)
        .filter(starts_at__gte=now - datetime.timedelta(days=365))
        .order_by("starts_at", "pk")
    )
    upcoming, past = [], []
    for booking in rows:
        opens, closes = download_window(booking.starts_at)
        entry = {
            "booking": booking,
            "opens": opens,
            "closes": closes,
            "downloadable": booking.status == ScreeningBooking.Status.BOOKED
            and opens <= today <= closes,
            "held_already": booking.starts_at <= now,
        }
        (past if booking.starts_at <= now else upcoming).append(entry)
    past.reverse()
    return {"upcoming": upcoming, "past": past[:PAST_SHOWN]}


@require_GET
@library_staff_required(libraries_only=True)
def screenings(request):
    """The credits, the finder and the library's screenings (the finder's results alone
    when htmx asks for them)."""
    library = request.user.institution
    context = {
        "subscriptions": [
            row
            for row in subscriptions_of(library, timezone.localdate())
            if row["credits"] is not None
        ],
        **_finder(request, library),
        **_bookings(request.user),
        "attendance_form": AttendanceForm(),
        "page_title": _("Public screenings"),
        "library_section": "screenings",
        "nav_section": "library",
    }
    return render(request, "web/library/screenings.html", context)


def _film(request, reference):
    film = catalogue_selectors.films_visible_to(request.user).filter(reference=reference).first()
    if film is None:
        raise Http404(_("No such film."))
    return film


def _refusal(exc: ApplicationError) -> str:
    """A service's refusal as a sentence: the rights engine's in words, with its day."""
    if (exc.extra or {}).get("condition") == "rights":
        return rights.refusal_sentence(exc.code, exc.extra.get("valid_until"))
    return str(exc.message)


@require_http_methods(["GET", "POST"])
@library_staff_required(libraries_only=True)
def book(request, reference):
    """Book a screening of a film: the engine's answer for the day chosen is shown first;
    a refusal (rights, credits, no subscription) is the service's, with its reason."""
    library = request.user.institution
    film = _film(request, reference)
    if request.method == "POST":
        form = BookingForm(request.POST)
        if form.is_valid():
            try:
                booking = screening_services.booking_create(
                    library=library,
                    film=film,
                    starts_at=form.cleaned_data["starts_at"],
                    venue=form.cleaned_data["venue"],
                    expected_audience=form.cleaned_data["expected_audience"],
                    booked_by=request.user,
                )
            except ApplicationError as exc:
                form.add_error(None, _refusal(exc))
            else:
                left = subscription_selectors.credit_balance(booking.subscription_id)
                messages.success(
                    request,
                    _("Screening of “%(film)s” booked on %(day)s. Credits left: %(left)s.")
                    % {
                        "film": film.title,
                        "day": rights._date(timezone.localdate(booking.starts_at)),
                        "left": left,
                    },
                )
                return redirect("web:library-screenings")
        day = form.cleaned_data.get("on")
    else:
        try:
            day = datetime.date.fromisoformat(request.GET.get("on", ""))
        except ValueError:
            day = None
        if day is None or day < timezone.localdate():
            day = _tomorrow()
        # ISO strings: what a date and a time input hold (a date object would be localised)
        form = BookingForm(initial={"on": day.isoformat(), "at": "18:30"})
    decision = decide(library, film, SCREENING, on=day or _tomorrow())
    return render(
        request,
        "web/library/screening_book.html",
        {
            "film": film,
            "form": form,
            "day": day or _tomorrow(),
            "allowed": decision.allowed,
            "sentence": rights.sentence(decision),
            "no_end_known": rights.no_end_known(decision),
            "page_title": _("Book a screening"),
            "crumbs": [(_("Public screenings"), reverse("web:library-screenings"))],
            "library_section": "screenings",
            "nav_section": "library",
        },
    )


def _booking(request, pk) -> ScreeningBooking:
    return subscription_selectors.booking_get_for(request.user, pk)


@require_POST
@library_staff_required(libraries_only=True)
def cancel(request, pk):
    booking = _booking(request, pk)
    try:
        booking = screening_services.booking_cancel(booking=booking, by=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        left = subscription_selectors.credit_balance(booking.subscription_id)
        messages.success(
            request,
            _("Screening of “%(film)s” cancelled. Credits left: %(left)s.")
            % {"film": booking.film.title, "left": left},
        )
    return redirect("web:library-screenings")


@require_POST
@library_staff_required(libraries_only=True)
def attendance(request, pk):
    booking = _booking(request, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Attendance of “%(film)s”: %(error)s")
            % {"film": booking.film.title, "error": " ".join(form.errors["attendance"])},
        )
        return redirect("web:library-screenings")
    try:
        screening_services.booking_report_attendance(
            booking=booking, attendance=form.cleaned_data["attendance"]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Attendance of “%(film)s” recorded.") % {"film": booking.film.title}
        )
    return redirect("web:library-screenings")


@require_GET
@library_staff_required(libraries_only=True)
def download(request, pk):
    """The screening's file, through the same service as the API (a presigned link)."""
    booking = _booking(request, pk)
    try:
        found = screening_download(booking=booking)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:library-screenings")
    return redirect(found.url)
