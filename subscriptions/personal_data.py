"""What the service keeps about a patron, wherever it is kept.

A patron's data lives in several apps: their registration here, their viewing sessions in
media, their list and ratings in editorial. The apps above this one register, at start-up
(`AppConfig.ready`), how to export their part and how to erase it; a data access request
(`patron_export`) and an erasure (`patron_erase`) then cover everything without this app
importing theirs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalData:
    name: str
    export: Callable[[object], object]
    #: None: the part is kept after erasure (statistics), no longer linked to a person
    erase: Callable[[object], None] | None


_registry: dict[str, PersonalData] = {}


def register(name: str, *, export, erase=None) -> None:
    _registry[name] = PersonalData(name, export, erase)


def export_all(user) -> dict:
    return {name: part.export(user) for name, part in sorted(_registry.items())}


def erase_all(user) -> None:
    for part in _registry.values():
        if part.erase is not None:
            part.erase(user)
