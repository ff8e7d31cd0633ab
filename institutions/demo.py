"""Demo institutions: networks and libraries shaped like 2017 (645 libraries authorised to
order DVDs, 33 subscribers covering 1,069 libraries through their networks)."""

from __future__ import annotations

import datetime

from demo import plan
from institutions.geography import DEPARTMENT_REGION
from institutions.models import Institution, NetworkMembership, OnSiteIPRange

COMMUNES = [
    ("Lyon", "69"),
    ("Villeurbanne", "69"),
    ("Grenoble", "38"),
    ("Saint-Étienne", "42"),
    ("Clermont-Ferrand", "63"),
    ("Annecy", "74"),
    ("Chambéry", "73"),
    ("Valence", "26"),
    ("Dijon", "21"),
    ("Besançon", "25"),
    ("Auxerre", "89"),
    ("Rennes", "35"),
    ("Brest", "29"),
    ("Quimper", "29"),
    ("Lorient", "56"),
    ("Saint-Brieuc", "22"),
    ("Tours", "37"),
    ("Orléans", "45"),
    ("Bourges", "18"),
    ("Blois", "41"),
    ("Ajaccio", "2A"),
    ("Bastia", "2B"),
    ("Strasbourg", "67"),
    ("Metz", "57"),
    ("Nancy", "54"),
    ("Reims", "51"),
    ("Mulhouse", "68"),
    ("Épinal", "88"),
    ("Lille", "59"),
    ("Roubaix", "59"),
    ("Amiens", "80"),
    ("Arras", "62"),
    ("Beauvais", "60"),
    ("Laon", "02"),
    ("Paris", "75"),
    ("Montreuil", "93"),
    ("Saint-Denis", "93"),
    ("Créteil", "94"),
    ("Nanterre", "92"),
    ("Évry", "91"),
    ("Melun", "77"),
    ("Versailles", "78"),
    ("Cergy", "95"),
    ("Caen", "14"),
    ("Rouen", "76"),
    ("Le Havre", "76"),
    ("Cherbourg", "50"),
    ("Alençon", "61"),
    ("Évreux", "27"),
    ("Bordeaux", "33"),
    ("Limoges", "87"),
    ("Poitiers", "86"),
    ("La Rochelle", "17"),
    ("Pau", "64"),
    ("Bayonne", "64"),
    ("Angoulême", "16"),
    ("Périgueux", "24"),
    ("Mont-de-Marsan", "40"),
    ("Agen", "47"),
    ("Niort", "79"),
    ("Guéret", "23"),
    ("Tulle", "19"),
    ("Toulouse", "31"),
    ("Montpellier", "34"),
    ("Nîmes", "30"),
    ("Perpignan", "66"),
    ("Albi", "81"),
    ("Rodez", "12"),
    ("Cahors", "46"),
    ("Tarbes", "65"),
    ("Foix", "09"),
    ("Carcassonne", "11"),
    ("Mende", "48"),
    ("Auch", "32"),
    ("Montauban", "82"),
    ("Nantes", "44"),
    ("Angers", "49"),
    ("Le Mans", "72"),
    ("Laval", "53"),
    ("La Roche-sur-Yon", "85"),
    ("Marseille", "13"),
    ("Nice", "06"),
    ("Toulon", "83"),
    ("Avignon", "84"),
    ("Gap", "05"),
    ("Digne-les-Bains", "04"),
    ("Arles", "13"),
    ("Pointe-à-Pitre", "971"),
    ("Fort-de-France", "972"),
    ("Cayenne", "973"),
    ("Saint-Denis (La Réunion)", "974"),
    ("Mamoudzou", "976"),
    ("Bourg-en-Bresse", "01"),
    ("Moulins", "03"),
    ("Privas", "07"),
    ("Aurillac", "15"),
    ("Le Puy-en-Velay", "43"),
    ("Nevers", "58"),
    ("Vesoul", "70"),
    ("Mâcon", "71"),
    ("Belfort", "90"),
    ("Lons-le-Saunier", "39"),
    ("Vannes", "56"),
    ("Châteauroux", "36"),
    ("Chartres", "28"),
    ("Charleville-Mézières", "08"),
    ("Troyes", "10"),
    ("Chaumont", "52"),
    ("Bar-le-Duc", "55"),
    ("Saint-Lô", "50"),
]
LIBRARY_WORDS = [
    "Médiathèque",
    "Bibliothèque municipale",
    "Médiathèque intercommunale",
    "Bibliothèque de quartier",
    "Médiathèque associative",
]
DEPARTMENT_NAMES = {
    "69": "Rhône",
    "38": "Isère",
    "35": "Ille-et-Vilaine",
    "59": "Nord",
    "33": "Gironde",
    "31": "Haute-Garonne",
    "44": "Loire-Atlantique",
    "13": "Bouches-du-Rhône",
    "67": "Bas-Rhin",
    "29": "Finistère",
    "34": "Hérault",
    "76": "Seine-Maritime",
    "37": "Indre-et-Loire",
    "63": "Puy-de-Dôme",
    "21": "Côte-d'Or",
    "974": "La Réunion",
}

#: Stable codes of the institutions the demo accounts belong to.
DEMO_NETWORK_CODE = "RES-0001"
DEMO_LIBRARY_CODE = "BIB-00001"


def seed(ctx: plan.DemoContext) -> None:
    if Institution.objects.exists():
        ctx.say("institutions: already present, skipped")
        return
    rng = ctx.random("institutions")
    scale = ctx.scale
    networks: list[Institution] = []
    libraries: list[Institution] = []
    departments = list(DEPARTMENT_NAMES)

    def new_network(number: int, size: int) -> Institution:
        department = departments[number % len(departments)]
        departmental = number % 3 != 2
        name = (
            f"Réseau départemental de lecture publique — {DEPARTMENT_NAMES[department]}"
            if departmental
            else f"Réseau intercommunal des médiathèques n°{number + 1}"
        )
        return Institution(
            name=name,
            code=f"RES-{number + 1:04d}",
            kind=Institution.Kind.DEPARTMENTAL if departmental else Institution.Kind.INTERCOMMUNAL,
            is_network=True,
            commune="",
            department_code=department,
            region_code=DEPARTMENT_REGION[department],
            population_served=size * rng.randint(4_000, 9_000),
            email=f"reseau{number + 1}@example.org",
        )

    def new_library(department: str | None = None) -> Institution:
        number = len(libraries) + 1
        drawn = rng.randrange(len(COMMUNES))
        commune, commune_department = COMMUNES[drawn]
        if department is not None and commune_department != department:
            # a network's member lies in the network's department: one of its communes,
            # or, when the list has none there, a library named after the department
            local = [c for c, d in COMMUNES if d == department]
            commune = local[drawn % len(local)] if local else ""
        department = department or commune_department
        kind = rng.choices(
            [
                Institution.Kind.MUNICIPAL,
                Institution.Kind.INTERCOMMUNAL,
                Institution.Kind.ASSOCIATION,
                Institution.Kind.OTHER_PUBLIC,
            ],
            weights=[70, 15, 10, 5],
        )[0]
        word = (
            "Médiathèque associative"
            if kind == Institution.Kind.ASSOCIATION
            else rng.choice(LIBRARY_WORDS[:4])
        )
        library = Institution(
            name=(f"{word} de {commune}" if commune else f"{word} — {DEPARTMENT_NAMES[department]}")
            + (f" ({number})" if number > len(COMMUNES) else ""),
            code=f"BIB-{number:05d}",
            kind=kind,
            commune=commune,
            department_code=department,
            region_code=DEPARTMENT_REGION[department],
            population_served=int(rng.lognormvariate(9.2, 1.1)) + 800,
            email=f"bib{number}@example.org",
        )
        libraries.append(library)
        return library

    sizes = [s for s in plan.SUBSCRIBING_NETWORK_SIZES for _ in range(scale)]
    sizes += [s for s in plan.NON_SUBSCRIBING_NETWORK_SIZES for _ in range(scale)]
    members: list[tuple[int, list[Institution]]] = []
    for number, size in enumerate(sizes):
        network = new_network(number, size)
        networks.append(network)
        members.append((number, [new_library(network.department_code) for _ in range(size)]))
    for _ in range(plan.SINGLE_LIBRARY_SUBSCRIBERS * scale + plan.OTHER_LIBRARIES * scale):
        new_library()

    # DVD network: 645 authorised (5 of them joined in 2017) and a few suspended.
    order = list(range(len(libraries)))
    rng.shuffle(order)
    order.remove(0)  # the demo library (first member of the first network) orders DVDs
    order.insert(plan.DVD_JOINED_IN_YEAR * scale, 0)
    authorised = plan.DVD_AUTHORISED_LIBRARIES * scale
    for rank, position in enumerate(order[: authorised + plan.DVD_SUSPENDED_LIBRARIES * scale]):
        library = libraries[position]
        if rank < plan.DVD_JOINED_IN_YEAR * scale:
            library.dvd_authorised_since = datetime.date(plan.YEAR, rng.randint(1, 11), 15)
        else:
            library.dvd_authorised_since = datetime.date(rng.randint(1995, plan.YEAR - 1), 1, 1)
        if rank >= authorised:
            library.dvd_suspended = True
            library.dvd_suspension_reason = "Retards de retour répétés"
    Institution.objects.bulk_create(networks + libraries, batch_size=1000)

    memberships = []
    for number, network_members in members:
        network = networks[number]
        for i, library in enumerate(network_members):
            joined = datetime.date(2014, 1, 1)
            if i == len(network_members) - 1:
                joined = datetime.date(plan.YEAR, 6, 1)  # joined mid-year
            memberships.append(
                NetworkMembership(network=network, library=library, joined_on=joined)
            )
    NetworkMembership.objects.bulk_create(memberships, batch_size=2000)

    ranges = [
        OnSiteIPRange(
            institution=library, cidr=f"10.{(i // 256) % 256}.{i % 256}.0/24", label="Wi-Fi"
        )
        for i, library in enumerate(libraries[:2000])
    ]
    OnSiteIPRange.objects.bulk_create(ranges, batch_size=2000)
    ctx.say(
        f"institutions: {len(networks)} networks, {len(libraries)} libraries, "
        f"{authorised} authorised to order DVDs"
    )
