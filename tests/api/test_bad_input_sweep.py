"""Every write operation of the API (read from its OpenAPI schema), sent each kind of
malformed input a careless client or an attacker sends: never a 5xx, and a refusal writes
nothing.

One request per operation and kind, as the first role that passes the permission check
(cinema staff, then the library's administrator, then a patron, then anonymous), on
objects that exist (tests/api/sweep_world.py) so the input is read. A body starts from a
valid-looking one built from the schema (sent first: the report says how many operations
accepted it, so that the damage reached their services), and one kind of damage is applied
to every field it touches: nested 20,000 deep, lone surrogates (in values and keys), NUL
characters, 10,001-character strings, dates in year 1 and 9999, integers past 64 bits,
wrong types, nested objects of the wrong shape, nulls, bodies that are not objects; and
path ids past 64 bits. The parser's refusals (nesting, surrogates, not an object) must be
400s whatever the operation.

Each request runs in a savepoint rolled back afterwards, so the next one meets the same
world; after a 4xx the database must be as it was: on PostgreSQL the transaction's counts
of written rows say whether anything was written, and if so each table's row count and
newest row version (xmin) say where; elsewhere every row of every table is compared.
Run with `-s` to see the counts (SWEEP_DEBUG=1: the refused valid-looking bodies and the
accepted damaged ones).
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import connection, transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.api.sweep_world import build_world
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")
ROLES = ("staff", "library_admin", "patron", "anonymous")
HUGE = 10**20  # past any 64-bit integer column
DEEP = 20_000

# --- a valid-looking body, from the schema ------------------------------------------------
#: properties that name an object of the world, by name
OBJECT_IDS = {
    "film": "film",
    "films": "film",
    "rights_holder": "rights_holder",
    "contract": "contract",
    "campaign": "campaign",
    "assignee": "staff",
    "in_charge": "staff",
    "institution": "library",
    "library": "library",
    "subscriber": "library",
    "network": "network",
    "plan": "plan",
    "edition": "edition",
    "line": "order_line",
    "booking": "booking",
    "subscription": "subscription",
    "theme": "theme",
    "themes": "theme",
    "person": "person",
    "directors": "person",
    "asset": "asset",
    "upload": "upload",
}
#: strings whose value is checked against the domain's vocabularies
STRINGS = {
    "countries": "FR",
    "original_languages": "fr",
    "territories": "FR-MET",
    "eligible_kinds": "municipal",
    "department_code": "35",
    "region_code": "53",
    "home_area": "35",
    "pin": "482193",
    "card": "CARD-0002",
    "sha256": "0" * 64,
    "part_sha256": "0" * 64,
    "signature": "0" * 64,
    "cidr": "192.0.2.0/24",
    "language": "fr",
    "email": "x@example.org",
    "etag": '"0"',
}


#: strings the world holds
WORLD_STRINGS = {"ean": "ean"}
#: properties left out of the bodies: files go in multipart requests
LEFT_OUT = {"document"}
#: who sends an operation's requests, by path: the first role past the permission check,
#: in this order
ROLE_ORDER = {
    "/api/v1/playback/": ("patron",),
    "/api/v1/patrons/login/": ("anonymous",),
    "/api/v1/patrons/link-login/": ("anonymous",),
}


class Schema:
    """The OpenAPI document, and valid-looking values for its request bodies."""

    def __init__(self, document: dict):
        self.document = document

    def resolve(self, node: dict) -> dict:
        while "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = self.document["components"]["schemas"][name]
        if "allOf" in node and len(node["allOf"]) == 1:
            node = {
                **self.resolve(node["allOf"][0]),
                **{k: v for k, v in node.items() if k != "allOf"},
            }
        for combined in ("oneOf", "anyOf"):
            if combined in node:
                options = [self.resolve(o) for o in node[combined]]
                usable = [
                    o
                    for o in options
                    if o.get("type") != "null" and o.get("enum") not in ([""], [None], ["", None])
                ]
                node = usable[0] if usable else options[0]
        return node

    def example(self, node: dict, name: str, world) -> object:
        node = self.resolve(node)
        if "enum" in node:
            return next(v for v in node["enum"] if v not in ("", None))
        kind = node.get("type")
        if kind == "object" or "properties" in node:
            return {
                key: self.example(sub, key, world)
                for key, sub in node.get("properties", {}).items()
                if not sub.get("readOnly") and key not in LEFT_OUT
            }
        if kind == "array":
            return [self.example(node.get("items", {}), name, world)]
        if name in OBJECT_IDS and kind in ("integer", None):
            return world[OBJECT_IDS[name]]
        if kind == "integer":
            low, high = node.get("minimum", 1), node.get("maximum", 10**6)
            return max(low, min(high, 2))
        if kind == "number":
            return max(node.get("minimum", 1), 1)
        if kind == "boolean":
            return False
        fmt = node.get("format")
        today = datetime.date.today()
        if fmt == "date":
            return (today + datetime.timedelta(days=30)).isoformat()
        if fmt == "date-time":
            return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)).isoformat()
        if fmt == "decimal":
            return "1.00"
        if fmt == "email":
            return "x@example.org"
        if fmt == "uri":
            return "https://example.org/x"
        if fmt == "uuid":
            return "00000000-0000-4000-8000-000000000000"
        if name in STRINGS:
            return STRINGS[name]
        if name in WORLD_STRINGS:
            return world[WORLD_STRINGS[name]]
        if name == "institution":
            return world["institution_code"]
        return "x" * max(1, min(node.get("minLength", 1), 20))


# --- kinds of damage ----------------------------------------------------------------------
def _map(value, node, schema, leaf):
    """Apply `leaf(value, node)` to every scalar of a body, following its schema."""
    node = schema.resolve(node)
    if isinstance(value, dict):
        props = node.get("properties", {})
        return {k: _map(v, props.get(k, {}), schema, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [_map(v, node.get("items", {}), schema, leaf) for v in value]
    return leaf(value, node)


def _strings(replacement):
    def leaf(value, node):
        return replacement if isinstance(value, str) else value

    return leaf


def _dates(date, moment):
    def leaf(value, node):
        fmt = node.get("format")
        return {"date": date, "date-time": moment}.get(fmt, value)

    return leaf


def _integers(number):
    def leaf(value, node):
        return number if isinstance(value, int) and not isinstance(value, bool) else value

    return leaf


def _wrong_type(value, node):
    if isinstance(value, bool):
        return "x"
    if isinstance(value, int | float):
        return "x"
    if isinstance(value, str):
        return {"x": 1}
    return [1]


RAW_BODIES = {
    "nested_20000_deep": "[" * DEEP + "]" * DEEP,
    "nested_20000_deep_object": '{"a":' * DEEP + "1" + "}" * DEEP,
    "body_is_a_list": "[]",
    "body_is_a_number": "1",
    "body_is_a_string": '"x"',
    "body_is_null": "null",
}


def body_variants(schema: Schema, node: dict, valid: dict) -> dict[str, object]:
    """Kind name -> the JSON value (or raw text, for RAW_BODIES) of the damaged body."""
    variants = dict(RAW_BODIES)

    def apply(leaf):
        return _map(copy.deepcopy(valid), node, schema, leaf)

    variants |= {
        "lone_surrogate": apply(_strings("\ud800")),
        "lone_surrogate_in_key": {"\udfff": 1, **valid},
        "nul_character": apply(_strings("a\x00b")),
        "string_of_10k": apply(_strings("x" * 10_001)),
        "year_1": apply(_dates("0001-01-01", "0001-01-01")),
        "year_9999": apply(_dates("9999-12-31", "9999-12-31T23:59:59")),
        "integers_past_64_bits": apply(_integers(HUGE)),
        "negative_integers_past_64_bits": apply(_integers(-HUGE)),
        "wrong_types": apply(_wrong_type),
        "nulls": apply(lambda value, node: None),
        "objects_of_the_wrong_shape": {
            k: [{"a": 1}] if isinstance(v, list) else ([] if isinstance(v, dict) else v)
            for k, v in valid.items()
        },
        "list_items_of_the_wrong_shape": {
            k: [{"a": 1}] if isinstance(v, list) else v for k, v in valid.items()
        },
    }
    return variants


STRICT = {*RAW_BODIES, "lone_surrogate", "lone_surrogate_in_key"}


# --- nothing written ----------------------------------------------------------------------
def _tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def writes_so_far() -> int | None:
    """PostgreSQL counts the rows the current transaction inserted, updated or deleted
    (rolled-back savepoints included): when a request leaves it as it was, it wrote
    nothing, and the fingerprint need not be read."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_user_tables"
        )
        return cursor.fetchone()[0]


def fingerprint(tables) -> tuple:
    """What every table holds, cheaply: on PostgreSQL, each table's row count and the
    newest transaction id among its rows (`xmin`: an insert or an update made inside the
    request's savepoint carries a newer one; a delete lowers the count) — one query;
    elsewhere, every row."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT {i}, count(*), max(xmin::text::bigint) FROM {quote(t)}"  # noqa: S608
                    for i, t in enumerate(tables)
                )
            )
            rows = sorted(cursor.fetchall())
            return tuple((tables[i], count, newest) for i, count, newest in rows)
        state = []
        for table in tables:
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608
            rows = sorted(map(repr, cursor.fetchall()))
            state.append((table, hashlib.sha256(repr(rows).encode()).hexdigest()))
        return tuple(state)


def changed_tables(before: tuple, after: tuple) -> list[str]:
    return [b[0] for b, a in zip(before, after, strict=True) if a != b]


# --- the sweep ----------------------------------------------------------------------------
def _path_values(path: str, world) -> dict[str, object]:
    head = path.removeprefix("/api/v1/").split("/")[0]
    by_head = {
        "campaigns": "campaign",
        "collections": "collection",
        "contracts": "contract",
        "dvd-editions": "edition",
        "films": "film",
        "grants": "grant",
        "institutions": "network" if "/members/" in path else "library",
        "invoices": "invoice",
        "library-selections": "selection",
        "negotiations": "negotiation",
        "orders": "order",
        "patrons": "patron",
        "payment-terms": "payment_terms",
        "people": "person",
        "rights-holders": "rights_holder",
        "royalty-statements": "statement",
        "screenings": "booking",
        "subscriptions": "subscription",
        "themes": "theme",
        "plans": "plan",
        "media": (
            "asset" if "/assets/" in path else "film" if "/playable-films/" in path else "upload"
        ),
    }
    values = {
        "id": world[by_head[head]] if head in by_head else None,
        "item_id": world["collection_item" if head == "collections" else "selection_item"],
        "line_id": world["order_line"],
        "credential_pk": world["credential"],
        "session_id": world["session"],
        "token": world["session_token"],
        "token_id": world["api_token"],
        "member_id": world["staff_member"],
        "name": "seg_00000.ts",
        "film_id": world["film"],
        "asset_id": world["asset"],
        "year": world["year"],
        "day": world["day"],
    }
    return {name: values[name] for name in re.findall(r"{(\w+)}", path)}


def _url(path: str, values: dict) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value))
    return path


@pytest.fixture
def sweep_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.OBJECT_STORE_BUCKET = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.STRIPE_WEBHOOK_SECRET = "whsec_sweep"  # on: its refusals come from the parser
    settings.DEFAULT_THROTTLE_RATES = {"auth": "100000/minute"}
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            scope: "100000/minute" for scope in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        },
    }


#: refusals that record something on purpose: (method, path) -> the tables they may write
#: refusals that write on purpose (none: the Stripe webhook checks its signature before it
#: stores anything)
REFUSALS_THAT_RECORD: dict[tuple[str, str], set[str]] = {}


@dataclass
class Sweep:
    clients: dict
    tables: list[str]
    pristine: tuple
    counts: Counter = field(default_factory=Counter)
    accepted: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    baseline: dict[str, int] = field(default_factory=dict)

    def requests_of(self, schema: Schema, world, path: str, operation: dict):
        """(kind, url, body) of every request the operation is sent."""
        values = _path_values(path, world)
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            node = content["application/json"]["schema"]
            valid = schema.example(node, "", world)
            valid = valid if isinstance(valid, dict) else {}
            yield "valid_looking", _url(path, values), valid
            for kind, body in body_variants(schema, node, valid).items():
                if body != valid:  # a kind of damage the body has no field for
                    yield kind, _url(path, values), body
        ids = {name for name in values if name.endswith("id") and name != "session_id"}
        if ids:
            huge = {name: HUGE if name in ids else value for name, value in values.items()}
            yield "path_id_past_64_bits", _url(path, huge), None

    def operation(self, schema: Schema, world, path: str, method: str, operation: dict):
        role = None
        for kind, url, body in self.requests_of(schema, world, path, operation):
            status, role = self.send(method, path, url, kind, body, role)
            if kind == "valid_looking":
                self.baseline[f"{method.upper()} {path}"] = status
                continue
            self.counts[status // 100] += 1
            if 200 <= status < 300:
                self.accepted[kind] += 1
                if os.environ.get("SWEEP_DEBUG"):
                    print("ACCEPTED", kind, method.upper(), path)
            # 413: a route that caps its body before reading it (the Stripe webhook, 64 KiB)
            if kind in STRICT and status not in (400, 413):
                self.problems.append(
                    f"{method.upper()} {path} [{kind}] as {role}: {status}, not 400"
                )

    def send(self, method, path, url, kind, body, role):
        """Send as `role` — or, for the operation's first request, as the first role past
        the permission check. In a savepoint, rolled back afterwards."""
        payload = body if kind in RAW_BODIES else ("" if body is None else json.dumps(body))
        roles = next((r for prefix, r in ROLE_ORDER.items() if path.startswith(prefix)), ROLES)
        for candidate in [role] if role else roles:
            self.crashes.clear()
            cache.clear()  # the login throttle and lockouts count per address: each request alone
            with transaction.atomic():
                writes = writes_so_far()
                response = self.clients[candidate].generic(
                    method.upper(), url, payload, content_type="application/json"
                )
                status = response.status_code
                if kind == "valid_looking" and status >= 300 and os.environ.get("SWEEP_DEBUG"):
                    print(method, url, status, response.content[:300], json.dumps(body)[:300])
                untouched = status >= 500 or (writes is not None and writes == writes_so_far())
                after = self.pristine if untouched else fingerprint(self.tables)
                transaction.set_rollback(True)
            where = f"{method.upper()} {url} [{kind}] as {candidate}: {status}"
            if status >= 500:
                self.problems.append(f"{where} {self.crashes}")
            elif 400 <= status < 500:
                written = set(changed_tables(self.pristine, after))
                if written - REFUSALS_THAT_RECORD.get((method, path), set()):
                    self.problems.append(f"{where} but wrote to {sorted(written)}")
            if role or status not in (401, 403):
                break
        return status, candidate


@pytest.mark.slow
def test_no_write_operation_answers_5xx_or_writes_on_bad_input(sweep_settings):
    """Slow on purpose (about a thousand requests, each in a savepoint with a fingerprint
    of the tables before and after): every write operation of the schema, every kind of
    damage."""
    started = time.monotonic()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a 4xx each, by design
    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = Schema(document)
    world = build_world()
    clients = {}
    for role, user in world.users.items():
        client = client_for(user) if user else APIClient()
        client.raise_request_exception = False
        clients[role] = client
    tables = _tables()
    sweep = Sweep(clients=clients, tables=tables, pristine=fingerprint(tables))
    got_request_exception.connect(
        lambda sender, request, **kw: sweep.crashes.append(repr(sys.exc_info()[1])),
        weak=False,
        dispatch_uid="bad-input-sweep",
    )
    try:
        for path, item in document["paths"].items():
            for method in WRITE_METHODS:
                if method in item:
                    sweep.operation(schema, world, path, method, item[method])
    finally:
        got_request_exception.disconnect(dispatch_uid="bad-input-sweep")

    counts = sweep.counts
    sent = sum(counts.values())
    print(
        f"\nbad-input sweep: {sent} requests, {counts[4]} answered 4xx, {counts[2]} 2xx "
        f"(accepted: {dict(sweep.accepted)}), {counts[5]} 5xx, "
        f"in {time.monotonic() - started:.1f} s"
    )
    refused = {op: status for op, status in sweep.baseline.items() if status >= 300}
    print(
        f"valid-looking bodies: {len(sweep.baseline) - len(refused)} of {len(sweep.baseline)} accepted; refused: {refused}"
    )
    assert sent > 900
    assert not sweep.problems, "\n".join(sweep.problems)


# --- read operations: their query parameters -----------------------------------------------
def parameter_variants(parameters: list[dict]) -> dict[str, dict[str, str]]:
    """Kind name -> query string values: every parameter of a type set to one extreme."""

    def each(test, value):
        return {p["name"]: value for p in parameters if test(p.get("schema", {}))}

    def is_date(schema):
        return schema.get("format") in ("date", "date-time")

    def is_number(schema):
        return schema.get("type") in ("integer", "number")

    def is_text(schema):
        return schema.get("type") == "string" and "format" not in schema and "enum" not in schema

    variants = {
        "year_1": each(is_date, "0001-01-01"),
        "year_9999": each(is_date, "9999-12-31"),
        "integers_past_64_bits": each(is_number, str(HUGE)),
        "negative_integers_past_64_bits": each(is_number, str(-HUGE)),
        "not_a_number": each(is_number, "1e400"),
        "nul_character": each(is_text, "a\x00b"),
        "string_of_10k": each(is_text, "x" * 10_001),
    }
    return {kind: query for kind, query in variants.items() if query}


@pytest.mark.slow
def test_no_read_operation_answers_5xx_on_bad_parameters(sweep_settings):
    """Slow on purpose (some three hundred requests). The same for every read operation's documented query parameters (dates of year 1
    and 9999, integers past 64 bits, NUL characters, 10,001-character strings) and path
    ids past 64 bits: never a 5xx."""
    logging.getLogger("django.request").setLevel(logging.ERROR)
    document = SchemaGenerator().get_schema(request=None, public=True)
    world = build_world()
    clients = {}
    for role, user in world.users.items():
        client = client_for(user) if user else APIClient()
        client.raise_request_exception = False
        clients[role] = client
    counts: Counter = Counter()
    problems = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        values = _path_values(path, world)
        requests = [
            (kind, _url(path, values), query)
            for kind, query in parameter_variants(
                [p for p in operation.get("parameters", []) if p["in"] == "query"]
            ).items()
        ]
        ids = {name for name in values if name.endswith("id") and name != "session_id"}
        if ids:
            huge = {name: HUGE if name in ids else value for name, value in values.items()}
            requests.append(("path_id_past_64_bits", _url(path, huge), {}))
        role = None
        for kind, url, query in requests:
            for candidate in [role] if role else ROLES:
                with transaction.atomic():
                    status = clients[candidate].get(url, query).status_code
                    transaction.set_rollback(True)
                if role or status not in (401, 403):
                    break
            role = candidate
            counts[status // 100] += 1
            if status >= 500:
                problems.append(f"GET {url} [{kind}] as {role}: {status}")
    print(
        f"\nbad-parameter sweep of the reads: {sum(counts.values())} requests, "
        f"{counts[4]} answered 4xx, {counts[2]} 2xx, {counts[5]} 5xx"
    )
    assert sum(counts.values()) > 150
    assert not problems, "\n".join(problems)
