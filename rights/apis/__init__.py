"""Rights API (see each module): contracts, grants, availability and timelines
(`contracts`), negotiations and campaigns (`negotiations`), staff reports (`reports`)."""

from rights.apis.contracts import (
    ContractViewSet,
    FilmAvailabilityApi,
    FilmRightsTimelineApi,
    GrantViewSet,
    RightsHolderViewSet,
)
from rights.apis.negotiations import CampaignViewSet, NegotiationViewSet
from rights.apis.reports import (
    ExpiringGrantsReportApi,
    FilmsLosingLastMediumReportApi,
    WithdrawnFilmsReportApi,
)

__all__ = [
    "CampaignViewSet",
    "ContractViewSet",
    "ExpiringGrantsReportApi",
    "FilmAvailabilityApi",
    "FilmRightsTimelineApi",
    "FilmsLosingLastMediumReportApi",
    "GrantViewSet",
    "NegotiationViewSet",
    "RightsHolderViewSet",
    "WithdrawnFilmsReportApi",
]
