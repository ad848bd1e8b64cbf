"""The OpenID Connect client for one force, built with Authlib from the force's own settings.

Authlib does the protocol: discovery, the authorization-code flow with PKCE (S256), state and nonce,
and the ID token's checks (signature against the provider's published keys, issuer, audience,
expiry, nonce). This module only chooses the force's issuer, client ID and secret.
"""

import time

from authlib.integrations.django_client import DjangoOAuth2App
from authlib.integrations.django_client.integration import DjangoIntegration
from django.conf import settings
from django.core.cache import cache

from .models import ForceSignOn

SCOPE = "openid email profile"
# Discovery and signing keys are read again at most this often (seconds); a key rotated at the
# provider is still picked up at once, as Authlib refetches the keys on an unknown key id.
METADATA_CACHE_SECONDS = 300


class ProviderConfigurationError(Exception):
    """The provider's discovery document is missing, unreachable or names another issuer."""


def _metadata_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _cache_key(sign_on: ForceSignOn) -> str:
    return f"sso:metadata:{sign_on.pk}:{sign_on.issuer}"


def client_for(sign_on: ForceSignOn) -> DjangoOAuth2App:
    """A client for the force's provider; its discovery document is cached for a few minutes."""
    metadata = cache.get(_cache_key(sign_on)) or {}
    app = DjangoOAuth2App(
        DjangoIntegration(f"sso{sign_on.pk}"),
        name=f"sso{sign_on.pk}",
        client_id=sign_on.client_id,
        client_secret=sign_on.reveal_client_secret(),
        server_metadata_url=_metadata_url(sign_on.issuer),
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "default_timeout": getattr(settings, "SSO_HTTP_TIMEOUT", 10),
        },
        **metadata,
    )
    try:
        loaded = app.load_server_metadata()
    except Exception as exc:  # requests' connection errors, a bad JSON body
        raise ProviderConfigurationError(str(exc)) from exc
    # OpenID Connect Discovery: the document must name the very issuer it was fetched for.
    if (loaded.get("issuer") or "").rstrip("/") != sign_on.issuer.rstrip("/"):
        raise ProviderConfigurationError("The provider's discovery document names another issuer.")
    if not metadata:
        loaded.setdefault("_loaded_at", time.time())
        cache.set(_cache_key(sign_on), dict(loaded), METADATA_CACHE_SECONDS)
    return app


def scope_for(app: DjangoOAuth2App) -> str:
    """The scopes to ask for: with `offline_access` where the provider offers it (Entra ID gives a
    refresh token, needed for the re-check at the session limit, only then)."""
    offered = app.load_server_metadata().get("scopes_supported") or []
    return f"{SCOPE} offline_access" if "offline_access" in offered else SCOPE


def remember_keys(sign_on: ForceSignOn, app: DjangoOAuth2App) -> None:
    """Keep the signing keys fetched during a sign-in with the cached discovery document."""
    cache.set(_cache_key(sign_on), dict(app.server_metadata), METADATA_CACHE_SECONDS)
