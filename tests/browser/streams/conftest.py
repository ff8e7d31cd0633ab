"""The scale film the stream tests play: 24 s in 2 s segments, encoded once per test
session by the real transcoding functions (ladder, measurements) and stored for each test
by `ladder_store`, with French subtitles; store URLs that live 2 s. The media tests' store
and subscription fixtures come along."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.browser.scale_film import (  # noqa: F401 (constants the tests read)
    CUES,
    FILM_SECONDS,
    SCALE_LADDER,
    SEGMENT_SECONDS,
    SUBTITLES,
    URL_SECONDS,
    store_scale_film,
)
from tests.conftest import token_for
from tests.media.conftest import (  # noqa: F401 (fixtures used by these tests)
    grid,
    local_store,
    moto_endpoint,
    s3,
    streamable_film,
    streaming_subscription,
    today,
)


@pytest.fixture
def film(streamable_film, streaming_subscription, scale_ladder, settings):  # noqa: F811
    """The scale film in the configured store (`store_scale_film`)."""
    return store_scale_film(streamable_film, scale_ladder, settings)


@pytest.fixture
def viewer_token(patron) -> str:
    return token_for(patron)


def compose_bucket_cors(web_origins: str) -> dict:
    """The CORS rules docker-compose's `createbucket` gives the bucket, for these web
    origins: its shell command run with `mc` standing in (it prints what it would set)."""
    import yaml

    compose = yaml.safe_load(
        (Path(__file__).resolve().parents[3] / "docker-compose.yml").read_text()
    )
    command = compose["services"]["createbucket"]["command"][0].replace("$$", "$")
    stand_in = 'mc() { if [ "$1" = cors ]; then cat; fi; }; '
    env = {"PATH": os.environ["PATH"], "BUCKET": "b", "UPLOAD_ORIGINS": web_origins}
    xml = subprocess.run(
        [shutil.which("sh"), "-c", stand_in + command],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rules = []
    for rule in ElementTree.fromstring(xml).iter("CORSRule"):  # noqa: S314 (our own file)
        entry = {}
        for tag, key in (
            ("AllowedOrigin", "AllowedOrigins"),
            ("AllowedMethod", "AllowedMethods"),
            ("AllowedHeader", "AllowedHeaders"),
            ("ExposeHeader", "ExposeHeaders"),
        ):
            if values := [element.text for element in rule.iter(tag)]:
                entry[key] = values
        entry["MaxAgeSeconds"] = int(rule.findtext("MaxAgeSeconds"))
        rules.append(entry)
    return {"CORSRules": rules}
