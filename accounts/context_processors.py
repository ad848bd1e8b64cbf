from django.http import HttpRequest

from .access import is_platform_admin
from .scoping import Scope, scope_for


def scope(request: HttpRequest) -> dict[str, Scope | bool]:
    """Expose the user's roles to templates (navigation only; views enforce access)."""
    user = getattr(request, "user", None)
    return {"scope": scope_for(user), "platform_admin": is_platform_admin(user)}
