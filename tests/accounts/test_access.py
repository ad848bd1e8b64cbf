"""The one access module: 404 outside the user's scope, 403 inside it without the role."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import get_for_coordinator
from placements.models import Programme
from tests import factories as f


def test_coordinator_gets_their_own_forces_programme(coordinator, programme_a):
    assert get_for_coordinator(coordinator, Programme.objects.select_related("force"), pk=programme_a.pk) == programme_a


def test_another_forces_programme_is_404(coordinator_b, programme_a):
    with pytest.raises(Http404):
        get_for_coordinator(coordinator_b, Programme, pk=programme_a.pk)


def test_bad_lookup_is_404_not_500(coordinator):
    with pytest.raises(Http404):
        get_for_coordinator(coordinator, Programme, pk="not-a-number")


def test_in_scope_through_another_role_is_403(coordinator_b, school_a, programme_a):
    """Force B's coordinator is also Oakfield's contact: they see force A's programme, but do not run it."""
    f.InstitutionContactFactory(institution=school_a, user=coordinator_b)
    f.AllocationFactory(programme=programme_a, institution=school_a)
    with pytest.raises(PermissionDenied):
        get_for_coordinator(coordinator_b, Programme, pk=programme_a.pk)


def test_admin_gets_any_forces_programme(superuser, programme_b):
    assert get_for_coordinator(superuser, Programme, pk=programme_b.pk) == programme_b
