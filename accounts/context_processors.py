from .scoping import scope_for


def scope(request):
    """Expose the user's roles to templates (navigation only; views enforce access)."""
    return {"scope": scope_for(getattr(request, "user", None))}
