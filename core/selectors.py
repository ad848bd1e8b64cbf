from __future__ import annotations

from typing import TYPE_CHECKING

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from accounts.scoping import scope_for, scoped

from .personal_data import registry

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import QuerySet


def audit_entries(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[LogEntry]:
    """The audit trail a user may read: a coordinator their force's, an admin all; others nothing."""
    scope = scope_for(user)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if scope.is_admin:
        return entries
    if not scope.is_coordinator:
        return entries.none()
    return entries.filter(additional_data__force__in=list(scope.force_ids))


def about_students_named(*, user: AbstractBaseUser | AnonymousUser, text: str) -> Q:
    """Entries about the students whose name matches `text`, among those the user may see.

    The trail holds no names (core.audit names a child's records by type and number), so this finds
    the students first, then the entries of every audited record about them, by content type and id
    (as each app declares the record's path to the student in its privacy.py). One query, as subqueries.
    """
    students = registry.students_named(text)
    if students is None:
        return Q(pk__in=[])
    students = scoped(user, students).values("pk")
    condition = Q(pk__in=[])
    paths = registry.student_paths()
    models = {label: apps.get_model(label) for label in paths}
    content_types = ContentType.objects.get_for_models(*models.values())
    for label, path in paths.items():
        model = models[label]
        rows = students if not path else model._default_manager.filter(**{f"{path}__in": students}).values("pk")
        condition |= Q(content_type=content_types[model], object_id__in=rows)
    return condition


def audit_actors(entries: QuerySet[LogEntry]) -> QuerySet:
    """The people who appear in these entries, by name (for the trail's "who" filter)."""
    actors = entries.order_by().exclude(actor=None).values("actor")
    return get_user_model().objects.filter(pk__in=actors).order_by("first_name", "last_name", "username")


def audit_action_names(entries: QuerySet[LogEntry]) -> list[str]:
    """The named actions ("Syndicates built") recorded in these entries, in alphabetical order."""
    names = (
        entries.order_by()
        .filter(additional_data__action__isnull=False)
        .values_list("additional_data__action", flat=True)
        .distinct()
    )
    return sorted({name for name in names if isinstance(name, str) and name})
