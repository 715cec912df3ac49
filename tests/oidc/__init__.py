"""A real OpenID Provider for the single sign-on tests: panva's oidc-provider (see
package.json) run by node from provider.mjs on 127.0.0.1, once per test session.

The tests skip when node or `tests/oidc/node_modules` is missing (`npm ci` in this folder
installs it), except when GROWTH_REQUIRE_OIDC is set (CI).
"""

import html
import json
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

HERE = Path(__file__).parent
CLIENT_ID = "growth"
CLIENT_SECRET = "growth-test-client-secret-0123456789"
# Where the Flask test client's requests are addressed (url_for(_external=True)).
REDIRECT_URI = "http://localhost/login/oidc/callback"
NAME = "Test Identity Provider"


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"},
                               private=True)


@dataclass
class Provider:
    issuer: str
    key: RSAKey  # the provider signs ID tokens with it and publishes its public half
    process: subprocess.Popen = field(repr=False)

    def settings(self, **extra) -> dict:
        """Growth's settings for signing in through this provider."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_NAME": NAME, **extra}

    def id_token(self, claims: dict, *, key: RSAKey | None = None) -> str:
        """An ID token for `claims`, signed with the provider's key unless `key` is given."""
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_provider() -> Provider:
    """Start provider.mjs; skip (or fail, when GROWTH_REQUIRE_OIDC is set) without node
    or its node_modules."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
        message = "the test OpenID Provider needs node and `npm ci` in tests/oidc"
        if os.environ.get("GROWTH_REQUIRE_OIDC"):
            pytest.fail(f"single sign-on tests are required here, but {message}")
        pytest.skip(message)
    port = _free_port()
    key = new_key("growth-test-provider")
    environment = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENTS": json.dumps([{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                     "redirect_uris": [REDIRECT_URI]}]),
        "OIDC_JWKS": json.dumps({"keys": [key.as_dict(private=True)]}),
        "NODE_ENV": "test",
    }
    process = subprocess.Popen([node, str(HERE / "provider.mjs")], cwd=HERE, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()  # "ready <issuer>", or "" when it died
    if not line.startswith("ready "):
        process.kill()
        pytest.fail(f"the test OpenID Provider did not start (exit {process.wait()})")
    issuer = line.split(" ", 1)[1].strip()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    return Provider(issuer=issuer, key=key, process=process)


@pytest.fixture(scope="session")
def oidc_provider():
    provider = start_provider()
    yield provider
    provider.process.terminate()
    try:
        provider.process.wait(5)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()
    provider.process.stdout.close()


_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def sign_in_at_provider(authorization_url: str, login: str, stop_at: str) -> str:
    """Play the person at the provider: follow its redirects and fill in its sign-in page
    with `login` until it sends the browser to a URL starting with `stop_at`; return that
    URL (the callback with `code` and `state`)."""
    browser = requests.Session()
    url = authorization_url
    for _ in range(12):
        if url.startswith(stop_at):
            return url
        response = browser.get(url, allow_redirects=False, timeout=10)
        if not response.is_redirect:
            action = _FORM_ACTION.search(response.text)
            assert action, f"no sign-in form at {url}: {response.status_code}"
            response = browser.post(urljoin(url, html.unescape(action.group(1))),
                                    data={"prompt": "login", "login": login,
                                          "password": "anything"},
                                    allow_redirects=False, timeout=10)
            assert response.is_redirect, response.text[:500]
        url = urljoin(url, response.headers["Location"])
    raise AssertionError(f"the provider never sent the browser back (last: {url})")


def query(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
