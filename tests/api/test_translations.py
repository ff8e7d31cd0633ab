"""Every model and field of our apps has a translatable name, and the French catalogue
translates every message: the cinema staff use the admin in French, and drf-spectacular
describes the API with these names."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise

FRENCH_PO = Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"


def _parse_po(path):
    """The entries of a .po file as dicts {"msgctxt", "msgid", "msgid_plural", "msgstr"
    (a list, one string per plural form), "fuzzy"}. Quoted strings are read with Python's
    literal rules, which cover the C escapes a .po uses."""
    entries = []
    entry = None
    previous = None  # the keyword a continuation line ("...") extends
    fuzzy = False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if previous == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[previous] += value
            continue
        keyword, _, quoted = line.partition(" ")
        value = ast.literal_eval(quoted.strip())
        if keyword == "msgctxt" or (keyword == "msgid" and previous != "msgctxt"):
            entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": []}
            entry["fuzzy"], fuzzy = fuzzy, False
            entries.append(entry)
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            entry[keyword] = value
            previous = keyword
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            entry["msgstr"].append(value)
            previous = "msgstr"
        else:
            raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
    return entries


FRENCH_ENTRIES = [entry for entry in _parse_po(FRENCH_PO) if entry["msgid"]]
FRENCH_MSGIDS = {entry["msgid"] for entry in FRENCH_ENTRIES}


def _local_models():
    for config in apps.get_app_configs():
        if config.name not in settings.LOCAL_APPS:  # names: "backend.revision" is "revision"
            continue
        for model in config.get_models():
            if model.__name__.startswith("Historical"):
                continue  # simple_history builds them from the model's own fields
            yield model


def _names(model):
    """(what, name) for the model's Meta names and each of its fields, auto-created ones
    (implicit primary keys, reverse relations) aside."""
    opts = model._meta
    yield f"{opts.label} Meta.verbose_name", opts.verbose_name
    yield f"{opts.label} Meta.verbose_name_plural", opts.verbose_name_plural
    for field in [*opts.fields, *opts.many_to_many]:
        if field.auto_created:
            continue
        yield f"{opts.label}.{field.name}", field.verbose_name


def _has_french(name):
    """Translated by our catalogue, or by Django's (inherited fields such as username)."""
    with translation.override("en"):
        english = str(name)
    with translation.override("fr"):
        french = str(name)
    return english in FRENCH_MSGIDS or french != english


def test_the_french_catalogue_is_read_whole():
    assert len(FRENCH_ENTRIES) > 500
    assert "film" in FRENCH_MSGIDS
    assert any(entry["msgid_plural"] for entry in FRENCH_ENTRIES)
    assert any(entry["msgctxt"] for entry in FRENCH_ENTRIES)


def test_every_model_and_field_name_is_translatable():
    untranslatable = [
        what
        for model in _local_models()
        for what, name in _names(model)
        if not isinstance(name, Promise)
    ]
    assert untranslatable == []


def test_every_model_declares_its_plural():
    """Django's default plural appends an "s" to the translated singular, which French
    rarely wants (« nonce de lien du portail » → « nonce de lien du portails »)."""
    missing = [
        model._meta.label
        for model in _local_models()
        if "verbose_name_plural" not in model._meta.original_attrs
    ]
    assert missing == []


def test_every_model_and_field_name_has_a_french_translation():
    missing = [
        what
        for model in _local_models()
        for what, name in _names(model)
        if isinstance(name, Promise) and not _has_french(name)
    ]
    assert missing == []


def test_the_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    untranslated = [
        entry["msgid"]
        for entry in FRENCH_ENTRIES
        if entry["fuzzy"] or not entry["msgstr"] or not all(entry["msgstr"])
    ]
    assert untranslated == []


def test_the_french_catalogue_has_unique_messages():
    keys = [(entry["msgctxt"], entry["msgid"]) for entry in FRENCH_ENTRIES]
    duplicates = sorted({key for key in keys if keys.count(key) > 1}, key=str)
    assert duplicates == []


def test_the_compiled_catalogue_matches_the_po():
    """The .mo Django reads is compiled from the .po as it stands (msgfmt was run)."""
    stale = []
    with translation.override("fr"):
        for entry in FRENCH_ENTRIES:
            if entry["msgid_plural"] is None:
                if entry["msgctxt"] is None:
                    french = translation.gettext(entry["msgid"])
                else:
                    french = translation.pgettext(entry["msgctxt"], entry["msgid"])
                if french != entry["msgstr"][0]:
                    stale.append(entry["msgid"])
    assert stale == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_names_render_in_each_language(language):
    from institutions.models import Institution

    with translation.override(language):
        name = str(Institution._meta.get_field("members").verbose_name)
    assert name == {"fr": "bibliothèques membres", "en": "member libraries"}[language]


#: the names our code calls gettext by (`_lazy` is the stats annual report's alias)
_GETTEXT_NAMES = {"_", "_lazy", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def _source_messages():
    """(file:line, context, msgid) of every literal message our apps' code translates."""
    root = Path(settings.BASE_DIR)
    for name in settings.LOCAL_APPS:
        for path in sorted((root / name.replace(".", "/")).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                if node.func.id not in _GETTEXT_NAMES:
                    continue
                args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
                context = None
                if node.func.id.startswith("pgettext"):
                    context, args = args[0], args[1:]
                if args and isinstance(args[0], str):
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    yield where, context, args[0]


def test_every_message_of_the_code_has_a_french_translation():
    translated = {
        (entry["msgctxt"], entry["msgid"])
        for entry in FRENCH_ENTRIES
        if not entry["fuzzy"] and all(entry["msgstr"])
    }
    messages = list(_source_messages())
    assert len(messages) > 500  # the scan reads the code
    missing = [
        f"{where}: {msgid!r}"
        for where, context, msgid in messages
        if (context, msgid) not in translated
    ]
    assert not missing, "\n".join(missing)
