"""French administrative geography: INSEE region codes and the departments they contain.

Used to validate an institution's department and region and to group statistics; the
rights engine's territories (metropolitan France, overseas) derive from it.
"""

REGIONS = {
    "84": "Auvergne-Rhône-Alpes",
    "27": "Bourgogne-Franche-Comté",
    "53": "Bretagne",
    "24": "Centre-Val de Loire",
    "94": "Corse",
    "44": "Grand Est",
    "32": "Hauts-de-France",
    "11": "Île-de-France",
    "28": "Normandie",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "52": "Pays de la Loire",
    "93": "Provence-Alpes-Côte d'Azur",
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
}

_DEPARTMENTS_BY_REGION = {
    "84": "01 03 07 15 26 38 42 43 63 69 73 74",
    "27": "21 25 39 58 70 71 89 90",
    "53": "22 29 35 56",
    "24": "18 28 36 37 41 45",
    "94": "2A 2B",
    "44": "08 10 51 52 54 55 57 67 68 88",
    "32": "02 59 60 62 80",
    "11": "75 77 78 91 92 93 94 95",
    "28": "14 27 50 61 76",
    "75": "16 17 19 23 24 33 40 47 64 79 86 87",
    "76": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "52": "44 49 53 72 85",
    "93": "04 05 06 13 83 84",
    "01": "971",
    "02": "972",
    "03": "973",
    "04": "974",
    "06": "976",
}

#: department code -> region code
DEPARTMENT_REGION = {
    department: region
    for region, departments in _DEPARTMENTS_BY_REGION.items()
    for department in departments.split()
}

OVERSEAS_REGIONS = frozenset({"01", "02", "03", "04", "06"})


def area_department(code: str) -> str | None:
    """The department of an area code — a department's code (35, 2A, 974), or a commune's
    INSEE code: its department's two characters then three digits (35238, 2A004), overseas
    its department's three then two (97411) — or None when the code is neither."""
    if code in DEPARTMENT_REGION:
        return code
    if len(code) == 5 and code[2:].isdigit() and code[:3] in DEPARTMENT_REGION:
        return code[:3]
    if len(code) == 5 and code[2:].isdigit() and code[:2] in DEPARTMENT_REGION:
        return code[:2] if not code.startswith("97") else None
    return None


#: Territory codes used by rights grants.
TERRITORY_METROPOLITAN = "FR-MET"
TERRITORY_OVERSEAS = "FR-DOM"
TERRITORIES = {
    TERRITORY_METROPOLITAN: "France métropolitaine",
    TERRITORY_OVERSEAS: "Outre-mer",
}


def territory_of_department(department_code: str) -> str:
    region = DEPARTMENT_REGION[department_code]
    return TERRITORY_OVERSEAS if region in OVERSEAS_REGIONS else TERRITORY_METROPOLITAN
