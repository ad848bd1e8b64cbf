"""Sign-in with a force's own accounts (OpenID Connect): one configuration per force.

The client secret is kept encrypted (a key derived from DJANGO_SECRET_KEY), or not kept at all when
the environment gives it (SSO_CLIENT_SECRET_<FORCE SLUG>); it is never shown back to anyone.
"""

import base64
import hashlib
import os
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _fernet() -> MultiFernet:
    # Old keys (SECRET_KEY_FALLBACKS) still decrypt, so rotating the secret key does not lose the secret.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"sso-client-secret:{key}".encode()).digest())) for key in keys]
    )


def secret_env_name(force_slug: str) -> str:
    """The environment variable that gives a force's client secret: SSO_CLIENT_SECRET_NORTHSHIRE."""
    return "SSO_CLIENT_SECRET_" + re.sub(r"[^A-Z0-9]", "_", force_slug.upper())


class ForceSignOnQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(is_enabled=True)


class ForceSignOn(models.Model):
    """How a force's staff sign in with their work accounts: the force's identity provider and its rules."""

    force = models.OneToOneField("placements.Force", on_delete=models.CASCADE, related_name="sign_on")
    is_enabled = models.BooleanField(
        "offer sign-in with force accounts",
        default=True,
        help_text="Untick to stop offering it (staff can still sign in with a password if they have one).",
    )
    issuer = models.URLField(
        "issuer address",
        max_length=300,
        help_text="The identity provider's issuer, e.g. https://login.microsoftonline.com/<tenant id>/v2.0",
    )
    client_id = models.CharField("client ID", max_length=255, help_text="The ID the provider gave this app.")
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    allowed_domains = models.TextField(
        "allowed email domains",
        help_text="One per line, e.g. northshire.police.uk. Only staff whose verified work email ends in one "
        "of these can sign in.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ForceSignOnQuerySet.as_manager()

    class Meta:
        ordering = ["force__name"]
        verbose_name = "force sign-in setting"
        verbose_name_plural = "force sign-in settings"

    def __str__(self):
        return f"Sign-in with force accounts for {self.force}"

    @property
    def domain_list(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in re.split(r"[\s,;]+", self.allowed_domains) if d.strip()]

    def allows_email(self, email: str) -> bool:
        """Whether the address is in one of the allowed domains (exactly: a subdomain must be listed too)."""
        _, at, domain = (email or "").strip().lower().rpartition("@")
        return bool(at) and domain in self.domain_list

    @property
    def secret_env_name(self) -> str:
        return secret_env_name(self.force.slug)

    @property
    def secret_from_environment(self) -> bool:
        return bool(os.environ.get(self.secret_env_name))

    def set_client_secret(self, raw: str) -> None:
        self.client_secret_encrypted = _fernet().encrypt(raw.encode()).decode() if raw else ""

    def reveal_client_secret(self) -> str:
        """The secret to send to the provider: the environment's if set, else the stored one ('' if unreadable)."""
        from_env = os.environ.get(self.secret_env_name)
        if from_env:
            return from_env
        if not self.client_secret_encrypted:
            return ""
        try:
            return _fernet().decrypt(self.client_secret_encrypted.encode()).decode()
        except InvalidToken:
            return ""

    @property
    def has_client_secret(self) -> bool:
        return bool(self.reveal_client_secret())


class SignOnIdentity(models.Model):
    """A force account linked to a sign-in: the provider's stable subject, found once by verified email."""

    sign_on = models.ForeignKey(ForceSignOn, on_delete=models.CASCADE, related_name="identities")
    subject = models.CharField("provider's account ID", max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_on_identities")
    linked_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-linked_at"]
        verbose_name = "linked force account"
        constraints = [
            models.UniqueConstraint(fields=["sign_on", "subject"], name="sso_identity_unique_subject"),
            models.UniqueConstraint(fields=["sign_on", "user"], name="sso_identity_unique_user"),
        ]

    def __str__(self):
        return f"Force account of {self.user}"
