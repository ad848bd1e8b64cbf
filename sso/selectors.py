from .models import ForceSignOn


def sign_ons_for_email(email: str) -> list[ForceSignOn]:
    """The enabled force sign-ins whose allowed domains include this address's domain (one, normally)."""
    return [s for s in ForceSignOn.objects.enabled().select_related("force") if s.allows_email(email)]


def sign_on_choices() -> list[ForceSignOn]:
    """Forces that offer sign-in with force accounts, by name, for the sign-in page."""
    return list(ForceSignOn.objects.enabled().select_related("force").order_by("force__name"))
