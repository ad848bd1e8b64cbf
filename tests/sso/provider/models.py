from django.conf import settings
from django.db import models


class Claims(models.Model):
    """What the provider says about a user beyond the email: set by each test."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idp_claims")
    email_verified = models.BooleanField(default=True)
    amr = models.JSONField(default=list)

    def __str__(self):
        return f"Claims of {self.user}"
