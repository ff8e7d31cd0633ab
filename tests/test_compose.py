"""The production compose file: a reverse proxy terminating TLS in front of gunicorn, the
only service published, and the app trusting exactly that proxy — so that no client can
claim a library's address (on-site streaming) or dodge a login throttle with a header."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_only_the_proxy_is_published():
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert {str(p).split(":")[0] for p in services["proxy"]["ports"]} == {"80", "443"}
    # gunicorn and the object store are reachable on the compose network only
    assert services["web"].get("expose") == ["8000"]
    assert services["objectstore"].get("expose") == ["9000"]


def test_the_proxy_terminates_tls_and_forwards_to_gunicorn():
    proxy = compose()["services"]["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    sites = re.findall(r"^\{\$(\w+)\} \{\n(.*?)^\}", caddyfile, re.MULTILINE | re.DOTALL)
    upstreams = {name: re.findall(r"reverse_proxy (\S+)", body) for name, body in sites}
    assert upstreams == {
        "SITE_ADDRESS": ["web:8000"],
        "OBJECT_STORE_SITE_ADDRESS": ["objectstore:9000"],
    }
    # no `http://` site: Caddy serves them over HTTPS with its own certificates
    assert "http://" not in caddyfile
    # nothing upstream of Caddy is trusted unless a load balancer is named
    assert "trusted_proxies static {$LOAD_BALANCER_RANGES:127.0.0.1/32}" in caddyfile


def test_the_app_trusts_exactly_the_one_proxy():
    document = compose()
    app_env = document["x-app"]["environment"]
    assert app_env["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    env_example = (ROOT / ".env.example").read_text()
    assert re.search(r"^TRUSTED_PROXY_COUNT=1$", env_example, re.MULTILINE)
    # X-Forwarded-Proto is believed by the production settings: only the proxy sends it
    settings = (ROOT / "backend" / "settings" / "production.py").read_text()
    assert 'SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")' in settings
    assert "ports" not in document["services"]["web"]
