"""The one access module: role decorators for views and the coordinator's object getter.

Two answers, always the same way round:
- 404 for anything outside the user's scope (`accounts.scoping.get_for_user`), so an outsider
  cannot even learn that a record exists;
- 403 for a signed-in user without the role the page needs, or who can see the record through
  another role (a school contact sees a programme their school is allocated to) but does not
  coordinate its force.

Domain models are looked up through the app registry, never imported, so `accounts` stays below
the domain apps.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from .scoping import FORCE_PATHS, Scope, get_for_user, scope_for

View = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)

PLATFORM_ADMIN_PERMISSION = "accounts.platform_admin"


def is_platform_admin(user: Any) -> bool:
    """Whether the user may open the Django admin: active staff who are superusers or hold the platform-admin
    permission. Coordinators use the app; being made staff alone opens nothing."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.has_perm(PLATFORM_ADMIN_PERMISSION))
    )


def role_required(test: Callable[[Scope], bool], message: str) -> Callable[[View], View]:
    """A view decorator: sign-in first, then 403 with `message` unless `test(scope)` holds."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not test(scope_for(request.user)):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


coordinator_required = role_required(
    lambda scope: scope.is_admin or scope.is_coordinator, "Only programme coordinators can open this page."
)
# Contact pages act for one school, so an admin (who has none) is refused too.
contact_required = role_required(lambda scope: scope.is_contact, "Only institution contacts can open this page.")
contact_home_required = role_required(
    lambda scope: scope.is_admin or scope.is_contact, "This start page is for another role."
)
lead_required = role_required(lambda scope: scope.is_admin or scope.is_lead, "This start page is for another role.")
mentor_required = role_required(lambda scope: scope.is_admin or scope.is_mentor, "This start page is for another role.")
# Partner pages show one partner person's own actions: an admin (who is none) is refused too.
partner_required = role_required(lambda scope: scope.is_partner, "This page is for partner organisations' people.")
national_required = role_required(
    lambda scope: scope.is_admin or scope.is_national,
    "Only the national coordinator and practice leads can open this page.",
)


def _force_id(obj: Model) -> int | None:
    """The force an object belongs to, following the same path `scoping` uses for coordinators."""
    path = FORCE_PATHS[obj._meta.label_lower]
    if path == "pk":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id")


def get_for_coordinator(user: Any, model_or_queryset: type[M] | QuerySet[M], **lookup: Any) -> M:
    """One row of the coordinator's own force: 404 outside the user's scope, 403 inside it without the role.

    Pass a queryset with the path to the force select_related, so the check costs no query.
    """
    obj = get_for_user(user, model_or_queryset, **lookup)
    if not scope_for(user).coordinates(_force_id(obj)):
        raise PermissionDenied("Only this programme's coordinators can do this.")
    return obj


def force_for_coordinator(request: HttpRequest) -> Model:
    """The coordinator's own force. An admin, who has none, picks one with ?force=<slug> (else the first)."""
    Force = apps.get_model("placements", "Force")
    scope = scope_for(request.user)
    if scope.force_ids:
        return Force.objects.get(pk=next(iter(scope.force_ids)))
    forces = Force.objects.order_by("name")
    slug = request.GET.get("force")
    force = forces.filter(slug=slug).first() if slug else forces.first()
    if force is None:
        raise Http404("No force found.")
    return force
