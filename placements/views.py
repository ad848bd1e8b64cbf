from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts.scoping import get_for_user, scope_for

from . import selectors
from .models import Programme
from .sections import programme_sections


def coordinator_required(view):
    """Only coordinators and admins; others get 403 (they are signed in but lack the role)."""

    @login_required
    def wrapper(request, *args, **kwargs):
        scope = scope_for(request.user)
        if not (scope.is_admin or scope.is_coordinator):
            raise PermissionDenied("Only programme coordinators can open this page.")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def get_programme_for_coordinator(request, pk):
    """A programme of the coordinator's own force, or 404."""
    programme = get_for_user(request.user, Programme.objects.select_related("force"), pk=pk)
    if not scope_for(request.user).coordinates(programme.force_id):
        raise PermissionDenied
    return programme


@coordinator_required
def programme_list(request):
    programmes = selectors.programme_list(user=request.user)
    return render(request, "placements/programme_list.html", {"programmes": programmes})


@coordinator_required
def programme_detail(request, pk):
    programme = get_programme_for_coordinator(request, pk)
    sections = []
    for section in programme_sections():
        extra = section.context(programme, request) if section.context else {}
        sections.append({"section": section, "context": {"programme": programme, **extra}})
    return render(request, "placements/programme_detail.html", {"programme": programme, "sections": sections})
