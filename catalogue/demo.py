"""Demo catalogue: directors, themes and films shaped like 2017 (881 films in the
catalogue at year end, 170 withdrawn in the year, committee proposals and acquisitions in
progress). The film categories come from `demo.plan.film_plan`, which the rights demo
reads too."""

from __future__ import annotations

from django.utils.text import slugify

from catalogue.models import Country, FestivalSelection, Film, Language, Person, Theme
from catalogue.search import film_search_refresh
from demo import plan

THEMES = [
    "Société",
    "Environnement",
    "Histoire",
    "Art",
    "Musique",
    "Portrait",
    "Politique",
    "Travail",
    "Migrations",
    "Sciences",
    "Enfance",
    "Cinéma",
    "Architecture",
    "Agriculture",
    "Santé",
    "Sport",
    "Voyage",
    "Religions",
    "Droits des femmes",
    "Guerre",
    "Éducation",
    "Animaux",
    "Ville",
    "Justice",
]
COUNTRIES = {
    "FR": "France",
    "BE": "Belgique",
    "CH": "Suisse",
    "CA": "Canada",
    "DE": "Allemagne",
    "IT": "Italie",
    "ES": "Espagne",
    "PT": "Portugal",
    "GB": "Royaume-Uni",
    "US": "États-Unis",
    "BR": "Brésil",
    "AR": "Argentine",
    "CL": "Chili",
    "MX": "Mexique",
    "MA": "Maroc",
    "DZ": "Algérie",
    "TN": "Tunisie",
    "SN": "Sénégal",
    "ML": "Mali",
    "LB": "Liban",
    "IL": "Israël",
    "PS": "Palestine",
    "IR": "Iran",
    "CN": "Chine",
    "JP": "Japon",
    "IN": "Inde",
    "RU": "Russie",
    "PL": "Pologne",
    "RO": "Roumanie",
    "FI": "Finlande",
}
LANGUAGES = {
    "fr": "français",
    "en": "anglais",
    "de": "allemand",
    "it": "italien",
    "es": "espagnol",
    "pt": "portugais",
    "ar": "arabe",
    "he": "hébreu",
    "fa": "persan",
    "zh": "chinois",
    "ja": "japonais",
    "hi": "hindi",
    "ru": "russe",
    "pl": "polonais",
    "ro": "roumain",
    "fi": "finnois",
    "wo": "wolof",
    "bm": "bambara",
    "br": "breton",
    "oc": "occitan",
}
FIRST_NAMES = [
    "Agnès",
    "Raymond",
    "Claire",
    "Nicolas",
    "Mariana",
    "Sébastien",
    "Hélène",
    "Jean-Louis",
    "Dominique",
    "Chantal",
    "Frederick",
    "Wang",
    "Sergei",
    "Ahmed",
    "Léa",
    "Rithy",
    "Naomi",
    "Julie",
    "Laurent",
    "Mathilde",
    "Pierre",
    "Yasmina",
    "Alain",
    "Émilie",
    "Karim",
    "Sophie",
    "Denis",
    "Carole",
    "Jocelyne",
    "Avi",
    "Ruth",
    "Thierry",
    "Valérie",
    "Paulo",
    "Inès",
    "Olivier",
    "Barbara",
    "Aurélien",
    "Céline",
    "Mehdi",
]
LAST_NAMES = [
    "Varda",
    "Depardon",
    "Simon",
    "Philibert",
    "Otero",
    "Lifshitz",
    "Bouvier",
    "Comolli",
    "Cabrera",
    "Akerman",
    "Wiseman",
    "Bing",
    "Loznitsa",
    "Benali",
    "Morel",
    "Panh",
    "Kawase",
    "Bertuccelli",
    "Cantet",
    "Roussel",
    "Carles",
    "Amri",
    "Resnais",
    "Lefèvre",
    "Dridi",
    "Bredin",
    "Gheerbrant",
    "Roussopoulos",
    "Saab",
    "Mograbi",
    "Zabunyan",
    "Garrel",
    "Nicolas",
    "Rocha",
    "Chérif",
    "Mazuy",
    "Hammer",
    "Delattre",
    "Schiaretti",
    "Boukhari",
]
#: noun -> grammatical gender ("f" or "m")
TITLE_NOUNS = {
    "Réalité": "f",
    "Mémoire": "f",
    "Paysage": "m",
    "Rivière": "f",
    "Frontière": "f",
    "Usine": "f",
    "Village": "m",
    "Silence": "m",
    "Voix": "f",
    "Traversée": "f",
    "Mer": "f",
    "Forêt": "f",
    "Terre": "f",
    "Enfance": "f",
    "Exil": "m",
    "Atelier": "m",
    "Chemin": "m",
    "Lumière": "f",
    "Île": "f",
    "Récolte": "f",
    "Hiver": "m",
    "Été": "m",
    "Montagne": "f",
    "Passage": "m",
    "Quartier": "m",
    "Port": "m",
}
#: (masculine, feminine)
TITLE_ADJECTIVES = [
    ("ordinaire", "ordinaire"),
    ("oublié", "oubliée"),
    ("intérieur", "intérieure"),
    ("lointain", "lointaine"),
    ("habité", "habitée"),
    ("perdu", "perdue"),
    ("commun", "commune"),
    ("fragile", "fragile"),
    ("secret", "secrète"),
    ("partagé", "partagée"),
    ("nocturne", "nocturne"),
    ("invisible", "invisible"),
    ("premier", "première"),
    ("dernier", "dernière"),
]
TITLE_PATTERNS = [
    "{Noun} {adj}",
    "{the} {noun} de {place}",
    "{Nouns}",
    "Les {nouns} de {place}",
    "Après {the_lower} {noun}",
    "{a} {noun} {adj}",
    "{place}, {noun} {adj}",
]
PLACES = [
    "Marseille",
    "Calais",
    "Lampedusa",
    "Ouessant",
    "Sarajevo",
    "Beyrouth",
    "Lisbonne",
    "Dakar",
    "Bamako",
    "Tunis",
    "Montreuil",
    "Saint-Nazaire",
    "la Creuse",
    "Gaza",
    "Naples",
    "Valparaíso",
    "Téhéran",
    "Hanoï",
    "Kinshasa",
    "Brest",
]
FESTIVALS = [
    "Cinéma du réel",
    "États généraux du film documentaire (Lussas)",
    "FIDMarseille",
    "Visions du Réel",
    "Festival international du film d'animation d'Annecy",
    "Traces de vies",
    "Escales documentaires",
]
SYNOPSIS_SENTENCES = [
    "Pendant une année, la caméra suit le quotidien de ceux qui habitent ce lieu.",
    "Un portrait sensible d'une communauté confrontée aux transformations du monde.",
    "Le réalisateur revient sur les traces de son enfance et interroge la mémoire familiale.",
    "Entre archives et témoignages, le film reconstitue une histoire longtemps tue.",
    "Des gestes de travail filmés au plus près, avec patience et précision.",
    "Une réflexion sur la frontière, le passage et l'accueil.",
    "Le film donne la parole à celles et ceux que l'on n'entend jamais.",
    "Une plongée dans la vie d'un établissement, de jour comme de nuit.",
]


def _title(rng, index: int) -> str:
    noun = rng.choice(list(TITLE_NOUNS))
    feminine = TITLE_NOUNS[noun] == "f"
    elided = noun[0] in "AEIOUYÉÈÎH"
    the = "L'" if elided else ("La" if feminine else "Le")
    pattern = TITLE_PATTERNS[index % len(TITLE_PATTERNS)]
    text = pattern.format(
        Noun=noun,
        noun=noun.lower(),
        Nouns=noun if noun[-1] in "sxz" else f"{noun}s",
        nouns=(noun if noun[-1] in "sxz" else f"{noun}s").lower(),
        the=the,
        the_lower=the.lower(),
        a="Une" if feminine else "Un",
        adj=rng.choice(TITLE_ADJECTIVES)[1 if feminine else 0],
        place=rng.choice(PLACES),
    )
    text = text.replace("L' ", "L'").replace("l' ", "l'")
    return text[0].upper() + text[1:]


def seed(ctx: plan.DemoContext) -> None:
    if Film.objects.exists():
        ctx.say("catalogue: already present, skipped")
        return
    rng = ctx.random("catalogue")
    scale = ctx.scale

    Country.objects.bulk_create(
        [Country(code=c, name=n) for c, n in COUNTRIES.items()], ignore_conflicts=True
    )
    Language.objects.bulk_create(
        [Language(code=c, name=n) for c, n in LANGUAGES.items()], ignore_conflicts=True
    )
    themes = Theme.objects.bulk_create(
        [Theme(name=name, slug=slugify(name)) for name in THEMES], ignore_conflicts=True
    )
    themes = list(Theme.objects.filter(name__in=THEMES))

    people = []
    for i in range(700 * scale):
        first, last = (
            FIRST_NAMES[i % len(FIRST_NAMES)],
            LAST_NAMES[(i // len(FIRST_NAMES) + i) % len(LAST_NAMES)],
        )
        name = f"{first} {last}" + (f" {i // 1600 + 1}" if i >= 1600 else "")
        people.append(
            Person(
                name=name,
                sort_name=f"{last}, {first}",
                birth_year=rng.randint(1930, 1990),
                nationality=rng.choice(["FR"] * 6 + list(COUNTRIES)[:12]),
                portrait=(
                    f"{name} filme depuis les années {rng.choice([1970, 1980, 1990, 2000])} "
                    "les gens et les lieux que le cinéma oublie. Son œuvre mêle enquête, "
                    "autobiographie et attention aux gestes."
                )
                if i % 15 == 0
                else "",
            )
        )
    people = Person.objects.bulk_create(people, batch_size=1000)

    status_of = {
        plan.Category.WITHDRAWN_IN_YEAR: Film.Status.WITHDRAWN,
        plan.Category.WITHDRAWN_BEFORE: Film.Status.WITHDRAWN,
        plan.Category.PROPOSED: Film.Status.PROPOSED,
        plan.Category.IN_ACQUISITION: Film.Status.IN_ACQUISITION,
    }
    plans = plan.film_plan(scale)
    films = []
    for item in plans:
        title = _title(rng, item.index)
        year = (
            (item.added_on.year - rng.randint(0, 2)) if item.added_on else rng.randint(2016, 2018)
        )
        foreign = rng.random() < 0.3
        films.append(
            Film(
                reference=f"CN-{item.index + 1:06d}",
                title=title,
                original_title=f"{title} (v.o.)" if foreign else "",
                year=year,
                runtime_minutes=rng.choice([26, 52, 58, 70, 75, 84, 90, 95, 110, 140]),
                has_french_subtitles=foreign,
                synopsis=" ".join(rng.sample(SYNOPSIS_SENTENCES, 3)),
                is_animated=rng.random()
                < (0.12 if item.added_on and item.added_on.year >= 2016 else 0.02),
                status=status_of.get(item.category, Film.Status.IN_CATALOGUE),
                added_on=item.added_on,
                withdrawn_on=item.withdrawn_on,
                withdrawal_reason="Fin des droits, non renouvelés" if item.withdrawn_on else "",
            )
        )
    films = Film.objects.bulk_create(films, batch_size=1000)

    directors_through = Film.directors.through
    themes_through = Film.themes.through
    countries_through = Film.countries.through
    languages_through = Film.original_languages.through
    country_codes = list(COUNTRIES)
    language_codes = list(LANGUAGES)
    links_d, links_t, links_c, links_l, selections = [], [], [], [], []
    for film in films:
        for person in rng.sample(people, 1 if rng.random() < 0.8 else 2):
            links_d.append(directors_through(film_id=film.pk, person_id=person.pk))
        for theme in rng.sample(themes, rng.randint(1, 3)):
            links_t.append(themes_through(film_id=film.pk, theme_id=theme.pk))
        country = "FR" if not film.has_french_subtitles else rng.choice(country_codes[1:])
        links_c.append(countries_through(film_id=film.pk, country_id=country))
        language = "fr" if country == "FR" else rng.choice(language_codes[1:])
        links_l.append(languages_through(film_id=film.pk, language_id=language))
        if rng.random() < 0.3:
            selections.append(
                FestivalSelection(film=film, festival=rng.choice(FESTIVALS), year=film.year)
            )
    directors_through.objects.bulk_create(links_d, batch_size=2000)
    themes_through.objects.bulk_create(links_t, batch_size=2000)
    countries_through.objects.bulk_create(links_c, batch_size=2000)
    languages_through.objects.bulk_create(links_l, batch_size=2000)
    FestivalSelection.objects.bulk_create(selections, batch_size=2000)

    ids = [film.pk for film in films]
    for start in range(0, len(ids), 1000):
        film_search_refresh(film_ids=ids[start : start + 1000])
    ctx.say(f"catalogue: {len(films)} films, {len(people)} people, {len(themes)} themes")
