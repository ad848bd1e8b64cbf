"""A real OpenID Connect provider for the sign-in tests: started once per test session (tests/conftest.py
imports the fixture, so the sign-in tests and the browser tests share the one server).

It is a separate Django server (tests/sso/provider, built on django-oauth-toolkit) on its own port and
SQLite file, with an RSA signing key made for the run. The product talks to it over HTTP exactly as
to a force's Microsoft or other provider: discovery, the authorization-code flow with PKCE, signed
ID tokens checked against its published keys, refresh tokens, user info and end-session.
"""

import os
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
# One provider per test process: with pytest-xdist (-n 2) worker gwN serves on the port N above.
PORT = int(os.environ.get("SSO_TEST_IDP_PORT", "8117")) + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
CALLBACK_PATH = "/sign-in/force-account/callback/"
SIGNED_OUT_PATH = "/signed-out/"
PASSWORD = "provider-pass-1"


@dataclass
class IdentityProvider:
    url: str
    control_key: str
    process: subprocess.Popen

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def _control(self, **data):
        response = requests.post(
            f"{self.url}/control/", json=data, headers={"X-Control-Key": self.control_key}, timeout=30
        )
        response.raise_for_status()

    def add_client(self, client_id: str, client_secret: str, product: str = "http://testserver") -> None:
        """Register the product (its callback and signed-out page at `product`) as a client of the provider."""
        self._control(
            do="client",
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=f"{product}{CALLBACK_PATH}",
            post_logout_redirect_uri=f"{product}{SIGNED_OUT_PATH}",
        )

    def add_user(self, username: str, email: str, *, email_verified: bool = True, amr=("pwd",)) -> None:
        self._control(
            do="user",
            username=username,
            email=email,
            email_verified=email_verified,
            amr=list(amr),
            password=PASSWORD,
        )

    def remove_user(self, username: str) -> None:
        self._control(do="remove_user", username=username)

    def sign_in(self, authorize_url: str, username: str) -> str:
        """Follow the product's redirect through the provider's own sign-in page, as a browser would.

        Returns the provider's redirect back to the product (the callback URL with code and state).
        """
        browser = requests.Session()
        response = browser.get(authorize_url, allow_redirects=False, timeout=30)
        assert response.status_code == 302, response.text[:500]
        login_url = requests.compat.urljoin(authorize_url, response.headers["Location"])
        page = browser.get(login_url, timeout=30)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        next_value = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
        response = browser.post(
            login_url,
            data={"csrfmiddlewaretoken": csrf, "username": username, "password": PASSWORD, "next": next_value},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, "the provider refused the test user's password"
        response = browser.get(
            requests.compat.urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=30
        )
        assert response.status_code == 302, response.text[:500]
        self.browser = browser
        return response.headers["Location"]

    def follow(self, url: str) -> requests.Response:
        """Open a provider address in the same browser (its cookies), e.g. the end-session redirect."""
        return self.browser.get(url, allow_redirects=False, timeout=30)


def _rsa_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory):
    folder = tmp_path_factory.mktemp("identity-provider")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sso.provider.settings",
        "PYTHONPATH": str(ROOT),
        "IDP_PORT": str(PORT),
        "IDP_DB": str(folder / "provider.sqlite3"),
        "IDP_SECRET_KEY": secrets.token_urlsafe(40),
        "IDP_RSA_KEY": _rsa_key(),
        "IDP_CONTROL_KEY": secrets.token_urlsafe(24),
    }
    log = open(folder / "provider.log", "w")  # noqa: SIM115 - closed at the end of the session
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--run-syncdb", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{PORT}"
    provider = IdentityProvider(url=url, control_key=env["IDP_CONTROL_KEY"], process=process)
    deadline = time.monotonic() + 60  # a start-up wait, not a test of speed
    while True:
        try:
            if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=5).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            pytest.fail(f"the test identity provider did not start: {(folder / 'provider.log').read_text()[-2000:]}")
        time.sleep(0.2)
    yield provider
    process.terminate()
    process.wait(timeout=30)
    log.close()


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    assert parts.netloc == "testserver", location
    return f"{parts.path}?{parts.query}"
