from django.http import HttpRequest

from .scoping import Scope, scope_for


def scope(request: HttpRequest) -> dict[str, Scope]:
    """Expose the user's roles to templates (navigation only; views enforce access)."""
    return {"scope": scope_for(getattr(request, "user", None))}
