"""Factories for test data (factory_boy). They build valid records directly; behaviour
under test always goes through the HTTP API or the services."""

import datetime

import factory
from django.utils.text import slugify

from accounts.models import User
from catalogue.models import Country, Film, Language, Person, Theme
from institutions.models import Institution, NetworkMembership
from rights.models import RightsHolder

TEST_PASSWORD = "correct horse battery staple"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Médiathèque n°{n}")
    code = factory.Sequence(lambda n: f"TEST-{n:05d}")
    kind = Institution.Kind.MUNICIPAL
    department_code = "69"
    region_code = "84"
    population_served = 20_000


class NetworkFactory(InstitutionFactory):
    name = factory.Sequence(lambda n: f"Réseau n°{n}")
    kind = Institution.Kind.DEPARTMENTAL
    is_network = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMembership

    network = factory.SubFactory(NetworkFactory)
    library = factory.SubFactory(InstitutionFactory)
    joined_on = datetime.date(2020, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.INSTITUTION_MEMBER
    institution = factory.SubFactory(InstitutionFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CinemaStaffFactory(UserFactory):
    role = User.Role.CATALOGUE_EDITOR
    institution = None
    is_staff = True


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Réalisatrice {n}")
    sort_name = factory.LazyAttribute(lambda o: o.name)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class FilmFactory(factory.django.DjangoModelFactory):
    """A film in the catalogue. Use `catalogue.services.film_create` when the search index
    matters."""

    class Meta:
        model = Film

    reference = factory.Sequence(lambda n: f"T-{n:06d}")
    title = factory.Sequence(lambda n: f"Film {n}")
    year = 2015
    runtime_minutes = 80
    status = Film.Status.IN_CATALOGUE
    added_on = datetime.date(2016, 1, 1)


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "FR"
    name = "France"


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("code",)

    code = "fr"
    name = "français"


class RightsHolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RightsHolder

    name = factory.Sequence(lambda n: f"Production {n}")
    kind = RightsHolder.Kind.PRODUCER
