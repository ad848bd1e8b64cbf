from .models import ForceSignOn


def sign_on_for_email(email: str) -> ForceSignOn | None:
    """The enabled force sign-in whose allowed domains include this address's domain (one at most)."""
    matches = [s for s in ForceSignOn.objects.enabled().select_related("force") if s.allows_email(email)]
    return matches[0] if len(matches) == 1 else None


def sign_on_choices() -> list[ForceSignOn]:
    """Forces that offer sign-in with force accounts, by name, for the sign-in page."""
    return list(ForceSignOn.objects.enabled().select_related("force").order_by("force__name"))
