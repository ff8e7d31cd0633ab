"""The apps' boundaries that import-linter cannot see (its contracts, in .importlinter, are
checked by `make lint`): read from the apps' sources with `ast`, nothing imported.

- An import of another app made inside a function hides a dependency from the layers:
  only an `AppConfig.ready()` registration may do it (models load once apps are ready),
  or an import whose comment says why (`# imported here because …`).
- Rows are locked only in an app's `locks.py` (the order across apps: backend/locks.py).
- Another app's choice values are imported (its enum), never copied as strings into a
  comparison, a filter or a call.
- Every app is placed in the layers.
"""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
#: the apps' top-level packages (backend's own apps are part of `backend`)
APPS = sorted({app.split(".")[0] for app in settings.LOCAL_APPS} | {"backend"})
WHY = "imported here because"


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield app, path, path.read_text()


def _functions(tree):
    """(function, its class or None) for every function of a module, nested ones too."""

    def walk(node, cls):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield from walk(child, child)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield child, cls
                yield from walk(child, None)
            else:
                yield from walk(child, cls)

    yield from walk(tree, None)


def _is_ready(path: Path, function, cls) -> bool:
    return (
        path.name == "apps.py"
        and function.name == "ready"
        and cls is not None
        and any(getattr(base, "id", getattr(base, "attr", "")) == "AppConfig" for base in cls.bases)
    )


def cross_app_imports_in_functions(app: str, path: Path, source: str) -> list[str]:
    """`path:line module` of each import of another app inside a function, other than an
    AppConfig.ready() registration or an import whose comment (on its lines or the line
    above) says why."""
    lines = source.splitlines()
    found = []
    for function, cls in _functions(ast.parse(source)):
        if _is_ready(path, function, cls):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            other = [m for m in modules if m.split(".")[0] in APPS and m.split(".")[0] != app]
            if not other:
                continue
            around = lines[max(node.lineno - 2, 0) : node.end_lineno]
            if not any(WHY in line for line in around):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {', '.join(other)}")
    return found


def test_no_import_of_another_app_inside_a_function_without_its_reason():
    found = [
        line
        for app, path, src in _sources()
        for line in cross_app_imports_in_functions(app, path, src)
    ]
    assert found == []


def test_the_check_finds_a_hidden_import_and_accepts_ready_and_a_reason():
    """The check above on sources written for it: it would pass on anything otherwise."""
    hidden = "def f():\n    from rights.decisions import decide\n"
    assert cross_app_imports_in_functions("media", ROOT / "media/x.py", hidden) == [
        "media/x.py:2 rights.decisions"
    ]
    own_app = "def f():\n    from media.models import Asset\n"
    assert cross_app_imports_in_functions("media", ROOT / "media/x.py", own_app) == []
    with_reason = (
        "def f():\n"
        "    # imported here because the module imports media at load time\n"
        "    from rights.decisions import decide\n"
    )
    assert cross_app_imports_in_functions("media", ROOT / "media/x.py", with_reason) == []
    ready = (
        "from django.apps import AppConfig\n"
        "class C(AppConfig):\n"
        "    def ready(self):\n"
        "        from rights.decisions import register_usage_provider\n"
    )
    assert cross_app_imports_in_functions("media", ROOT / "media/apps.py", ready) == []
    # ready() outside apps.py, or another method of the config, is no registration
    assert cross_app_imports_in_functions("media", ROOT / "media/other.py", ready) != []


def test_rows_are_locked_only_in_each_apps_locks_module():
    found = []
    for _app, path, source in _sources():
        if path.name == "locks.py":
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and node.attr == "select_for_update":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def _copied_values():
    """{value: owning app} of choice values distinctive enough to be recognised as copies:
    the rights engine's media and the catalogue's statuses."""
    from catalogue.models import Film
    from rights.models import Medium
    from subscriptions.models import ScreeningBooking

    values = {value: "rights" for value in Medium.values}
    values.update({value: "catalogue" for value in Film.Status.values})
    values[ScreeningBooking.Status.BOOKED] = "subscriptions"
    return values


def copied_choice_values(app: str, path: Path, source: str, values: dict) -> list[str]:
    """`path:line value` of another app's choice value written as a string where it is
    compared, filtered on or passed to a call."""

    def strings(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            for element in node.elts:
                yield from strings(element)

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
        elif isinstance(node, ast.Call):
            operands = [*node.args, *(keyword.value for keyword in node.keywords)]
        else:
            continue
        for operand in operands:
            for constant in strings(operand):
                owner = values.get(constant.value)
                if owner is not None and owner != app:
                    found.append(f"{path.relative_to(ROOT)}:{constant.lineno} {constant.value}")
    return found


def test_other_apps_choice_values_are_imported_not_copied():
    values = _copied_values()
    found = [
        line
        for app, path, src in _sources()
        if path.parent.name != "settings"  # settings cannot import models
        for line in copied_choice_values(app, path, src, values)
    ]
    assert found == []


def test_the_copy_check_finds_a_copied_medium_and_status():
    values = _copied_values()
    source = (
        'decide(library, film, "public_screening", on=day)\n'
        'if film.status == "withdrawn":\n    pass\n'
        'Film.objects.filter(status__in=["in_catalogue"])\n'
    )
    assert copied_choice_values("media", ROOT / "media/x.py", source, values) == [
        "media/x.py:1 public_screening",
        "media/x.py:2 withdrawn",
        "media/x.py:4 in_catalogue",
    ]
    assert copied_choice_values("rights", ROOT / "rights/x.py", 'm == "dvd"\n', values) == []


def test_every_app_has_its_place_in_the_layers():
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    roots = set(config["importlinter"]["root_packages"].split())
    layers = config["importlinter:contract:layers"]["layers"]
    placed = {
        name.strip("() ")
        for line in layers.split("\n")
        for name in line.replace(":", "|").split("|")
        if name.strip()
    }
    assert set(APPS) <= roots
    assert set(APPS) - {"demo"} <= placed  # demo's seed imports every app: outside them
