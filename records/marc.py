"""MARC records of films (pymarc): MARC21 and UNIMARC, one record per film, built from
plain values so that a full file and dated update files (new and deleted records; the
leader's record status says which) come from the same functions.

The record number (001) is the film's catalogue reference (CN-xxxxxx): it never changes,
so a library's system matches a new version or a deletion to the record it loaded. The
856 is the playback link on the platform's web client for that library.

Records are in UTF-8: MARC21 says so in leader/09 (`a`), UNIMARC in 100 $a/26-29 (`50`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from pymarc import Field, Indicators, Record, Subfield, XMLWriter

#: record status in the leader (position 5): new, corrected, deleted
NEW, CORRECTED, DELETED = "n", "c", "d"

#: ISO 639-1 → MARC / ISO 639-2 bibliographic codes, for the languages of the catalogue
_LANGUAGES = {
    "fr": "fre",
    "en": "eng",
    "de": "ger",
    "it": "ita",
    "es": "spa",
    "pt": "por",
    "ar": "ara",
    "he": "heb",
    "fa": "per",
    "zh": "chi",
    "ja": "jpn",
    "hi": "hin",
    "ru": "rus",
    "pl": "pol",
    "nl": "dut",
    "tr": "tur",
    "ko": "kor",
    "el": "gre",
    "sv": "swe",
    "uk": "ukr",
    "wo": "wol",
    "bm": "bam",
    "vi": "vie",
}


def marc_language(code: str) -> str:
    code = code.lower()
    if len(code) == 3:
        return code
    return _LANGUAGES.get(code, "und")


@dataclass(frozen=True)
class Person:
    name: str
    sort_name: str = ""

    def inverted(self) -> tuple[str, str]:
        """(surname, forenames) from the sort name "Surname, Forenames" when it has one."""
        surname, _, forenames = (self.sort_name or self.name).partition(", ")
        return surname, forenames


@dataclass(frozen=True)
class FilmRecord:
    """What a record says about a film (plain values, read once for a whole file)."""

    reference: str
    title: str
    year: int
    runtime_minutes: int
    original_title: str = ""
    directors: tuple[Person, ...] = ()
    countries: tuple[tuple[str, str], ...] = ()  # (ISO 3166 code, name)
    languages: tuple[str, ...] = ()  # ISO 639 codes
    synopsis: str = ""
    has_french_subtitles: bool = False
    is_animated: bool = False
    link: str = ""
    extra: dict = field(default_factory=dict, compare=False)


def _sub(*pairs: tuple[str, str]) -> list[Subfield]:
    return [Subfield(code, value) for code, value in pairs if value]


def _duration(minutes: int) -> str:
    return f"{minutes // 60:02d}{minutes % 60:02d}00"


def _stamp(now: datetime.datetime) -> str:
    return now.strftime("%Y%m%d%H%M%S.0")


def marc21_record(film: FilmRecord, *, status: str = NEW, now: datetime.datetime) -> Record:
    """A MARC21 bibliographic record of a film streamed online (leader/06 `g`)."""
    record = Record(force_utf8=True, leader=f"00000{status}gm a2200000 i 4500")
    record.add_field(Field(tag="001", data=film.reference))
    record.add_field(Field(tag="005", data=_stamp(now)))
    record.add_field(Field(tag="007", data="cr"))
    language = marc_language(film.languages[0]) if film.languages else "und"
    running = f"{film.runtime_minutes:03d}" if film.runtime_minutes < 1000 else "000"
    technique = "a" if film.is_animated else "l"
    fixed = (
        f"{now:%y%m%d}s{film.year:04d}    fr {running}"  # 00-20
        + " " * 8  # 21-28: no target audience, accompanying matter or government publication
        + "o   "  # 29: online; 30-32 undefined
        + f"v{technique}{language} d"  # 33 videorecording, 34 technique, 35-37, 38, 39
    )
    record.add_field(Field(tag="008", data=fixed))
    if film.languages or film.has_french_subtitles:
        subfields = [Subfield("a", marc_language(code)) for code in film.languages]
        if film.has_french_subtitles:
            subfields.append(Subfield("j", "fre"))
        record.add_field(Field(tag="041", indicators=Indicators("0", " "), subfields=subfields))
    directors = ", ".join(person.name for person in film.directors)
    record.add_field(
        Field(
            tag="245",
            indicators=Indicators("0", "0"),
            subfields=_sub(("a", film.title), ("c", directors and f"réalisé par {directors}")),
        )
    )
    if film.original_title and film.original_title != film.title:
        record.add_field(
            Field(
                tag="246",
                indicators=Indicators("1", " "),
                subfields=_sub(("i", "Titre original :"), ("a", film.original_title)),
            )
        )
    for _code, name in film.countries:
        record.add_field(
            Field(tag="257", indicators=Indicators(" ", " "), subfields=_sub(("a", name)))
        )
    record.add_field(
        Field(tag="264", indicators=Indicators(" ", "1"), subfields=_sub(("c", str(film.year))))
    )
    record.add_field(
        Field(
            tag="300",
            indicators=Indicators(" ", " "),
            subfields=_sub(("a", f"1 ressource en ligne ({film.runtime_minutes} min)")),
        )
    )
    record.add_field(
        Field(
            tag="306",
            indicators=Indicators(" ", " "),
            subfields=_sub(("a", _duration(film.runtime_minutes))),
        )
    )
    for tag, term, code, source in (
        ("336", "image animée bidimensionnelle", "tdi", "rdacontent"),
        ("337", "informatique", "c", "rdamedia"),
        ("338", "ressource en ligne", "cr", "rdacarrier"),
    ):
        record.add_field(
            Field(
                tag=tag,
                indicators=Indicators(" ", " "),
                subfields=_sub(("a", term), ("b", code), ("2", source)),
            )
        )
    if film.synopsis:
        record.add_field(
            Field(tag="520", indicators=Indicators(" ", " "), subfields=_sub(("a", film.synopsis)))
        )
    record.add_field(
        Field(
            tag="655",
            indicators=Indicators(" ", "4"),
            subfields=_sub(
                (
                    "a",
                    "Films documentaires d'animation"
                    if film.is_animated
                    else "Films documentaires",
                )
            ),
        )
    )
    for person in film.directors:
        surname, forenames = person.inverted()
        heading = f"{surname}, {forenames}" if forenames else surname
        record.add_field(
            Field(
                tag="700",
                indicators=Indicators("1", " "),
                subfields=_sub(("a", heading), ("e", "réalisateur"), ("4", "drt")),
            )
        )
    if film.link:
        record.add_field(
            Field(
                tag="856",
                indicators=Indicators("4", "0"),
                subfields=_sub(("u", film.link), ("z", "Voir le film sur la plateforme")),
            )
        )
    return record


def unimarc_record(film: FilmRecord, *, status: str = NEW, now: datetime.datetime) -> Record:
    """A UNIMARC bibliographic record of a film streamed online (leader/06 `g`)."""
    record = Record(force_utf8=True, leader=f"00000{status}gm  2200000 i 450 ")
    record.add_field(Field(tag="001", data=film.reference))
    record.add_field(Field(tag="005", data=_stamp(now)))
    general = f"{now:%Y%m%d}d{film.year:04d}    m  y0frey50      ba"
    record.add_field(
        Field(tag="100", indicators=Indicators(" ", " "), subfields=_sub(("a", general)))
    )
    if film.languages or film.has_french_subtitles:
        subfields = [Subfield("a", marc_language(code)) for code in film.languages]
        if film.has_french_subtitles:
            subfields.append(Subfield("j", "fre"))
        record.add_field(Field(tag="101", indicators=Indicators("0", " "), subfields=subfields))
    if film.countries:
        record.add_field(
            Field(
                tag="102",
                indicators=Indicators(" ", " "),
                subfields=[Subfield("a", code) for code, _name in film.countries],
            )
        )
    directors = ", ".join(person.name for person in film.directors)
    record.add_field(
        Field(
            tag="200",
            indicators=Indicators("1", " "),
            subfields=_sub(
                ("a", film.title),
                ("b", "Images animées"),
                ("f", directors and f"réalisé par {directors}"),
            ),
        )
    )
    record.add_field(
        Field(tag="210", indicators=Indicators(" ", " "), subfields=_sub(("d", str(film.year))))
    )
    record.add_field(
        Field(
            tag="215",
            indicators=Indicators(" ", " "),
            subfields=_sub(("a", f"1 ressource en ligne ({film.runtime_minutes} min)")),
        )
    )
    if film.synopsis:
        record.add_field(
            Field(tag="330", indicators=Indicators(" ", " "), subfields=_sub(("a", film.synopsis)))
        )
    if film.original_title and film.original_title != film.title:
        record.add_field(
            Field(
                tag="500",
                indicators=Indicators("1", "0"),
                subfields=_sub(("a", film.original_title)),
            )
        )
    record.add_field(
        Field(
            tag="608",
            indicators=Indicators(" ", " "),
            subfields=_sub(
                (
                    "a",
                    "Films documentaires d'animation"
                    if film.is_animated
                    else "Films documentaires",
                )
            ),
        )
    )
    for index, person in enumerate(film.directors):
        surname, forenames = person.inverted()
        record.add_field(
            Field(
                tag="700" if index == 0 else "701",
                indicators=Indicators(" ", "1"),
                subfields=_sub(("a", surname), ("b", forenames), ("4", "300")),
            )
        )
    if film.link:
        record.add_field(
            Field(
                tag="856",
                indicators=Indicators("4", " "),
                subfields=_sub(("u", film.link), ("z", "Voir le film sur la plateforme")),
            )
        )
    return record


BUILDERS = {"marc21": marc21_record, "unimarc": unimarc_record}


def records_file(
    films: Iterable[FilmRecord],
    *,
    flavour: str,
    status: str = NEW,
    now: datetime.datetime,
) -> bytes:
    """ISO 2709 (.mrc) file of the films' records, in the given flavour."""
    build = BUILDERS[flavour]
    return b"".join(build(film, status=status, now=now).as_marc() for film in films)


def records_xml(
    films: Iterable[FilmRecord],
    *,
    status: str = NEW,
    now: datetime.datetime,
    deleted: Iterable[FilmRecord] = (),
) -> bytes:
    """MARCXML (MARC21 slim) collection of the films' records, then the delete records
    (leader status d) of `deleted`."""
    import io

    buffer = io.BytesIO()
    writer = XMLWriter(buffer)
    for film in films:
        writer.write(marc21_record(film, status=status, now=now))
    for film in deleted:
        writer.write(marc21_record(film, status=DELETED, now=now))
    writer.close(close_fh=False)
    return buffer.getvalue()


FORMATS = ("marc21", "unimarc", "marcxml")


def file_body(
    new: list[FilmRecord], deleted: list[FilmRecord], fmt: str, *, now: datetime.datetime
) -> tuple[bytes, str]:
    """(body, content type) of a file of `new` records then delete records (leader
    status d) of `deleted`, in `fmt` (one of `FORMATS`)."""
    if fmt == "marcxml":
        return records_xml(new, deleted=deleted, now=now), "application/marcxml+xml"
    flavour = "unimarc" if fmt == "unimarc" else "marc21"
    body = records_file(new, flavour=flavour, now=now) + records_file(
        deleted, flavour=flavour, status=DELETED, now=now
    )
    return body, "application/marc"


def file_name(code: str, fmt: str, kind: str, day: datetime.date) -> str:
    """The name a file is offered under: `BIB-00001-marc21-20250314.mrc`."""
    extension = "xml" if fmt == "marcxml" else "mrc"
    return f"{code}-{fmt}-{kind + '-' if kind else ''}{day:%Y%m%d}.{extension}"
