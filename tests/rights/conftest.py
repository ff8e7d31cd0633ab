"""Contracts and grants for the rights tests (built directly; behaviour goes through the
services and the API)."""

import datetime

import factory
import pytest

from rights.models import Contract, Medium, RightsGrant
from tests.factories import FilmFactory, RightsHolderFactory


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    reference = factory.Sequence(lambda n: f"CTR-{n:05d}")
    rights_holder = factory.SubFactory(RightsHolderFactory)
    status = Contract.Status.SIGNED
    signed_on = datetime.date(2016, 1, 1)


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RightsGrant

    contract = factory.SubFactory(ContractFactory)
    film = factory.SubFactory(FilmFactory)
    medium = Medium.STREAM_HOME
    starts_on = datetime.date(2017, 1, 1)
    ends_on = datetime.date(2017, 12, 31)


@pytest.fixture
def contract(db):
    return ContractFactory()


@pytest.fixture
def film(db):
    return FilmFactory()
