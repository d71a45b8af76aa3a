"""X-Forwarded-Proto is believed only when a proxy of ours stands in front (TRUSTED_PROXY_COUNT):
otherwise any client could pass a plain-HTTP request off as HTTPS (issue 10, item 12)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_setting(name: str, **env) -> object:
    """A setting as production computes it: DEBUG off, not testing."""
    code = (
        "import json, django.conf; from django.conf import settings; "
        f"print(json.dumps(getattr(settings, {name!r}, None)))"
    )
    environment = {
        "DJANGO_SETTINGS_MODULE": "pps.settings",
        "SECRET_KEY": "not-secret-only-for-this-test",
        "DEBUG": "0",
        "PATH": "/usr/bin:/bin",
        **env,
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_without_a_proxy_x_forwarded_proto_is_ignored():
    assert production_setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="0") is None


def test_behind_a_proxy_its_x_forwarded_proto_is_believed():
    header = production_setting("SECURE_PROXY_SSL_HEADER", TRUSTED_PROXY_COUNT="1")
    assert header == ["HTTP_X_FORWARDED_PROTO", "https"]


@pytest.mark.parametrize("proxies", ["0", "1"])
def test_production_still_redirects_to_https(proxies):
    assert production_setting("SECURE_SSL_REDIRECT", TRUSTED_PROXY_COUNT=proxies) is True
